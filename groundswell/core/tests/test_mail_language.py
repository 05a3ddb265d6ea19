"""Mail in the recipient's language: core.mail.recipient_language, and the language switch
that records a signed-in member's choice on their Person (decision 0012)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from groundswell.accounts.models import User
from groundswell.core.mail import recipient_language
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("fr", "fr"), ("en", "en"), ("", settings.LANGUAGE_CODE), ("de", settings.LANGUAGE_CODE)],
)
def test_recipient_language_is_the_persons_if_the_site_speaks_it(stored, expected):
    person = Person.objects.create(email="ana@example.org", preferred_language=stored)
    assert recipient_language(person) == expected


def test_recipient_language_of_a_user_is_their_persons(member):
    Person.objects.filter(pk=member.person_id).update(preferred_language="fr")
    member = User.objects.get(pk=member.pk)
    assert recipient_language(member) == "fr"
    assert recipient_language(User(email="nobody@example.org")) == settings.LANGUAGE_CODE
    assert recipient_language(None) == settings.LANGUAGE_CODE


def test_the_switch_stores_a_members_choice_on_their_person(member_client, member):
    member_client.get("/language/", {"lang": "fr", "next": "/"})
    assert Person.objects.get(pk=member.person_id).preferred_language == "fr"
    member_client.get("/language/", {"lang": "en", "next": "/"})
    assert Person.objects.get(pk=member.person_id).preferred_language == "en"
    member_client.get("/language/", {"lang": "xx", "next": "/"})  # refused, nothing stored
    assert Person.objects.get(pk=member.person_id).preferred_language == "en"


def test_the_switch_stores_nothing_for_an_anonymous_visitor(member):
    response = Client().get("/language/", {"lang": "fr", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert not Person.objects.exclude(preferred_language="").exists()


def test_the_switch_works_for_a_login_without_a_person():
    user = User.objects.create_user("admin@example.org", "x")
    client = Client()
    client.force_login(user)
    response = client.get("/language/", {"lang": "fr", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
