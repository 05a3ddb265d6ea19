"""People services: one human, one Person; phones, custom fields, tags and their audit rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from groundswell.core.models import AuditEntry
from groundswell.people.models import Person, PhoneNumber, Tag, Tagging
from groundswell.people.selectors import tags_by_names
from groundswell.people.services import (
    PhoneNumberInput,
    email_normalize,
    person_match_or_create,
    person_signup,
    person_update,
    tag_create,
    tagging_add,
    tagging_remove,
)


def test_email_normalize():
    assert email_normalize("  Ana@Example.ORG ") == "ana@example.org"
    with pytest.raises(ValidationError):
        email_normalize("not an email")


def test_match_is_case_insensitive_and_never_duplicates(db):
    first = person_match_or_create(email="Sam@Example.org", fields={"given_name": "Sam"})
    second = person_match_or_create(email="SAM@example.ORG", fields={"family_name": "Lee"})
    assert first.created and not second.created
    assert first.person.pk == second.person.pk
    person = Person.objects.get()
    assert (person.email, person.given_name, person.family_name) == (
        "sam@example.org",
        "Sam",
        "Lee",
    )
    assert AuditEntry.objects.filter(action="person.create").count() == 1
    assert AuditEntry.objects.get(action="person.update").details == {"fields": ["family_name"]}


def test_expect_new_inserts_without_a_lookup_and_a_stale_hint_goes_to_the_caller(
    db, django_assert_num_queries
):
    from django.db import IntegrityError, transaction

    from groundswell.people.selectors import person_email_known

    assert not person_email_known(" Ana@Example.org ")
    # The insert and its audit row: no lookup first, no savepoint.
    with django_assert_num_queries(2):
        created = person_match_or_create(email="ana@example.org", expect_new=True)
    assert created.created and person_email_known("ANA@example.org")
    # The hint went stale (someone took the email in between): the unique index refuses the
    # insert, and the caller runs its transaction again without the hint.
    with pytest.raises(IntegrityError), transaction.atomic():
        person_match_or_create(email="Ana@example.org", expect_new=True)
    again = person_match_or_create(
        email="Ana@example.org", fields={"given_name": "Ana"}, overwrite=False
    )
    assert not again.created and again.person.pk == created.person.pk
    assert Person.objects.get().given_name == "Ana"
    assert AuditEntry.objects.filter(action="person.create").count() == 1


def test_without_overwrite_only_blanks_are_filled(db):
    person_match_or_create(email="a@example.org", fields={"given_name": "Ana"})
    match = person_match_or_create(
        email="a@example.org",
        fields={"given_name": "Other", "family_name": "Lopez"},
        overwrite=False,
    )
    assert (match.person.given_name, match.person.family_name) == ("Ana", "Lopez")


def test_source_is_recorded_only_once(db):
    person_match_or_create(email="a@example.org", source="api")
    person_match_or_create(email="a@example.org", source="signup")
    assert Person.objects.get().source == "api"


def test_postal_code_is_upper_cased_and_geocoded_when_known(db):
    from groundswell.geo.models import PostalCode

    PostalCode.objects.update_or_create(
        country="US", code="62701", defaults={"latitude": 39.8, "longitude": -89.6}
    )
    person = person_match_or_create(email="a@example.org", fields={"postal_code": " 62701 "}).person
    assert (person.postal_code, person.latitude, person.longitude) == ("62701", 39.8, -89.6)
    person = person_update(person=person, fields={"postal_code": "sw1a 1aa", "country": "gb"})
    assert (person.postal_code, person.country, person.latitude) == ("SW1A 1AA", "GB", None)


def test_custom_fields_merge_and_null_removes(db):
    person = person_match_or_create(
        email="a@example.org", custom_fields={"a": "1", "b": "2"}
    ).person
    person = person_update(person=person, fields={}, custom_fields={"b": None, "c": 3})
    assert Person.objects.get().custom_fields == {"a": "1", "c": 3}


def test_phones_are_added_updated_and_one_is_primary(db):
    person = person_match_or_create(
        email="a@example.org",
        phone_numbers=[
            PhoneNumberInput(number="202-555-0143"),
            PhoneNumberInput(number="202-555-0199"),
        ],
    ).person
    assert dict(person.phone_numbers.values_list("number", "primary")) == {
        "+12025550143": True,
        "+12025550199": False,
    }
    person_update(
        person=person,
        fields={},
        phone_numbers=[
            PhoneNumberInput(number="(202) 555-0199", primary=True, do_not_call=True),
            PhoneNumberInput(number="+442079460958", number_type="Work"),
        ],
    )
    phones = {p.number: p for p in PhoneNumber.objects.filter(person=person)}
    assert set(phones) == {"+12025550143", "+12025550199", "+442079460958"}
    assert [n for n, p in phones.items() if p.primary] == ["+12025550199"]
    assert phones["+12025550199"].do_not_call
    assert phones["+442079460958"].number_type == "Work"


def test_sms_consent_is_recorded_with_its_source_and_time(db):
    person = person_match_or_create(
        email="a@example.org",
        phone_numbers=[PhoneNumberInput(number="2025550143", sms_opted_in=True)],
        source="api",
    ).person
    phone = person.phone_numbers.get()
    assert phone.sms_opted_in and phone.consent_source == "api" and phone.consent_at


def test_a_guest_rsvp_does_not_change_existing_phone_settings(db):
    person = person_match_or_create(
        email="a@example.org",
        phone_numbers=[PhoneNumberInput(number="2025550143", do_not_call=True)],
    ).person
    person_match_or_create(
        email="a@example.org",
        phone_numbers=[
            PhoneNumberInput(number="2025550143", do_not_call=False),
            PhoneNumberInput(number="2025550199"),
        ],
        overwrite=False,
    )
    assert PhoneNumber.objects.get(number="+12025550143").do_not_call
    assert person.phone_numbers.count() == 2


def test_invalid_phones_write_nothing(db):
    with pytest.raises(ValidationError) as caught:
        person_match_or_create(
            email="a@example.org",
            fields={"given_name": "Ana"},
            phone_numbers=[PhoneNumberInput(number="2025550143"), PhoneNumberInput(number="12")],
        )
    assert "phone_numbers" in caught.value.message_dict
    assert not Person.objects.exists()
    assert not PhoneNumber.objects.exists()


def test_phone_change_bumps_modified_at(db):
    person = person_match_or_create(email="a@example.org").person
    before = person.modified_at
    person_match_or_create(
        email="a@example.org", phone_numbers=[PhoneNumberInput(number="2025550143")]
    )
    assert Person.objects.get().modified_at > before


def test_update_refuses_someone_elses_email(db):
    a = person_match_or_create(email="a@example.org").person
    person_match_or_create(email="b@example.org")
    with pytest.raises(ValidationError):
        person_update(person=a, fields={}, email="B@example.org")
    assert Person.objects.get(pk=a.pk).email == "a@example.org"


def test_update_without_changes_writes_no_audit_row(db):
    person = person_match_or_create(email="a@example.org", fields={"given_name": "Ana"}).person
    person_update(person=person, fields={"given_name": "Ana"})
    assert not AuditEntry.objects.filter(action="person.update").exists()


def test_tag_create_is_case_insensitive(db):
    tag = tag_create(name=" Volunteer ")
    assert tag_create(name="VOLUNTEER").pk == tag.pk
    assert Tag.objects.get().name == "Volunteer"
    assert AuditEntry.objects.filter(action="tag.create").count() == 1
    with pytest.raises(ValidationError):
        tag_create(name="  ")


@pytest.mark.parametrize("again", ["Élan Vital", "élan vital", "ÉLAN VITAL", "E\u0301lan vital"])
def test_tag_names_fold_case_outside_ascii_too(db, again):
    tag = tag_create(name="Élan Vital")
    assert tag_create(name=again).pk == tag.pk
    assert Tag.objects.count() == 1
    assert tags_by_names(names=[again]) == [tag]


def test_tag_names_fold_fully_and_a_rename_keeps_the_key(db):
    street = tag_create(name="Straße")
    assert tag_create(name="STRASSE").pk == street.pk
    street.name = "Avenue"
    street.save(update_fields=["name"])
    assert tag_create(name="avenue").pk == street.pk
    assert tag_create(name="straße").pk != street.pk


def test_person_emails_fold_case_outside_ascii_too(db):
    first = person_match_or_create(email="ana@École.example").person
    assert person_match_or_create(email="Ana@école.EXAMPLE").person.pk == first.pk
    assert Person.objects.count() == 1


def test_tagging_add_is_idempotent_and_remove_is_audited(db, hq):
    person = person_match_or_create(email="a@example.org").person
    tag = tag_create(name="Volunteer")
    first = tagging_add(tag=tag, person=person, actor=hq)
    assert tagging_add(tag=tag, person=person, actor=hq).pk == first.pk
    assert Tagging.objects.count() == 1
    added = AuditEntry.objects.get(action="tagging.add")
    assert (added.actor, added.details) == (hq, {"tag_id": tag.pk, "person_id": person.pk})
    tagging_remove(tagging=first, actor=hq)
    assert not Tagging.objects.exists()
    removed = AuditEntry.objects.get(action="tagging.remove")
    assert (removed.actor, removed.subject_id) == (hq, str(first.pk))


def test_signup_tags_only_existing_tags_atomically(db):
    tag = tag_create(name="Volunteer")
    match = person_signup(email="a@example.org", add_tags=["volunteer", "nope"])
    assert match.created
    assert list(Tagging.objects.values_list("tag_id", "person_id")) == [(tag.pk, match.person.pk)]
    assert Tag.objects.count() == 1
