"""Event reminders: the day before (with confirm / can't make it buttons) and on the day.

Reminders are tasks due at their time (`run_after`), one per shift and kind, queued shortly
before they are due (decision 0016). An hourly planner task queues those due in the next
PLAN_AHEAD; when a shift is created or moved inside the window already planned, the shift's
reminders are queued at once. So the queue holds a few hours of reminders, not a row per RSVP
for every future event (a worker polling a queue of a million future rows spent half a second
a poll).

A shift's reminder task sends to the shift's confirmed attendees, each in its own
transaction under a row lock that re-checks everything and sets a sent-at flag: a task run
twice, or queued twice, sends one email per person. A task whose shift has moved since it
was queued does nothing; the reminders queued for the new time send.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.core.queue import task_enqueue_on_commit
from groundswell.events.display import person_mailable
from groundswell.events.models import Attendance, Event, ReminderPlan, Shift
from groundswell.events.rsvp import emails

logger = logging.getLogger(__name__)

REMINDER_DAY_BEFORE = "day_before"
REMINDER_DAY_OF = "day_of"
REMINDER_KINDS = (REMINDER_DAY_BEFORE, REMINDER_DAY_OF)
REMINDER_SENT_FIELDS = {
    REMINDER_DAY_BEFORE: "reminder_day_before_sent_at",
    REMINDER_DAY_OF: "reminder_day_of_sent_at",
}
# The day-of reminder: three hours before, not before 7:00 in the event's zone unless the
# event starts before 8:00 (then an hour before).
DAY_OF_LEAD = timedelta(hours=3)
DAY_OF_EARLIEST = time(7, 0)
DAY_OF_EARLY_LEAD = timedelta(hours=1)
# So a reminder is due between 1 h (day of) and 25 h (day before, across a DST change)
# before its shift starts: the planner looks at the shifts starting in that range.
LEAD_MIN = timedelta(hours=1)
LEAD_MAX = timedelta(hours=25)
# After a time change, a reminder sent more than this long before its new due time was about
# the old time: it is cleared so the reminder goes out again for the new time.
RESEND_TOLERANCE = timedelta(hours=1)
# The planner runs every PLAN_EVERY and queues what is due in the next PLAN_AHEAD; after an
# outage it catches up at most PLAN_CATCH_UP (older reminders have lost their point).
PLAN_AHEAD = timedelta(hours=2)
PLAN_EVERY = timedelta(hours=1)
PLAN_CATCH_UP = timedelta(hours=12)
# /healthz calls the schedule stale once the next run is this much overdue.
PLAN_STALE = timedelta(hours=1)
# A write transaction lasts far less than this: a shift whose reminders are all due later
# than now + PLAN_AHEAD + this cannot be overtaken by a planner run during it.
PLAN_RACE_MARGIN = timedelta(hours=1)


def reminder_due_times(*, starts_at: datetime, time_zone: str) -> dict[str, datetime]:
    """When each reminder is due for a shift starting at `starts_at` (aware, any zone).

    The day-before reminder goes at the same wall-clock time the day before, in the event's
    zone (so a daylight-saving change in between does not shift it by an hour).
    """
    zone = ZoneInfo(time_zone)
    local = starts_at.astimezone(zone)
    day_before = (local - timedelta(days=1)).astimezone(zone)
    day_of = local - DAY_OF_LEAD
    earliest = datetime.combine(local.date(), DAY_OF_EARLIEST, tzinfo=zone)
    if day_of < earliest:
        day_of = min(earliest, local - DAY_OF_EARLY_LEAD)
    return {
        REMINDER_DAY_BEFORE: day_before.astimezone(UTC),
        REMINDER_DAY_OF: day_of.astimezone(UTC),
    }


def _reminder_still_useful(
    *, kind: str, starts_at: datetime, time_zone: str, due: dict[str, datetime], now: datetime
) -> bool:
    """A reminder sent late still helps until the shift starts, except that "Tomorrow: ..."
    goes only while it is still the day before (in the event's zone) and the day-of reminder
    is not due yet."""
    if kind == REMINDER_DAY_BEFORE:
        zone = ZoneInfo(time_zone)
        return (
            now < due[REMINDER_DAY_OF]
            and now.astimezone(zone).date() < starts_at.astimezone(zone).date()
        )
    return now < starts_at


def _defer_supported() -> bool:
    from groundswell.events.reminders.tasks import shift_reminders_send

    if shift_reminders_send.get_backend().supports_defer:
        return True
    # Only the test suite's immediate backend lacks run_after; running a reminder now would
    # send it a day early, so it is left out.
    logger.warning("task backend cannot defer tasks; reminders not queued")
    return False


def _shift_reminder_enqueue(
    *, shift_id: int, kind: str, starts_at: datetime, due: datetime, now: datetime
) -> None:
    """Queue one shift's reminder of one kind, due at `due` (now if that has passed), when
    the current transaction commits."""
    from groundswell.events.reminders.tasks import shift_reminders_send

    task_enqueue_on_commit(
        shift_reminders_send.using(run_after=max(due, now)),
        shift_id,
        kind,
        starts_at.isoformat(),
    )


def _plan_locked() -> ReminderPlan:
    plan, _ = ReminderPlan.objects.select_for_update().get_or_create(pk=1)
    return plan


# --- Planning -------------------------------------------------------------------------------


def reminders_plan_run(*, now: datetime | None = None) -> dict[str, Any]:
    """The planner: queue the reminders due before now + PLAN_AHEAD not queued yet, and make
    sure the next run is queued. Run by its task every hour and by `groundswell serve` at
    start-up; running it twice, or two at once, queues nothing twice that matters (a shift's
    reminder queued twice still sends once per person) and keeps one schedule.
    """
    from groundswell.events.reminders.tasks import reminders_plan

    now = now or timezone.now()
    if not _defer_supported():
        return {"queued": 0}
    # The next run first, in its own transaction: a failure below must not end the schedule.
    with transaction.atomic():
        plan = _plan_locked()
        next_queued = plan.next_run_at is None or plan.next_run_at <= now
        if next_queued:
            plan.next_run_at = now + PLAN_EVERY
            plan.save(update_fields=["next_run_at", "updated_at"])
            task_enqueue_on_commit(reminders_plan.using(run_after=plan.next_run_at))
    with transaction.atomic():
        plan = _plan_locked()
        # The first run ever, too, looks back: events may have been created before it.
        start = max(plan.planned_until or now - PLAN_CATCH_UP, now - PLAN_CATCH_UP)
        until = now + PLAN_AHEAD
        queued = 0
        if start < until:
            queued = _window_enqueue(start=start, until=until, now=now)
            plan.planned_until = until
            plan.save(update_fields=["planned_until", "updated_at"])
    logger.info("reminders planned until %s: %d queued", until, queued)
    return {"queued": queued, "next_run_queued": next_queued}


def reminders_plan_health(*, now: datetime | None = None) -> dict[str, Any]:
    """For /healthz: is the planner's schedule alive? Not once its next run is more than
    PLAN_STALE overdue (its queued run was lost, or no worker runs), or if it never ran
    where the queue can hold tasks due later: then reminders stop going out."""
    from groundswell.events.reminders.tasks import reminders_plan

    if not reminders_plan.get_backend().supports_defer:
        return {"ok": True, "planned": False}
    now = now or timezone.now()
    plan = ReminderPlan.objects.filter(pk=1).first()
    if plan is None or plan.next_run_at is None:
        return {"ok": False, "planned": False}
    return {
        "ok": plan.next_run_at > now - PLAN_STALE,
        "planned_until": plan.planned_until.isoformat() if plan.planned_until else None,
        "next_run_at": plan.next_run_at.isoformat(),
    }


def _window_enqueue(*, start: datetime, until: datetime, now: datetime) -> int:
    """Queue every shift reminder due in [start, until) that is still worth sending."""
    shifts = (
        Shift.objects.filter(
            starts_at__gte=max(start + LEAD_MIN, now), starts_at__lt=until + LEAD_MAX
        )
        .exclude(event__status__in=[Event.Status.CANCELLED, Event.Status.REJECTED])
        .order_by()
        .values_list("pk", "starts_at", "event__time_zone")
    )
    queued = 0
    for shift_id, starts_at, time_zone in shifts.iterator(chunk_size=1000):
        due = reminder_due_times(starts_at=starts_at, time_zone=time_zone)
        for kind, when in due.items():
            if start <= when < until and _reminder_still_useful(
                kind=kind, starts_at=starts_at, time_zone=time_zone, due=due, now=now
            ):
                _shift_reminder_enqueue(
                    shift_id=shift_id, kind=kind, starts_at=starts_at, due=when, now=now
                )
                queued += 1
    return queued


def shift_reminders_plan(
    *, shifts: Iterable[Shift], time_zone: str, now: datetime | None = None
) -> None:
    """Shifts just created or moved: queue those of their reminders due inside the window the
    planner has already passed (the planner queues the later ones). Call it inside the
    transaction that writes the shifts.

    The plan row is locked only when a reminder is due soon: then a planner run committing
    meanwhile cannot miss the new time (it reads the shifts before this commits).
    """
    now = now or timezone.now()
    horizon = now + PLAN_AHEAD + PLAN_RACE_MARGIN
    soon = []
    for shift in shifts:
        if shift.starts_at <= now:
            continue
        due = reminder_due_times(starts_at=shift.starts_at, time_zone=time_zone)
        if min(due.values()) < horizon:
            soon.append((shift, due))
    if not soon or not _defer_supported():
        return
    with transaction.atomic():
        planned_until = _plan_locked().planned_until
        if planned_until is None:
            return  # The planner has never run: its first run queues these.
        for shift, due in soon:
            for kind, when in due.items():
                if when < planned_until and _reminder_still_useful(
                    kind=kind, starts_at=shift.starts_at, time_zone=time_zone, due=due, now=now
                ):
                    _shift_reminder_enqueue(
                        shift_id=shift.pk, kind=kind, starts_at=shift.starts_at, due=when, now=now
                    )


def event_reminders_reschedule(*, event: Event, now: datetime | None = None) -> None:
    """After an event's or a shift's time changed: reminders follow the new times.

    Bumps the event's calendar SEQUENCE, clears reminders that were sent for the old time,
    and queues the reminders of the new times that are due soon (the planner queues the
    others); tasks queued for the old time find the shift moved and do nothing. Telling
    attendees about the change is the caller's message.
    """
    now = now or timezone.now()
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(calendar_sequence=F("calendar_sequence") + 1)
        time_zone = Event.objects.values_list("time_zone", flat=True).get(pk=event.pk)
        shifts = list(Shift.objects.filter(event_id=event.pk, starts_at__gt=now))
        rows = Attendance.objects.filter(
            shift__in=shifts, status=Attendance.Status.CONFIRMED
        ).values_list("pk", "shift_id", *REMINDER_SENT_FIELDS.values())
        due_by_shift = {
            shift.pk: reminder_due_times(starts_at=shift.starts_at, time_zone=time_zone)
            for shift in shifts
        }
        stale: dict[str, list[int]] = {kind: [] for kind in REMINDER_KINDS}
        for attendance_id, shift_id, *sent_times in rows:
            due = due_by_shift[shift_id]
            for kind, sent in zip(REMINDER_SENT_FIELDS, sent_times, strict=True):
                if sent is not None and sent < due[kind] - RESEND_TOLERANCE:
                    stale[kind].append(attendance_id)
        for kind, ids in stale.items():
            if ids:
                Attendance.objects.filter(pk__in=ids).update(**{REMINDER_SENT_FIELDS[kind]: None})
        shift_reminders_plan(shifts=shifts, time_zone=time_zone, now=now)


# --- Sending (called by the task) -----------------------------------------------------------


def shift_reminders_deliver(
    *,
    shift_id: int,
    kind: str,
    scheduled_starts_at: datetime,
    now: datetime | None = None,
) -> dict[str, int] | str:
    """Send a shift's reminder of `kind` to each confirmed attendee not yet reminded; returns
    how many were sent or skipped, by reason, or why the whole shift was skipped."""
    if kind not in REMINDER_SENT_FIELDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    shift = Shift.objects.select_related("event").filter(pk=shift_id).first()
    if shift is None:
        return "missing"
    if shift.starts_at != scheduled_starts_at:
        return "rescheduled"
    if shift.event.status != Event.Status.PUBLISHED:
        return "event_not_published"
    pending = list(
        Attendance.objects.filter(
            shift_id=shift_id,
            status=Attendance.Status.CONFIRMED,
            **{f"{REMINDER_SENT_FIELDS[kind]}__isnull": True},
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    outcomes: Counter[str] = Counter()
    for attendance_id in pending:
        outcome = attendance_reminder_deliver(
            attendance_id=attendance_id,
            kind=kind,
            scheduled_starts_at=scheduled_starts_at,
            now=now,
        )
        outcomes[outcome] += 1
    return dict(outcomes)


def attendance_reminder_deliver(
    *,
    attendance_id: int,
    kind: str,
    scheduled_starts_at: datetime,
    now: datetime | None = None,
) -> str:
    """Send one person's reminder if it is still wanted; returns "sent" or why it was skipped.

    Under a row lock: the attendance is still confirmed, the event published, the shift
    still starts when the task was queued for (else a rescheduled task sends), the reminder
    not yet sent and still useful. Then the flag is set and the mail queued in the same
    transaction, so two runs send one email.
    """
    if kind not in REMINDER_SENT_FIELDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    field = REMINDER_SENT_FIELDS[kind]
    now = now or timezone.now()
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("event", "shift", "person")
            .filter(pk=attendance_id)
            .first()
        )
        if attendance is None:
            return "missing"
        if attendance.status != Attendance.Status.CONFIRMED:
            return "not_confirmed"
        if attendance.event.status != Event.Status.PUBLISHED:
            return "event_not_published"
        if attendance.shift.starts_at != scheduled_starts_at:
            return "rescheduled"
        if getattr(attendance, field) is not None:
            return "already_sent"
        starts_at, time_zone = attendance.shift.starts_at, attendance.event.time_zone
        due = reminder_due_times(starts_at=starts_at, time_zone=time_zone)
        if not _reminder_still_useful(
            kind=kind, starts_at=starts_at, time_zone=time_zone, due=due, now=now
        ):
            return "too_late"
        if not person_mailable(attendance.person):
            return "undeliverable"
        setattr(attendance, field, now)
        attendance.save(update_fields=[field, "updated_at"])
        with translation.override(recipient_language(attendance.person)):
            email_enqueue(emails.rsvp_reminder_email(attendance=attendance, kind=kind))
    return "sent"
