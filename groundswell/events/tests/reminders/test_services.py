"""Reminders: due the day before and on the day, sent by tasks due at those times, never
twice, never for cancelled RSVPs or events, and following the event when its time changes.

The queue holds only the reminders due in the next couple of hours: one task per shift and
kind, queued by the hourly planner or, for a shift created or moved inside the planned window,
at once (decision 0016)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from groundswell.events.models import Attendance, Event, ReminderPlan, Shift
from groundswell.events.reminders.services import (
    PLAN_AHEAD,
    PLAN_EVERY,
    REMINDER_DAY_BEFORE,
    REMINDER_DAY_OF,
    attendance_reminder_deliver,
    event_reminders_reschedule,
    reminder_due_times,
    reminders_plan_run,
    shift_reminders_deliver,
)
from groundswell.events.reminders.tasks import reminders_plan, shift_reminders_send
from groundswell.events.rsvp.services import attendance_cancel, attendance_rsvp
from groundswell.events.testing import (
    PLACE_CHICAGO,
    first_shift,
    host_event,
    make_event,
    make_person,
    run_deferred,
    shift_reminders,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")


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


# --- Planning: the queue holds the next couple of hours, not every future event ------------


def _plan(now):
    """Run the planner at `now` and let what it queued after commit reach the queue."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders_plan_run(now=now)


def _planned(deferred, shift, now):
    """Run the planner at `now`; the shift reminder tasks it queued for `shift`, by kind."""
    before = len(deferred)
    _plan(now)
    return {t.args[1]: t for t in shift_reminders(deferred[before:], shift.pk)}


def test_an_rsvp_queues_no_reminder_task(member, deferred, django_capture_on_commit_callbacks):
    event = make_event(member, place=PLACE_CHICAGO)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_rsvp(event=event, person=make_person("a@example.org"))
    assert deferred == []
    assert len(mail.outbox) == 1  # only the confirmation


def test_the_planner_queues_each_reminder_shortly_before_it_is_due(member, deferred):
    event = make_event(member, place=PLACE_CHICAGO)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    # Two days before the day-before reminder: nothing of this shift is queued.
    assert _planned(deferred, shift, due[REMINDER_DAY_BEFORE] - timedelta(days=2)) == {}
    # An hour before it, it is queued, due at its time, naming the shift's start.
    queued = _planned(deferred, shift, due[REMINDER_DAY_BEFORE] - timedelta(hours=1))
    assert list(queued) == [REMINDER_DAY_BEFORE]
    task = queued[REMINDER_DAY_BEFORE]
    assert task.task.func is shift_reminders_send.func
    assert task.task.run_after == due[REMINDER_DAY_BEFORE]
    assert datetime.fromisoformat(task.args[2]) == shift.starts_at
    # The planner never queues the same reminder twice, however often it runs.
    assert _planned(deferred, shift, due[REMINDER_DAY_BEFORE] - timedelta(minutes=30)) == {}
    queued = _planned(deferred, shift, due[REMINDER_DAY_OF] - timedelta(minutes=90))
    assert {kind: t.task.run_after for kind, t in queued.items()} == {
        REMINDER_DAY_OF: due[REMINDER_DAY_OF]
    }


def test_the_queue_holds_hours_not_every_future_event(member, deferred):
    """A hundred future events, one a day: a planner run queues a window's reminders."""
    now = timezone.now()
    for day in range(100):
        make_event(member, place=PLACE_CHICAGO, starts_at=now + timedelta(days=day, hours=5))
    _plan(now)
    # Within the next PLAN_AHEAD: at most one event's day-before reminder, and none of the
    # others' (the first event's day-of reminder is due in 2-4 hours).
    assert len(shift_reminders(deferred)) <= 2
    assert all(t.task.run_after < now + PLAN_AHEAD for t in shift_reminders(deferred))


def test_the_planner_keeps_one_schedule(member, deferred):
    now = timezone.now()
    _plan(now)
    _plan(now)  # a duplicate run, or serve restarted
    later = _plan(now + timedelta(minutes=20))
    runs = [t for t in deferred if t.task.func is reminders_plan.func]
    assert [t.task.run_after for t in runs] == [now + PLAN_EVERY]
    assert later["next_run_queued"] is False
    plan = ReminderPlan.objects.get()
    assert plan.planned_until == now + timedelta(minutes=20) + PLAN_AHEAD
    # The queued run, at its time, queues the next one.
    assert _plan(now + PLAN_EVERY)["next_run_queued"] is True
    runs = [t for t in deferred if t.task.func is reminders_plan.func]
    assert [t.task.run_after for t in runs] == [now + PLAN_EVERY, now + 2 * PLAN_EVERY]


def test_after_an_outage_the_planner_catches_up_what_is_still_useful(member, deferred):
    now = _noon_in_two_days(CHICAGO)
    _plan(now - timedelta(days=3))  # then the worker was down for 3 days
    soon = make_event(
        member, place=PLACE_CHICAGO, starts_at=now + timedelta(hours=10)
    )  # 22:00 today
    tomorrow = make_event(
        member, place=PLACE_CHICAGO, starts_at=now + timedelta(hours=20)
    )  # 08:00 tomorrow
    _plan(now)
    # Tonight's day-before reminder was due 14 h ago, before the catch-up window
    # (PLAN_CATCH_UP, 12 h); tomorrow morning's was due 4 h ago: it goes now. Neither
    # day-of reminder is due within the next two hours.
    assert shift_reminders(deferred, first_shift(soon).pk) == []
    [late] = shift_reminders(deferred, first_shift(tomorrow).pk)
    assert (late.args[1], late.task.run_after) == (REMINDER_DAY_BEFORE, now)
    assert ReminderPlan.objects.get().planned_until == now + PLAN_AHEAD


def test_the_planner_skips_cancelled_events(member, deferred):
    event = make_event(member, place=PLACE_CHICAGO, status=Event.Status.CANCELLED)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    assert _planned(deferred, shift, due[REMINDER_DAY_BEFORE] - timedelta(minutes=5)) == {}


def test_an_event_created_inside_the_planned_window_is_queued_at_once(
    member, organizer, deferred, django_capture_on_commit_callbacks
):
    now = _noon_in_two_days(NEW_YORK)
    _plan(now)
    deferred.clear()
    soon_start, far_start = now + timedelta(hours=3, minutes=30), now + timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        soon, later = (
            host_event(
                organizer,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                time_zone="America/New_York",
                now=now,
            )
            for start in (soon_start, far_start)
        )
    [task] = shift_reminders(deferred, first_shift(soon).pk)
    # Due 3 hours before; the day-before one is long past.
    assert (task.args[1], task.task.run_after) == (REMINDER_DAY_OF, now + timedelta(minutes=30))
    assert shift_reminders(deferred, first_shift(later).pk) == []


# --- Sending: once per person, and only when still wanted ------------------------------------


def _queued_for(member, deferred, capture, *, people=1, **event_fields):
    """An event with `people` confirmed RSVPs, and its shift's two reminder tasks as the
    planner queues them (by kind)."""
    event = make_event(member, place=PLACE_CHICAGO, **event_fields)
    with capture(execute=True):
        attendances = [
            attendance_rsvp(event=event, person=make_person(f"p{n}@example.org")).attendance
            for n in range(people)
        ]
    mail.outbox.clear()
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    tasks = _planned(deferred, shift, due[REMINDER_DAY_BEFORE] - timedelta(minutes=5))
    tasks |= _planned(deferred, shift, due[REMINDER_DAY_OF] - timedelta(minutes=5))
    return event, attendances, tasks


def test_a_shift_reminder_goes_to_each_attendee_once(
    member, deferred, django_capture_on_commit_callbacks
):
    _, attendances, tasks = _queued_for(
        member, deferred, django_capture_on_commit_callbacks, people=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == {"sent": 3}
        # Run twice (or queued twice): nobody is reminded twice.
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == {}
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.org" for n in range(3)]
    message = mail.outbox[0]
    assert message.subject.startswith("Tomorrow:")
    assert "/confirm/" in message.body and "/decline/" in message.body
    for attendance in attendances:
        attendance.refresh_from_db()
        assert attendance.reminder_day_before_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_OF]) == {"sent": 3}
    assert mail.outbox[3].subject.startswith("Today:")
    assert len(mail.outbox) == 6


def test_a_reminder_run_twice_for_one_person_sends_one_email(
    member, deferred, django_capture_on_commit_callbacks
):
    event, [attendance], _ = _queued_for(member, deferred, django_capture_on_commit_callbacks)
    shift = first_shift(event)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [
            attendance_reminder_deliver(
                attendance_id=attendance.pk,
                kind=REMINDER_DAY_BEFORE,
                scheduled_starts_at=shift.starts_at,
            )
            for _ in range(2)
        ]
    assert outcomes == ["sent", "already_sent"]
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_cancelled_or_waitlisted_rsvp(
    member, deferred, django_capture_on_commit_callbacks
):
    event, [attendance], tasks = _queued_for(
        member, deferred, django_capture_on_commit_callbacks, capacity=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        waiting = attendance_rsvp(event=event, person=make_person("w@example.org")).attendance
    assert waiting.status == Attendance.Status.WAITLISTED
    mail.outbox.clear()
    attendance_cancel(attendance=attendance)  # promotes the waitlisted person
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_BEFORE]) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [["w@example.org"]]


def test_no_reminder_for_a_cancelled_event(member, deferred, django_capture_on_commit_callbacks):
    event, _, tasks = _queued_for(member, deferred, django_capture_on_commit_callbacks)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(tasks[REMINDER_DAY_OF]) == "event_not_published"
    assert mail.outbox == []


def test_no_reminder_once_too_late(member, deferred, django_capture_on_commit_callbacks):
    event, [attendance], _ = _queued_for(member, deferred, django_capture_on_commit_callbacks)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)

    def deliver(kind, now):
        return attendance_reminder_deliver(
            attendance_id=attendance.pk, kind=kind, scheduled_starts_at=shift.starts_at, now=now
        )

    assert deliver(REMINDER_DAY_OF, shift.starts_at + timedelta(minutes=1)) == "too_late"
    # No "Tomorrow: ..." once the day-of reminder is due.
    assert deliver(REMINDER_DAY_BEFORE, due[REMINDER_DAY_OF]) == "too_late"
    assert mail.outbox == []


def _move(event, shift, new_start):
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    Event.objects.filter(pk=event.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )


def test_reminders_follow_a_time_change(member, deferred, django_capture_on_commit_callbacks):
    event, [attendance], old_tasks = _queued_for(
        member, deferred, django_capture_on_commit_callbacks
    )
    shift = first_shift(event)
    old_due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    # The day-before reminder went out for the old time, then the host moves the event two
    # days later.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(old_tasks[REMINDER_DAY_BEFORE]) == {"sent": 1}
    mail.outbox.clear()
    new_start = shift.starts_at + timedelta(days=2)
    _move(event, shift, new_start)
    deferred.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_reminders_reschedule(event=event, now=old_due[REMINDER_DAY_BEFORE])
    event.refresh_from_db()
    assert event.calendar_sequence == 1
    # Nothing of the new time is due inside the planned window: the planner queues them.
    assert shift_reminders(deferred) == []
    attendance.refresh_from_db()
    assert attendance.reminder_day_before_sent_at is None  # it was about the old time
    new_due = reminder_due_times(starts_at=new_start, time_zone=event.time_zone)
    new_tasks = _planned(deferred, shift, new_due[REMINDER_DAY_BEFORE] - timedelta(minutes=5))
    new_tasks |= _planned(deferred, shift, new_due[REMINDER_DAY_OF] - timedelta(minutes=5))
    assert {kind: t.task.run_after for kind, t in new_tasks.items()} == new_due
    # The old tasks find the shift moved and do nothing; the new ones send, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(old_tasks[REMINDER_DAY_OF]) == "rescheduled"
        assert run_deferred(new_tasks[REMINDER_DAY_BEFORE]) == {"sent": 1}
        assert run_deferred(new_tasks[REMINDER_DAY_OF]) == {"sent": 1}
        assert run_deferred(new_tasks[REMINDER_DAY_OF]) == {}
    assert len(mail.outbox) == 2


def _noon_in_two_days(zone: ZoneInfo) -> datetime:
    """A fixed time of day for tests whose outcome depends on it (the day-of rule)."""
    day = (timezone.now() + timedelta(days=2)).astimezone(zone).date()
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=zone)


def test_a_move_into_the_planned_window_is_queued_at_once(
    member, deferred, django_capture_on_commit_callbacks
):
    now = _noon_in_two_days(CHICAGO)
    event = make_event(member, place=PLACE_CHICAGO, starts_at=now + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        attendance_rsvp(event=event, person=make_person("a@example.org"))
    _plan(now)
    shift = first_shift(event)
    assert shift_reminders(deferred, shift.pk) == []
    new_start = now + timedelta(hours=3, minutes=30)
    _move(event, shift, new_start)
    with django_capture_on_commit_callbacks(execute=True):
        event_reminders_reschedule(event=event, now=now)
    [task] = shift_reminders(deferred, shift.pk)
    assert (task.args[1], task.task.run_after) == (REMINDER_DAY_OF, now + timedelta(minutes=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_deferred(task) == {"sent": 1}
    assert mail.outbox[0].subject.startswith("Today:")


def test_reschedule_without_a_real_change_sends_nothing_twice(
    member, deferred, django_capture_on_commit_callbacks
):
    event, [attendance], tasks = _queued_for(member, deferred, django_capture_on_commit_callbacks)
    shift = first_shift(event)
    due = reminder_due_times(starts_at=shift.starts_at, time_zone=event.time_zone)
    with django_capture_on_commit_callbacks(execute=True):
        # The worker ran the day-before reminder on time.
        sent = shift_reminders_deliver(
            shift_id=shift.pk,
            kind=REMINDER_DAY_BEFORE,
            scheduled_starts_at=shift.starts_at,
            now=due[REMINDER_DAY_BEFORE],
        )
        assert sent == {"sent": 1}
        event_reminders_reschedule(event=event, now=due[REMINDER_DAY_BEFORE])
        # Queued again for the same time (the window was planned): nobody hears twice.
        again = shift_reminders(deferred, shift.pk)[len(tasks) :]
        outcomes = [run_deferred(t) for t in again]
        assert run_deferred(tasks[REMINDER_DAY_OF]) == {"sent": 1}
    assert all(outcome == {} for outcome in outcomes)
    attendance.refresh_from_db()
    assert attendance.reminder_day_before_sent_at is not None
    assert len(mail.outbox) == 2


def test_nothing_is_queued_when_the_transaction_rolls_back(
    member, deferred, django_capture_on_commit_callbacks
):
    from django.db import transaction

    now = _noon_in_two_days(CHICAGO)
    _plan(now)
    event = make_event(member, place=PLACE_CHICAGO, starts_at=now + timedelta(minutes=90))

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        event_reminders_reschedule(event=event, now=now)
        raise Boom
    assert shift_reminders(deferred) == []
    # The same call, committed, queues the day-of reminder (due already: at once).
    with django_capture_on_commit_callbacks(execute=True):
        event_reminders_reschedule(event=event, now=now)
    [task] = shift_reminders(deferred)
    assert (task.args[1], task.task.run_after) == (REMINDER_DAY_OF, now)


# --- On the real database queue, through the worker ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_due_reminder_once(member, settings):
    from django.core.management import call_command
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # Starting in 2 hours, in a zone where it is daytime now: the day-of reminder (3 hours
    # before) is due already; the day-before one, on the same date, is not sent any more.
    zone = next(
        zone
        for zone in ("Asia/Tokyo", "Europe/Paris", "America/Chicago")
        if 8 <= timezone.now().astimezone(ZoneInfo(zone)).hour < 20
    )
    event = make_event(
        member, place=PLACE_CHICAGO, starts_at=timezone.now() + timedelta(hours=2), time_zone=zone
    )
    attendance_rsvp(event=event, person=make_person("a@example.org"))
    out = io.StringIO()
    call_command("plan_reminders", stdout=out)
    assert "Queued 1 shift reminder(s)" in out.getvalue()
    call_command("plan_reminders", stdout=io.StringIO())  # again: nothing more
    queued = DBTaskResult.objects.filter(task_path=shift_reminders_send.module_path)
    assert queued.count() == 1
    for _ in range(2):
        call_command("db_worker", batch=True, no_startup_delay=True, no_reload=True, verbosity=0)
    assert queued.get().status == TaskResultStatus.SUCCESSFUL
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["You're going", "Today"]
    # The planner's next run waits for its hour; nothing else is left.
    [next_run] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert next_run.task_path == reminders_plan.module_path
