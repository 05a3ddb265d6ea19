"""An announcement's own words (footer, sender name) reach each member in their language;
the leaders' subject and text are theirs and stay as written."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from groundswell.groups.services import group_announcement_send
from groundswell.people.services import person_language_set

pytestmark = pytest.mark.django_db


def test_each_member_gets_the_announcement_in_their_language(
    world, django_capture_on_commit_callbacks
):
    person_language_set(person=world["member"].person, language="fr")
    person_language_set(person=world["co_leader"].person, language="en")
    # The leader writes from the French site: that must not decide anyone else's language.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        group_announcement_send(
            group=world["group"],
            sender=world["leader"],
            subject="Porte-à-porte samedi",
            body="Rendez-vous à la bibliothèque.",
        )
    by_address = {message.to[0]: message for message in mail.outbox}
    french, english = by_address["member@example.org"], by_address["co@example.org"]
    assert french.subject == english.subject == "Porte-à-porte samedi"
    assert "Rendez-vous à la bibliothèque." in french.body
    assert "Une annonce des responsables de Chelsea for Change." in french.body
    assert "An announcement from the leaders of" not in french.body
    assert "An announcement from the leaders of Chelsea for Change." in english.body
    assert "La page du groupe" not in english.body
    # The leader has no recorded language: the site's default.
    assert "An announcement from the leaders of" in by_address["leader@example.org"].body
