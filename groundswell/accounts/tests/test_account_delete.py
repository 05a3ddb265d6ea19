"""account_delete and person_erase: the login goes, the Person row stays de-identified."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import account_delete, profile_photo_set
from groundswell.accounts.testing import image_bytes, upload
from groundswell.core.models import AuditEntry
from groundswell.people.erasure import person_erase, person_eraser_register, person_erasers
from groundswell.people.models import Person, PhoneNumber, Tag, Tagging

pytestmark = pytest.mark.django_db


def _fill_person(person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(
        address_line="1 Main St",
        locality="Springfield",
        region="IL",
        postal_code="62701",
        latitude=39.8,
        longitude=-89.6,
        languages_spoken=["en"],
        custom_fields={"shirt": "M"},
    )
    PhoneNumber.objects.create(person=person, number="+12025550143")
    Tagging.objects.create(person=person, tag=Tag.objects.create(name="volunteer"))


def test_account_delete_erases_personal_data_and_keeps_the_person_row(
    client, member, other_member, django_capture_on_commit_callbacks
):
    person_id, user_id = member.person_id, member.pk
    _fill_person(member.person)
    with django_capture_on_commit_callbacks(execute=True):
        profile = profile_photo_set(user=member, upload=upload(image_bytes()))
    files = [profile.photo.name, profile.photo_thumbnail.name]
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(member)
    client.force_login(other_member)  # someone else's session must survive
    other_session = client.session.session_key
    LogEntry.objects.create(
        user=other_member,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user_id),
        object_repr=member.email,
        action_flag=CHANGE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member, actor=member)

    assert not User.objects.filter(pk=user_id).exists()
    assert not Profile.objects.filter(user_id=user_id).exists()
    assert not EmailAddress.objects.filter(user_id=user_id).exists()
    assert not Authenticator.objects.filter(user_id=user_id).exists()
    assert all(not default_storage.exists(name) for name in files)
    assert list(Session.objects.values_list("session_key", flat=True)) == [other_session]

    person = Person.objects.get(pk=person_id)
    assert person.erased_at is not None
    assert person.email is None
    assert (person.given_name, person.family_name, person.address_line) == ("", "", "")
    assert (person.locality, person.region, person.postal_code) == ("", "", "")
    assert (person.latitude, person.longitude) == (None, None)
    assert person.languages_spoken == [] and person.custom_fields == {}
    assert not person.phone_numbers.exists() and not person.taggings.exists()
    assert Tag.objects.filter(name="volunteer").exists()  # the tag itself is not personal

    entry = AuditEntry.objects.get(action="account.delete")
    assert entry.details == {"user_id": user_id, "person_id": person_id}
    assert entry.actor is None  # the actor was the deleted login
    # Nothing in the audit log or the admin history names the member any more.
    assert not any("member@example.org" in str(e.details) for e in AuditEntry.objects.all())
    assert not LogEntry.objects.filter(object_repr__icontains="member@example.org").exists()


def test_account_delete_by_staff_records_the_staff_actor(member, hq):
    account_delete(user=member, actor=hq)
    assert AuditEntry.objects.get(action="account.delete").actor == hq
    assert AuditEntry.objects.get(action="person.erase").actor == hq


def test_a_new_signup_with_the_erased_email_gets_a_fresh_person(member):
    old_person_id = member.person_id
    account_delete(user=member, actor=member)
    from groundswell.accounts.testing import make_member

    again = make_member("member@example.org")
    assert again.person_id != old_person_id


def test_person_erase_runs_registered_erasers_before_blanking(member):
    seen = []

    def eraser(*, person, actor):
        seen.append((person.email, actor))

    person_eraser_register("test-eraser", eraser)
    try:
        person_erase(person=member.person, actor=member)
    finally:
        from groundswell.people import erasure

        erasure._ERASERS.pop("test-eraser")
    assert seen == [("member@example.org", member)]
    assert "test-eraser" not in person_erasers()
