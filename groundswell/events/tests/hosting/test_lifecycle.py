"""Approve, reject, edit and cancel: statuses, emails to hosts and attendees (read from
mail.outbox after the on-commit callbacks ran), reminders following a time change, and
capacity cuts moving the overflow to the waitlist in order."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groundswell.events.hosting.services.approval import (
    event_approve,
    event_reject,
    host_trust_revoke,
)
from groundswell.events.hosting.services.events import event_cancel, event_update
from groundswell.events.hosting.services.validation import ShiftSpec
from groundswell.events.models import Attendance, Event, EventCoHost, Shift
from groundswell.events.testing import (
    first_shift,
    host_event,
    make_cohost,
    make_person,
    move_to_past,
    next_week_local,
    rsvp,
)

pytestmark = pytest.mark.django_db


# --- approval -----------------------------------------------------------------------------


def test_an_organizer_approves_and_the_host_is_emailed(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member)
    with django_capture_on_commit_callbacks(execute=True):
        event_approve(event=event, actor=organizer, note="Looks great")
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.approved_by == organizer
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["member@example.org"]
    assert "is approved" in mail.outbox[0].subject
    assert "Looks great" in mail.outbox[0].body
    assert f"/events/{event.pk}/" in mail.outbox[0].body


def test_approving_with_trust_lets_the_next_event_skip_the_queue(member, organizer):
    event_approve(event=host_event(member), actor=organizer, trust_host=True)
    assert host_event(member, title="Second canvass").status == Event.Status.PUBLISHED
    host_trust_revoke(user=member, actor=organizer)
    assert host_event(member, title="Third canvass").status == Event.Status.PENDING


def test_rejecting_needs_a_note_and_tells_the_host(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member)
    with pytest.raises(ValidationError) as excinfo:
        event_reject(event=event, actor=organizer, note=" ")
    assert excinfo.value.message_dict["note"] == ["Tell the host why, so they can fix it."]
    with django_capture_on_commit_callbacks(execute=True):
        event_reject(event=event, actor=organizer, note="Please add the address")
    event.refresh_from_db()
    assert event.status == Event.Status.REJECTED
    assert "Please add the address" in mail.outbox[0].body
    assert f"/events/{event.pk}/edit/" in mail.outbox[0].body


def test_only_waiting_events_are_reviewed_and_only_by_staff(member, other_member, organizer):
    event = host_event(member)
    with pytest.raises(PermissionDenied):
        event_approve(event=event, actor=member)
    with pytest.raises(PermissionDenied):
        event_reject(event=event, actor=other_member, note="no")
    event_approve(event=event, actor=organizer)
    with pytest.raises(ValidationError, match="not waiting for approval"):
        event_approve(event=event, actor=organizer)


def test_editing_a_rejected_event_sends_it_back_to_the_queue(member, organizer):
    event = host_event(member)
    event_reject(event=event, actor=organizer, note="Add a venue")
    event = event_update(event=event, actor=member, venue_name="Chelsea Library, room 2")
    assert event.status == Event.Status.PENDING


# --- editing ------------------------------------------------------------------------------


def test_changing_the_time_reschedules_reminders_and_tells_attendees(
    member,
    organizer,
    deferred,
    django_capture_on_commit_callbacks,
):
    event = host_event(member, publish_as=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        going = rsvp(event, make_person("ana@example.org", "Ana"))
        waiting_event_shift = first_shift(event)
    mail.outbox.clear()
    # The day-before reminder went out for the old time.
    Attendance.objects.filter(pk=going.pk).update(
        reminder_day_before_sent_at=timezone.now() - timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        event_update(
            event=event,
            actor=member,
            starts_at=next_week_local(14),
            ends_at=next_week_local(16),
        )
    event.refresh_from_db()
    shift = Shift.objects.get(pk=waiting_event_shift.pk)
    assert shift.starts_at.astimezone(event.starts_at.tzinfo) == event.starts_at
    assert event.starts_at.astimezone(ZoneInfo("America/New_York")).hour == 14
    assert event.calendar_sequence == 1
    # Cleared, so the reminder goes out again for the new time (queued by the planner then).
    going.refresh_from_db()
    assert going.reminder_day_before_sent_at is None
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "New time" in mail.outbox[0].subject
    assert "2 p.m." in mail.outbox[0].body


def test_a_description_edit_emails_nobody(member, organizer, django_capture_on_commit_callbacks):
    # Title, place and link edits do mail attendees: test_event_change_notices.py.
    event = host_event(member, publish_as=organizer)
    rsvp(event, make_person("ana@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, actor=member, description="Bring water.")
    assert mail.outbox == []
    event.refresh_from_db()
    assert event.description == "Bring water."
    assert event.calendar_sequence == 0


def test_lowering_capacity_moves_the_latest_to_the_waitlist_in_order(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, capacity=3)
    people = [make_person(f"p{i}@example.org", f"P{i}") for i in range(4)]
    attendances = [rsvp(event, person) for person in people]
    assert attendances[3].status == Attendance.Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, actor=member, capacity=1)
    shift = first_shift(event)
    assert (shift.capacity, shift.confirmed_count, shift.waitlist_count) == (1, 1, 3)
    waitlist = list(
        Attendance.objects.filter(shift=shift, status=Attendance.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("person__email", flat=True)
    )
    # The two latest confirmed go back in line before the one who found it full.
    assert waitlist == ["p1@example.org", "p2@example.org", "p3@example.org"]


def test_shifts_are_added_changed_and_removed(member, organizer):
    event = host_event(
        member,
        publish_as=organizer,
        shifts=[
            (next_week_local(9), next_week_local(11), 5),
            (next_week_local(13), next_week_local(15), 5),
        ],
    )
    morning, afternoon = list(Shift.objects.filter(event=event).order_by("starts_at"))
    rsvp(event, make_person("a@example.org"), shift=afternoon)
    with pytest.raises(ValidationError) as excinfo:
        event_update(
            event=event,
            actor=member,
            shifts=[ShiftSpec(next_week_local(9), next_week_local(11), 5, shift_id=morning.pk)],
        )
    assert "so it can't be removed" in excinfo.value.message_dict["shifts"][0]

    event_update(
        event=event,
        actor=member,
        shifts=[
            ShiftSpec(next_week_local(13), next_week_local(15), 8, shift_id=afternoon.pk),
            ShiftSpec(next_week_local(16), next_week_local(18), None),
        ],
    )
    shifts = list(Shift.objects.filter(event=event).order_by("starts_at"))
    assert shifts[0].pk == afternoon.pk
    assert [s.capacity for s in shifts] == [8, None]
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at) == (shifts[0].starts_at, shifts[1].ends_at)


def test_a_shift_of_another_event_cannot_be_edited_through_this_one(member, organizer):
    event = host_event(member, publish_as=organizer)
    other = host_event(organizer, title="Other")
    with pytest.raises(ValidationError) as excinfo:
        event_update(
            event=event,
            actor=member,
            shifts=[
                ShiftSpec(
                    next_week_local(9), next_week_local(11), 5, shift_id=first_shift(other).pk
                )
            ],
        )
    assert "That time slot is not part of this event." in excinfo.value.message_dict["shifts"]
    assert first_shift(other).capacity is None


def test_an_edit_can_t_move_the_event_into_the_past(member):
    event = host_event(member)
    with pytest.raises(ValidationError) as excinfo:
        event_update(
            event=event,
            actor=member,
            starts_at=next_week_local(10, days=-8),
            ends_at=next_week_local(12, days=-8),
        )
    assert excinfo.value.message_dict["starts_at"] == ["The event can't start in the past."]


def test_co_hosts_edit_and_outsiders_cannot(member, other_member):
    event = host_event(member)
    cohost = make_cohost()
    EventCoHost.objects.create(event=event, user=cohost)
    event_update(event=event, actor=cohost, description="Bring water")
    with pytest.raises(PermissionDenied):
        event_update(event=event, actor=other_member, description="Hacked")
    event.refresh_from_db()
    assert event.description == "Bring water"


def test_leaving_the_group_later_does_not_block_other_edits(member):
    from groundswell.groups.models import Group, GroupMembership

    group = Group.objects.create(name="Chelsea", postal_code="10001")
    membership = GroupMembership.objects.create(group=group, user=member, role="leader")
    event = host_event(member, group=group)
    membership.delete()
    event = event_update(event=event, actor=member, title="Renamed")
    assert event.group == group


# --- cancelling ---------------------------------------------------------------------------


def test_cancelling_tells_everyone_going_or_waiting(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, capacity=1)
    rsvp(event, make_person("ana@example.org"))
    rsvp(event, make_person("ben@example.org"))  # waitlisted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=member)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancelled_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    with pytest.raises(ValidationError, match="already cancelled"):
        event_cancel(event=event, actor=member)
    with pytest.raises(ValidationError, match="can't be edited"):
        event_update(event=event, actor=member, title="Back on")


def test_a_finished_event_can_t_be_cancelled_nor_by_outsiders(member, other_member, organizer):
    event = host_event(member, publish_as=organizer)
    with pytest.raises(PermissionDenied):
        event_cancel(event=event, actor=other_member)
    move_to_past(event)
    with pytest.raises(ValidationError, match="over"):
        event_cancel(event=event, actor=member)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.ends_at < event.starts_at + timedelta(days=1)
