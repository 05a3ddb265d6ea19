"""Sign-up records the language the form was used in as the Person's preferred language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from groundswell.accounts.models import User
from groundswell.accounts.testing import PASSWORD
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sign_up_records_the_language_of_the_form(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    person = User.objects.get(email="new@example.org").person
    assert person is not None and person.preferred_language == language


def test_a_guest_who_signs_up_in_french_now_prefers_french(client):
    guest = Person.objects.create(email="new@example.org", preferred_language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    guest.refresh_from_db()
    assert guest.preferred_language == "fr"
