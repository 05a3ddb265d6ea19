"""RSVP services: confirm or waitlist, one attendance per person and shift, cancellation with
waitlist promotion in order, capacity changes, door check-in, export and erasure."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from groundswell.accounts.selectors import account_export
from groundswell.core.models import AuditEntry
from groundswell.events.hosting.services.attendance import attendance_check_in, attendance_walk_in
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp.services import (
    attendance_cancel,
    attendance_reminder_reply,
    attendance_rsvp,
    event_attendees_notify_cancelled,
    shift_capacity_set,
)
from groundswell.events.testing import (
    PLACE_CHICAGO,
    counts_match,
    first_shift,
    make_event,
    make_person,
    zip_code,
)
from groundswell.people.erasure import person_erase
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _rsvp(event, person, **kwargs):
    return attendance_rsvp(event=event, person=person, **kwargs)


# --- Confirm or waitlist --------------------------------------------------------------------


def test_rsvp_confirms_while_there_is_room_then_waitlists(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=2)
    people = [make_person(f"p{i}@example.org") for i in range(3)]
    results = [_rsvp(event, person) for person in people]
    assert [r.waitlisted for r in results] == [False, False, True]
    assert [r.attendance.status for r in results] == ["confirmed", "confirmed", "waitlisted"]
    assert all(r.created for r in results)
    shift = first_shift(event)
    assert (shift.confirmed_count, shift.waitlist_count) == (2, 1)
    assert counts_match(shift)
    assert results[2].attendance.waitlisted_at is not None
    assert results[0].attendance.confirmed_at is not None
    assert AuditEntry.objects.filter(action="attendance.rsvp").count() == 3


def test_same_rsvp_twice_is_one_attendance_returned_unchanged(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=5)
    person = make_person("twice@example.org")
    first = _rsvp(event, person, source="flyer")
    second = _rsvp(event, person, source="other")
    assert first.created and not second.created
    assert second.attendance.pk == first.attendance.pk
    assert second.attendance.source == "flyer"
    assert Attendance.objects.filter(person=person).count() == 1
    assert first_shift(event).confirmed_count == 1


def test_unlimited_shift_never_waitlists(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=None)
    results = [_rsvp(event, make_person(f"u{i}@example.org")) for i in range(4)]
    assert not any(r.waitlisted for r in results)
    assert first_shift(event).confirmed_count == 4


def test_default_shift_is_the_first_upcoming_and_a_shift_can_be_chosen(member):
    event = make_event(
        member, place=PLACE_CHICAGO, shifts=3, starts_at=timezone.now() + timedelta(days=1)
    )
    shifts = list(event.shifts.order_by("starts_at"))
    person = make_person("multi@example.org")
    assert _rsvp(event, person).attendance.shift_id == shifts[0].pk
    assert _rsvp(event, person, shift=shifts[2]).attendance.shift_id == shifts[2].pk
    # The first shift has started: the default moves on to the next one.
    later = timezone.now() + timedelta(days=1, hours=1)
    other = make_person("late@example.org")
    assert _rsvp(event, other, now=later).attendance.shift_id == shifts[1].pk


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Event.Status.CANCELLED, "cancelled"),
        (Event.Status.PENDING, "not_published"),
        (Event.Status.REJECTED, "not_published"),
    ],
)
def test_rsvp_refused_for_events_not_open(member, status, code):
    event = make_event(member, place=PLACE_CHICAGO, status=status)
    with pytest.raises(ValidationError) as error:
        _rsvp(event, make_person("x@example.org"))
    assert error.value.code == code
    assert not Attendance.objects.exists()


def test_rsvp_refused_for_past_events_and_started_shifts(member):
    event = make_event(member, place=PLACE_CHICAGO, starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        _rsvp(event, make_person("x@example.org"))
    assert error.value.code == "past"
    with pytest.raises(ValidationError):
        _rsvp(event, make_person("y@example.org"), shift=first_shift(event))
    assert not Attendance.objects.exists()


def test_rsvp_refuses_a_shift_of_another_event(member):
    event, other = make_event(member, place=PLACE_CHICAGO), make_event(member, place=PLACE_CHICAGO)
    with pytest.raises(ValidationError):
        _rsvp(event, make_person("x@example.org"), shift=first_shift(other))


def test_cancelled_rsvp_can_be_made_again_as_a_new_rsvp(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=3)
    person = make_person("again@example.org")
    first = _rsvp(event, person)
    attendance_cancel(attendance=first.attendance)
    again = _rsvp(event, person)
    assert again.created and again.attendance.pk == first.attendance.pk
    assert again.attendance.status == "confirmed"
    assert again.attendance.cancelled_at is None
    assert counts_match(first_shift(event))


def test_referral_and_source_are_recorded_but_never_self_credit(member):
    event = make_event(member, place=PLACE_CHICAGO)
    friend, inviter = make_person("friend@example.org"), make_person("inviter@example.org")
    result = _rsvp(event, friend, referred_by=inviter, source="share")
    assert result.attendance.referred_by_id == inviter.pk
    assert result.attendance.source == "share"
    self_invited = _rsvp(event, inviter, referred_by=inviter)
    assert self_invited.attendance.referred_by_id is None


# --- Emails -----------------------------------------------------------------------------------


def test_confirmation_email_has_the_ics_and_a_cancel_link(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, hide_address=True)
    person = make_person("going@example.org", given_name="Gia")
    with django_capture_on_commit_callbacks(execute=True):
        _rsvp(event, person)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["going@example.org"]
    assert "You're going" in message.subject
    assert "Hi Gia" in message.body
    assert "/events/rsvp/" in message.body and "/cancel/" in message.body
    # The hidden address is in the attendee's own email.
    assert "123 Maple Street" in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("event.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    assert calendar.walk("VTIMEZONE")
    assert "123 Maple Street" in str(calendar.walk("VEVENT")[0]["LOCATION"])
    # And it survives the trip through the mail task as a real MIME message.
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert any(part.get_content_type() == "text/calendar" for part in parsed.walk())


def test_waitlist_email_says_so_and_has_no_calendar(member, django_capture_on_commit_callbacks):
    event = make_event(member, place=PLACE_CHICAGO, capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        result = _rsvp(event, make_person("wait@example.org"))
    assert result.waitlisted
    message = mail.outbox[0]
    assert "waitlist" in message.subject
    assert "If a place opens up, you'll get it automatically" in message.body
    assert message.attachments == []


def test_nothing_is_sent_when_the_rsvp_is_refused(member, django_capture_on_commit_callbacks):
    event = make_event(member, place=PLACE_CHICAGO, status=Event.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _rsvp(event, make_person("no@example.org"))
    assert mail.outbox == []


def test_bouncing_people_get_no_mail_but_keep_their_rsvp(
    member, django_capture_on_commit_callbacks
):
    person = make_person("bounce@example.org")
    Person.objects.filter(pk=person.pk).update(email_status=Person.EmailStatus.BOUNCING)
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        result = _rsvp(make_event(member, place=PLACE_CHICAGO), person)
    assert result.created and mail.outbox == []


# --- Cancel and promote -----------------------------------------------------------------------


def test_cancel_promotes_the_earliest_waitlisted_person(member, django_capture_on_commit_callbacks):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    going = _rsvp(event, make_person("going@example.org")).attendance
    start = timezone.now()
    first = _rsvp(event, make_person("first@example.org"), now=start).attendance
    second = _rsvp(event, make_person("second@example.org"), now=start + timedelta(seconds=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_cancel(attendance=going, actor=member)
    first.refresh_from_db()
    second.attendance.refresh_from_db()
    assert first.status == "confirmed" and first.confirmed_at is not None
    assert second.attendance.status == "waitlisted"
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    assert "A place opened up" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0] == "event.ics"
    assert counts_match(first_shift(event))
    assert AuditEntry.objects.filter(action="attendance.promote", subject_id=str(first.pk)).exists()


def test_cancel_twice_is_a_no_op(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    attendance = _rsvp(event, make_person("a@example.org")).attendance
    waiting = _rsvp(event, make_person("b@example.org")).attendance
    attendance_cancel(attendance=attendance)
    attendance_cancel(attendance=attendance)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    shift = first_shift(event)
    assert (shift.confirmed_count, shift.waitlist_count) == (1, 0)
    assert AuditEntry.objects.filter(action="attendance.cancel").count() == 1


def test_cancelling_a_waitlisted_rsvp_promotes_nobody(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    _rsvp(event, make_person("a@example.org"))
    waiting = _rsvp(event, make_person("b@example.org")).attendance
    third = _rsvp(event, make_person("c@example.org")).attendance
    attendance_cancel(attendance=waiting)
    third.refresh_from_db()
    assert third.status == "waitlisted"
    assert counts_match(first_shift(event))


def test_promotion_follows_waitlist_order_over_several_cancellations(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=2)
    start = timezone.now()
    confirmed = [
        _rsvp(event, make_person(f"c{i}@example.org"), now=start + timedelta(seconds=i)).attendance
        for i in range(2)
    ]
    waiting = [
        _rsvp(
            event, make_person(f"w{i}@example.org"), now=start + timedelta(seconds=10 + i)
        ).attendance
        for i in range(3)
    ]
    for attendance in confirmed:
        attendance_cancel(attendance=attendance)
    statuses = [Attendance.objects.get(pk=a.pk).status for a in waiting]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]


def test_no_promotion_into_a_shift_that_has_started(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    going = _rsvp(event, make_person("a@example.org")).attendance
    waiting = _rsvp(event, make_person("b@example.org")).attendance
    later = first_shift(event).starts_at + timedelta(minutes=5)
    attendance_cancel(attendance=going, now=later)
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_cant_make_it_reply_cancels_and_promotes(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    going = _rsvp(event, make_person("a@example.org")).attendance
    waiting = _rsvp(event, make_person("b@example.org")).attendance
    attendance_reminder_reply(attendance=going, coming=False)
    going.refresh_from_db()
    waiting.refresh_from_db()
    assert (going.status, going.reminder_reply) == ("cancelled", False)
    assert waiting.status == "confirmed"


def test_confirm_reply_is_recorded_and_refused_once_cancelled(member):
    event = make_event(member, place=PLACE_CHICAGO)
    attendance = _rsvp(event, make_person("a@example.org")).attendance
    attendance_reminder_reply(attendance=attendance, coming=True)
    attendance.refresh_from_db()
    assert attendance.reminder_reply is True
    attendance_cancel(attendance=attendance)
    with pytest.raises(ValidationError):
        attendance_reminder_reply(attendance=attendance, coming=True)


# --- Capacity -----------------------------------------------------------------------------------


def test_capacity_cut_moves_the_latest_confirmed_to_the_front_of_the_waitlist_in_order(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, capacity=3)
    start = timezone.now()
    a, b, c = (
        _rsvp(
            event, make_person(f"{name}@example.org"), now=start + timedelta(seconds=i)
        ).attendance
        for i, name in enumerate("abc")
    )
    d = _rsvp(event, make_person("d@example.org"), now=start + timedelta(seconds=10)).attendance
    mail.outbox.clear()
    shift = first_shift(event)
    with django_capture_on_commit_callbacks(execute=True):
        shift = shift_capacity_set(shift=shift, capacity=1, actor=member)
    assert (shift.capacity, shift.confirmed_count, shift.waitlist_count) == (1, 1, 3)
    assert counts_match(shift)
    assert Attendance.objects.get(pk=a.pk).status == "confirmed"
    line = list(
        Attendance.objects.filter(shift=shift, status="waitlisted")
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)
    )
    assert line == [b.pk, c.pk, d.pk]
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.org", "c@example.org"]
    assert all("now on the waitlist" in m.subject for m in mail.outbox)
    # Places come back in the same order.
    shift = shift_capacity_set(shift=shift, capacity=2, actor=member)
    assert Attendance.objects.get(pk=b.pk).status == "confirmed"
    assert Attendance.objects.get(pk=c.pk).status == "waitlisted"
    assert counts_match(shift)


def test_capacity_removed_promotes_everyone_waiting(member):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    for i in range(3):
        _rsvp(event, make_person(f"p{i}@example.org"))
    shift = shift_capacity_set(shift=first_shift(event), capacity=None)
    assert (shift.confirmed_count, shift.waitlist_count) == (3, 0)
    assert counts_match(shift)


def test_capacity_below_zero_is_refused(member):
    shift = first_shift(make_event(member, place=PLACE_CHICAGO, capacity=3))
    with pytest.raises(ValidationError) as error:
        shift_capacity_set(shift=shift, capacity=-1)
    assert "capacity" in error.value.message_dict
    shift.refresh_from_db()
    assert shift.capacity == 3


# --- Event cancelled ----------------------------------------------------------------------------


def test_event_cancelled_notice_goes_to_everyone_still_on_the_list(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, capacity=1)
    _rsvp(event, make_person("going@example.org"))
    _rsvp(event, make_person("waiting@example.org"))
    gone = _rsvp(event, make_person("gone@example.org")).attendance
    attendance_cancel(attendance=gone)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_attendees_notify_cancelled(event=event)
    assert sorted(m.to[0] for m in mail.outbox) == ["going@example.org", "waiting@example.org"]
    calendar = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


# --- At the door ---------------------------------------------------------------------------------


def test_check_in_marks_attended_once(member):
    event = make_event(member, place=PLACE_CHICAGO)
    attendance = _rsvp(event, make_person("a@example.org")).attendance
    first = attendance_check_in(attendance=attendance, actor=member)
    again = attendance_check_in(attendance=attendance, actor=member)
    assert first.attended is True and again.checked_in_at == first.checked_in_at
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_walk_in_creates_the_person_once_and_respects_capacity(member):
    zip_code("60601")
    event = make_event(
        member, place=PLACE_CHICAGO, capacity=1, starts_at=timezone.now() - timedelta(minutes=30)
    )
    _rsvp_now = first_shift(event)
    Attendance.objects.create(
        event=event, shift=_rsvp_now, person=make_person("early@example.org"), status="confirmed"
    )
    Shift.objects.filter(pk=_rsvp_now.pk).update(confirmed_count=1)
    walk_in = attendance_walk_in(
        event=event,
        email="Walker@Example.org",
        given_name="Wal",
        family_name="Ker",
        postal_code="60601",
        actor=member,
    )
    assert walk_in.attended is True and walk_in.checked_in_at is not None
    assert walk_in.status == "waitlisted"  # the shift was full: capacity still holds
    assert walk_in.source == "walk_in"
    again = attendance_walk_in(
        event=event,
        email="walker@example.org",
        given_name="W",
        family_name="K",
        postal_code="60601",
        actor=member,
    )
    assert again.pk == walk_in.pk
    assert Person.objects.filter(email="walker@example.org").count() == 1
    assert counts_match(first_shift(event))


# --- Export and erasure -----------------------------------------------------------------------


def test_export_lists_the_members_rsvps_only(member, other_member):
    event = make_event(other_member, place=PLACE_CHICAGO)
    _rsvp(event, member.person, user=member, source="share")
    _rsvp(event, other_member.person, user=other_member)
    section = account_export(user=member)["event_attendances"]
    assert [(row["event_id"], row["status"], row["source"]) for row in section] == [
        (event.pk, "confirmed", "share")
    ]


def test_erasing_a_person_cancels_upcoming_rsvps_and_keeps_past_ones(member, other_member):
    upcoming = make_event(other_member, place=PLACE_CHICAGO, capacity=1)
    past = make_event(other_member, place=PLACE_CHICAGO)
    person = member.person
    kept = _rsvp(past, person).attendance
    Shift.objects.filter(event=past).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2, hours=-2),
    )
    going = _rsvp(upcoming, person).attendance
    waiting = _rsvp(upcoming, make_person("next@example.org")).attendance
    person_erase(person=person, actor=None)
    going.refresh_from_db()
    kept.refresh_from_db()
    waiting.refresh_from_db()
    assert going.status == "cancelled"
    assert kept.status == "confirmed" and kept.person_id == person.pk
    assert waiting.status == "confirmed"


def test_a_person_created_in_the_same_transaction_skips_the_repeat_savepoint(
    member, django_assert_num_queries
):
    from django.db import transaction

    event = make_event(member, place=PLACE_CHICAGO, capacity=5)
    shift = first_shift(event)
    # Lock, insert, counter, audit row: no savepoint around the insert.
    with transaction.atomic():
        person = make_person("new@example.org")
        with django_assert_num_queries(4):
            _rsvp(event, person, shift=shift, person_created=True)
    # Someone who may have RSVPed already: the insert is guarded, and a repeat is found.
    with django_assert_num_queries(6):
        again = _rsvp(event, person, shift=shift)
    assert not again.created
    assert Attendance.objects.filter(person=person).count() == 1
    assert counts_match(shift)
