"""Reminders: due the day before and on the day, sent by tasks due at those times, never
twice, never for cancelled RSVPs or events, and following the event when its time changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services_rsvp import (
    REMINDER_DAY_BEFORE,
    REMINDER_DAY_OF,
    attendance_cancel,
    attendance_reminder_deliver,
    attendance_rsvp,
    event_reminders_reschedule,
    reminder_due_times,
)
from groundswell.events.tasks import attendance_reminder_send
from groundswell.events.tests.rsvp_helpers import (
    deferred_tasks,  # noqa: F401  (the `deferred` fixture)
    first_shift,
    make_event,
    make_person,
    reminders_of,
    run_deferred,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


# --- When reminders are due ------------------------------------------------------------------


def test_due_times_follow_the_events_wall_clock():
    due = reminder_due_times(starts_at=_local(2026, 12, 5, 10, 0), time_zone="America/Chicago")
    assert due[REMINDER_DAY_BEFORE] == _local(2026, 12, 4, 10, 0)
    assert due[REMINDER_DAY_OF] == _local(2026, 12, 5, 7, 0)  # 3 h before, not before 7:00
    afternoon = reminder_due_times(
        starts_at=_local(2026, 12, 5, 18, 0), time_zone="America/Chicago"
    )
    assert afternoon[REMINDER_DAY_OF] == _local(2026, 12, 5, 15, 0)
    early = reminder_due_times(starts_at=_local(2026, 12, 5, 6, 0), time_zone="America/Chicago")
    assert early[REMINDER_DAY_OF] == _local(2026, 12, 5, 5, 0)


def test_day_before_keeps_the_clock_time_across_a_dst_change():
    # Daylight saving time ends on Nov 1, 2026 in Chicago: 25 hours between the two 10:00s.
    due = reminder_due_times(starts_at=_local(2026, 11, 1, 10, 0), time_zone="America/Chicago")
    assert due[REMINDER_DAY_BEFORE] == _local(2026, 10, 31, 10, 0)
    assert _local(2026, 11, 1, 10, 0) - due[REMINDER_DAY_BEFORE] == timedelta(hours=25)
    assert due[REMINDER_DAY_BEFORE].tzinfo == UTC


# --- Scheduling --------------------------------------------------------------------------------


def test_rsvp_schedules_both_reminders_at_their_times(
    member, deferred, django_capture_on_commit_callbacks
):
    event = make_event(member)
    with django_capture_on_commit_callbacks(execute=True):
        attendance = attendance_rsvp(event=event, person=make_person("a@example.org")).attendance
    tasks = reminders_of(deferred, attendance.pk)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    assert sorted((t.args[1], t.task.run_after) for t in tasks) == sorted(
        (kind, when) for kind, when in due.items()
    )
    assert all(t.task.func is attendance_reminder_send.func for t in tasks)
    assert all(datetime.fromisoformat(t.args[2]) == shift.starts_at for t in tasks)
    # Only the confirmation went out now.
    assert len(mail.outbox) == 1


def test_waitlisted_rsvp_gets_no_reminders_until_promoted(
    member, deferred, django_capture_on_commit_callbacks
):
    event = make_event(member, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        going = attendance_rsvp(event=event, person=make_person("a@example.org")).attendance
        waiting = attendance_rsvp(event=event, person=make_person("b@example.org")).attendance
    assert reminders_of(deferred, waiting.pk) == []
    with django_capture_on_commit_callbacks(execute=True):
        attendance_cancel(attendance=going)
    assert len(reminders_of(deferred, waiting.pk)) == 2


def test_rsvp_inside_the_last_day_skips_the_day_before_reminder(
    member, deferred, django_capture_on_commit_callbacks
):
    event = make_event(member, starts_at=timezone.now() + timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        attendance = attendance_rsvp(event=event, person=make_person("a@example.org")).attendance
    assert [t.args[1] for t in reminders_of(deferred, attendance.pk)] == [REMINDER_DAY_OF]


def test_nothing_is_scheduled_when_the_transaction_rolls_back(
    member, deferred, django_capture_on_commit_callbacks
):
    from django.db import transaction

    event = make_event(member)

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        attendance_rsvp(event=event, person=make_person("a@example.org"))
        raise Boom
    assert callbacks == []
    assert deferred == []
    assert mail.outbox == []
    assert not Attendance.objects.exists()


# --- Sending: once, and only when still wanted ------------------------------------------------


def _scheduled(member, deferred, capture, **event_fields):
    event = make_event(member, **event_fields)
    with capture(execute=True):
        attendance = attendance_rsvp(event=event, person=make_person("a@example.org")).attendance
    mail.outbox.clear()
    tasks = {t.args[1]: t for t in reminders_of(deferred, attendance.pk)}
    return event, attendance, tasks


def test_a_reminder_task_run_twice_sends_one_email(
    member, deferred, django_capture_on_commit_callbacks
):
    _, attendance, tasks = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == "sent"
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == "already_sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("Tomorrow:")
    assert "/confirm/" in message.body and "/decline/" in message.body
    attendance.refresh_from_db()
    assert attendance.reminder_day_before_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_OF]) == "sent"
    assert mail.outbox[1].subject.startswith("Today:")
    assert len(mail.outbox) == 2


def test_no_reminder_for_a_cancelled_rsvp(member, deferred, django_capture_on_commit_callbacks):
    _, attendance, tasks = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    attendance_cancel(attendance=attendance)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == "not_confirmed"
    assert mail.outbox == []


def test_no_reminder_for_a_cancelled_event(member, deferred, django_capture_on_commit_callbacks):
    event, _, tasks = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_OF]) == "event_not_published"
    assert mail.outbox == []


def test_no_reminder_once_the_shift_started(member, deferred, django_capture_on_commit_callbacks):
    event, attendance, _ = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    shift = first_shift(event)
    outcome = attendance_reminder_deliver(
        attendance_id=attendance.pk,
        kind=REMINDER_DAY_OF,
        scheduled_starts_at=shift.starts_at,
        now=shift.starts_at + timedelta(minutes=1),
    )
    assert outcome == "too_late"


def test_reminders_follow_a_time_change(member, deferred, django_capture_on_commit_callbacks):
    event, attendance, old_tasks = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    # The day-before reminder went out for the old time, then the host moves the event.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(old_tasks[REMINDER_DAY_BEFORE]) == "sent"
    mail.outbox.clear()
    shift = first_shift(event)
    new_start = shift.starts_at + timedelta(days=2)
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    Event.objects.filter(pk=event.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    deferred.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_reminders_reschedule(event=event)
    event.refresh_from_db()
    assert event.calendar_sequence == 1
    new_tasks = {t.args[1]: t for t in reminders_of(deferred, attendance.pk)}
    due = reminder_due_times(starts_at=new_start, time_zone=event.time_zone)
    assert {kind: t.task.run_after for kind, t in new_tasks.items()} == due
    # The old tasks find the shift moved and do nothing; the new ones send, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(old_tasks[REMINDER_DAY_OF]) == "rescheduled"
        assert run_deferred(new_tasks[REMINDER_DAY_BEFORE]) == "sent"
        assert run_deferred(new_tasks[REMINDER_DAY_OF]) == "sent"
        assert run_deferred(new_tasks[REMINDER_DAY_OF]) == "already_sent"
    assert len(mail.outbox) == 2


def test_reschedule_without_a_real_change_sends_nothing_twice(
    member, deferred, django_capture_on_commit_callbacks
):
    event, attendance, old_tasks = _scheduled(member, deferred, django_capture_on_commit_callbacks)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    with django_capture_on_commit_callbacks(execute=True):
        # The worker ran the day-before reminder on time.
        sent = attendance_reminder_deliver(
            attendance_id=attendance.pk,
            kind=REMINDER_DAY_BEFORE,
            scheduled_starts_at=shift.starts_at,
            now=due[REMINDER_DAY_BEFORE],
        )
    assert sent == "sent"
    deferred.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_reminders_reschedule(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [run_deferred(t) for t in reminders_of(deferred, attendance.pk)]
        outcomes.append(run_deferred(old_tasks[REMINDER_DAY_OF]))
    assert sorted(outcomes) == ["already_sent", "already_sent", "sent"]
    assert len(mail.outbox) == 2


def test_promotion_from_the_waitlist_schedules_reminders_that_send(
    member, deferred, django_capture_on_commit_callbacks
):
    event = make_event(member, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        going = attendance_rsvp(event=event, person=make_person("a@example.org")).attendance
        waiting = attendance_rsvp(event=event, person=make_person("b@example.org")).attendance
        attendance_cancel(attendance=going)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # The cancelled person's reminders don't send; the promoted person's do.
        outcomes = [run_deferred(t) for t in reminders_of(deferred, going.pk)]
        promoted = [run_deferred(t) for t in reminders_of(deferred, waiting.pk)]
    # Cancelled before its confirmation mail went out: no reminders were even scheduled
    # (they are scheduled by the mail task); any that were must not send.
    assert "sent" not in outcomes
    assert promoted == ["sent", "sent"]
    assert {m.to[0] for m in mail.outbox} == {"b@example.org"}
