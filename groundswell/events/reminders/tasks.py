"""Events tasks: thin, take ids, idempotent. Enqueued after commit by services_rsvp."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.tasks import task

from groundswell.events import services_reminders, services_rsvp


@task
def shift_reminders_send(shift_id: int, kind: str, starts_at: str) -> dict[str, int] | str:
    """Send a shift's reminder of one kind, due at its time (run_after). `starts_at` is the
    shift's start when it was queued: if the shift has moved since, this task does nothing
    (the one queued for the new time sends). Running it twice sends one email per person."""
    return services_reminders.shift_reminders_deliver(
        shift_id=shift_id, kind=kind, scheduled_starts_at=datetime.fromisoformat(starts_at)
    )


@task
def reminders_plan() -> dict[str, Any]:
    """Hourly: queue the reminders due in the next two hours, and the next run."""
    return services_reminders.reminders_plan_run()


@task
def attendance_email_send(attendance_id: int, kind: str, language: str) -> str:
    """The confirmation or waitlist mail of one RSVP (built here, not in the request)."""
    return services_rsvp.attendance_email_send(
        attendance_id=attendance_id, kind=kind, language=language
    )
