"""Thin tasks: ids in, call a service. Each is safe to run twice."""

from __future__ import annotations

from django.tasks import task

from groundswell.groups.services import group_announcement_batch_deliver


@task
def group_announcement_batch_send(announcement_id: int, batch: int) -> int:
    """Mail one batch of an announcement; a second run sends nothing more."""
    return group_announcement_batch_deliver(announcement_id=announcement_id, batch=batch)
