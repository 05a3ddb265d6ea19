"""Reminder tasks: thin, take ids, idempotent. Queued by the reminder services (decision 0016)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.tasks import task

from groundswell.events.reminders import services


@task
def shift_reminders_send(shift_id: int, kind: str, starts_at: str) -> dict[str, int] | str:
    """Send a shift's reminder of one kind, due at its time (run_after). `starts_at` is the
    shift's start when it was queued: if the shift has moved since, this task does nothing
    (the one queued for the new time sends). Running it twice sends one email per person."""
    return services.shift_reminders_deliver(
        shift_id=shift_id, kind=kind, scheduled_starts_at=datetime.fromisoformat(starts_at)
    )


@task
def reminders_plan() -> dict[str, Any]:
    """Hourly: queue the reminders due in the next two hours, and the next run."""
    return services.reminders_plan_run()
