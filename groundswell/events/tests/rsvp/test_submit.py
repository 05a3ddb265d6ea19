"""rsvp_submit, the one way in for an RSVP: members and guests, the idempotency key kept in
the database (a replay writes nothing, another request under the same key is refused)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from groundswell.core.models import IdempotencyKey
from groundswell.events.models import Attendance
from groundswell.events.rsvp.services import GuestDetails, rsvp_submit
from groundswell.events.rsvp.services import submit as rsvp_submit_module
from groundswell.events.testing import PLACE_CHICAGO, first_shift, make_event, zip_code
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

GAIL = GuestDetails(
    email="gail@example.org", given_name="Gail", family_name="Guest", postal_code="60601"
)


def _submit(event, **overrides):
    arguments = {
        "event": event,
        "shift": None,
        "referred_by": None,
        "source": "",
        "language": "en",
        "actor": None,
        **overrides,
    }
    return rsvp_submit(**arguments)


def test_a_member_rsvps_as_their_person_and_their_language_is_kept(host, member):
    event = make_event(host, place=PLACE_CHICAGO)
    result = _submit(event, member=member, actor=member, language="fr")
    assert result.created and not result.waitlisted
    assert (result.attendance.person_id, result.attendance.user_id) == (member.person_id, member.pk)
    member.person.refresh_from_db()
    assert member.person.preferred_language == "fr"


def test_a_guest_is_created_once_and_matched_after(host):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, shifts=2)
    first = _submit(event, guest=GAIL, source="flyer")
    person = Person.objects.get(email="gail@example.org")
    assert first.created and first.attendance.person_id == person.pk
    assert (person.given_name, person.source, person.preferred_language) == ("Gail", "flyer", "en")
    second_shift = event.shifts.order_by("starts_at")[1]
    renamed = GuestDetails(
        email="GAIL@example.org", given_name="Other", family_name="Name", postal_code="60601"
    )
    again = _submit(event, shift=second_shift, guest=renamed)
    assert again.created and again.attendance.person_id == person.pk
    person.refresh_from_db()
    assert person.given_name == "Gail"  # a guest RSVP never renames anyone


def test_exactly_one_of_member_guest_and_person(host, member):
    event = make_event(host, place=PLACE_CHICAGO)
    with pytest.raises(ValueError):
        _submit(event)
    with pytest.raises(ValueError):
        _submit(event, member=member, guest=GAIL)


def test_a_replayed_key_returns_the_first_attendance_and_writes_nothing(
    host, django_capture_on_commit_callbacks, django_assert_num_queries
):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, capacity=10)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks() as first_tasks:
        first = _submit(event, guest=GAIL, idempotency_key=key)
    assert first.created and len(first_tasks) == 1  # the confirmation mail's task
    with (
        django_capture_on_commit_callbacks() as replay_tasks,
        django_assert_num_queries(3),  # the email check, the key, the attendance + person
    ):
        replay = _submit(event, guest=GAIL, idempotency_key=key)
    assert replay_tasks == []
    assert (replay.attendance.pk, replay.created, replay.waitlisted) == (
        first.attendance.pk,
        False,
        False,
    )
    assert replay.attendance.person.email == "gail@example.org"
    assert Attendance.objects.count() == 1
    assert first_shift(event).confirmed_count == 1
    stored = IdempotencyKey.objects.get(scope="events.rsvp", key=key)
    assert stored.result == {"attendance_id": first.attendance.pk}


def test_the_same_key_for_another_shift_is_refused_and_writes_nothing(
    host, django_capture_on_commit_callbacks
):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, shifts=2)
    first_slot, second_slot = event.shifts.order_by("starts_at")
    key = str(uuid.uuid4())
    _submit(event, shift=first_slot, guest=GAIL, idempotency_key=key)
    with (
        django_capture_on_commit_callbacks() as tasks,
        pytest.raises(ValidationError) as refused,
    ):
        _submit(event, shift=second_slot, guest=GAIL, idempotency_key=key)
    assert refused.value.code == "idempotency_mismatch"
    assert "already sent with other answers" in refused.value.messages[0]
    assert tasks == []
    assert list(Attendance.objects.values_list("shift_id", flat=True)) == [first_slot.pk]
    second_slot.refresh_from_db()
    assert second_slot.confirmed_count == 0


def test_a_refused_rsvp_records_no_key(host):
    from groundswell.events.models import Event

    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, status=Event.Status.CANCELLED)
    with pytest.raises(ValidationError):
        _submit(event, guest=GAIL, idempotency_key="k-1")
    assert not IdempotencyKey.objects.exists()
    assert not Person.objects.filter(email="gail@example.org").exists()


def test_an_email_taken_between_the_check_and_the_insert_is_matched(host, member, monkeypatch):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    monkeypatch.setattr(rsvp_submit_module, "person_email_known", lambda email: False)
    taken = GuestDetails(
        email="member@example.org", given_name="X", family_name="Y", postal_code="60601"
    )
    result = _submit(event, guest=taken, idempotency_key=str(uuid.uuid4()))
    assert result.created and result.attendance.person_id == member.person_id
    assert Person.objects.filter(email="member@example.org").count() == 1
    assert IdempotencyKey.objects.count() == 1
