"""Hosting tasks: thin, take ids, idempotent (the service records each batch it sends)."""

from __future__ import annotations

from django.tasks import task

from groundswell.events.hosting.services.messages import event_message_batch_deliver


@task
def event_message_batch_send(message_id: int, batch: int) -> int:
    """Send one batch of a message to an event's attendees; running it twice sends once."""
    return event_message_batch_deliver(message_id=message_id, batch=batch)
