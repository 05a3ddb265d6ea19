"""RSVP tasks: thin, take ids, idempotent. Enqueued after commit by the RSVP services."""

from __future__ import annotations

from django.tasks import task

from groundswell.events.rsvp import services


@task
def attendance_email_send(attendance_id: int, kind: str, language: str) -> str:
    """The confirmation or waitlist mail of one RSVP (built here, not in the request)."""
    return services.attendance_email_send(attendance_id=attendance_id, kind=kind, language=language)
