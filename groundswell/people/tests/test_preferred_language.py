"""Person.preferred_language: the language the person last used with us (their mail's)."""

from __future__ import annotations

import pytest

from groundswell.core.models import AuditEntry
from groundswell.people.erasure import person_erase
from groundswell.people.models import Person
from groundswell.people.services import person_language_set, person_match_or_create

pytestmark = pytest.mark.django_db


def test_a_new_person_gets_the_language_they_used():
    match = person_match_or_create(email="ana@example.org", language="fr")
    assert match.created
    assert Person.objects.get(pk=match.person.pk).preferred_language == "fr"


def test_the_latest_language_replaces_the_stored_one_even_without_overwrite():
    person = person_match_or_create(email="ana@example.org", language="fr").person
    person_match_or_create(
        email="ANA@example.org", fields={"given_name": "Ana"}, overwrite=False, language="en"
    )
    person.refresh_from_db()
    assert person.preferred_language == "en"
    assert AuditEntry.objects.filter(
        action="person.update",
        subject_id=str(person.pk),
        details__fields=["given_name", "preferred_language"],
    ).exists()


@pytest.mark.parametrize("language", ["", "de", "klingon"])
def test_no_language_or_one_the_site_does_not_speak_leaves_it(language):
    person = person_match_or_create(email="ana@example.org", language="fr").person
    person_match_or_create(email="ana@example.org", language=language)
    person.refresh_from_db()
    assert person.preferred_language == "fr"


def test_a_regional_variant_is_kept_as_the_sites_language():
    person = person_match_or_create(email="ana@example.org", language="fr-ca").person
    assert Person.objects.get(pk=person.pk).preferred_language == "fr"


def test_person_language_set_writes_and_audits_only_a_change():
    person = Person.objects.create(email="ana@example.org")
    person_language_set(person=person, language="fr")
    person_language_set(person=person, language="fr")
    person_language_set(person=person, language="de")  # not spoken here: ignored
    assert Person.objects.get(pk=person.pk).preferred_language == "fr"
    assert person.preferred_language == "fr"
    assert AuditEntry.objects.filter(action="person.update", subject_id=str(person.pk)).count() == 1


def test_erasure_blanks_it():
    person = person_match_or_create(email="ana@example.org", language="fr").person
    person_erase(person=person, actor=None)
    assert Person.objects.get(pk=person.pk).preferred_language == ""
