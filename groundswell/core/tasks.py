"""Thin tasks: take plain data or ids, call code that does the work."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from groundswell.core.mail import email_from_data


@task
def email_send(message_data: dict[str, Any]) -> int:
    """Deliver one message through the configured mailer. A failure raises, so the backend
    records it as failed and an operator can see it rather than it vanishing."""
    return email_from_data(message_data).send()
