"""Events tasks: thin, take ids, idempotent. Enqueued after commit by services_rsvp."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task

from groundswell.events import services_rsvp


@task
def attendance_reminder_send(attendance_id: int, kind: str, starts_at: str) -> str:
    """Send one reminder, due at its time (run_after). `starts_at` is the shift's start when
    it was scheduled: if the shift has moved since, this task does nothing (the task
    scheduled by event_reminders_reschedule sends). Running it twice sends one email."""
    return services_rsvp.attendance_reminder_deliver(
        attendance_id=attendance_id,
        kind=kind,
        scheduled_starts_at=datetime.fromisoformat(starts_at),
    )


@task
def attendance_email_send(attendance_id: int, kind: str, language: str) -> str:
    """The confirmation or waitlist mail of one RSVP (built here, not in the request)."""
    return services_rsvp.attendance_email_send(
        attendance_id=attendance_id, kind=kind, language=language
    )
