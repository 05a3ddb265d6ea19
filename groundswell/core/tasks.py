"""Thin tasks: take plain data or ids, call code that does the work.

Also the upkeep of the task results themselves (decision 0014): `task_results_prune` runs
daily, deletes finished results past their retention (an `email_send` result holds the whole
message: addresses and body) and expired idempotency keys (decision 0021), and queues its own
next run.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import TaskResultStatus, task, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from groundswell.core.idempotency import idempotency_keys_delete_expired
from groundswell.core.mail import email_deliver, email_from_data
from groundswell.core.queue import task_enqueue_on_commit

logger = logging.getLogger(__name__)

# Failed results are kept at least this long, so an operator can still read why a task failed.
FAILED_RESULT_RETENTION_MIN_DAYS = 30
# Rows deleted per statement. Each batch commits on its own, so SQLite's single writer lock is
# held for milliseconds at a time and requests interleave with a large first prune.
PRUNE_BATCH_SIZE = 500
# The daily run is due at this hour of settings.TIME_ZONE, when a campaign site is quiet.
PRUNE_HOUR = 3
# With RQ, the id of the queued run: checking it is one lookup, where scanning the scheduled
# registry would fetch every queued event reminder.
PRUNE_NEXT_CACHE_KEY = "core:task_results_prune:next"


@task
def email_send(message_data: dict[str, Any]) -> int:
    """Deliver one message through the configured mailer. A failure raises, so the backend
    records it as failed and an operator can see it rather than it vanishing."""
    return email_deliver(email_from_data(message_data))


@task
def task_results_prune() -> dict[str, int]:
    """Daily: delete expired task results and idempotency keys, then queue the next run
    unless one is queued already. Running it twice deletes nothing more and queues nothing
    more."""
    try:
        try:
            counts = task_results_delete_expired()
        finally:
            # Even when the task results could not be pruned (RQ unreachable): keys are rows
            # in this database. Decision 0021.
            idempotency_keys = idempotency_keys_delete_expired()
        return {**counts, "idempotency_keys": idempotency_keys}
    finally:
        # Even after a failed prune, so one bad night doesn't stop the schedule.
        task_results_prune_schedule()


def task_results_delete_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete succeeded results finished more than TASK_RESULT_RETENTION_DAYS ago and failed
    ones more than max(that, FAILED_RESULT_RETENTION_MIN_DAYS) ago. Unfinished results (ready,
    running) are never touched. Covers the database queue's table (whichever backend is
    configured: rows left from before a switch to RQ go too) and RQ's failed-job registries;
    RQ drops successful results by itself after 500 s."""
    now = now or timezone.now()
    succeeded_days = max(settings.TASK_RESULT_RETENTION_DAYS, 0)
    failed_days = max(succeeded_days, FAILED_RESULT_RETENTION_MIN_DAYS)
    counts = {
        "succeeded": _db_results_delete(
            status=TaskResultStatus.SUCCESSFUL, before=now - timedelta(days=succeeded_days)
        ),
        "failed": _db_results_delete(
            status=TaskResultStatus.FAILED, before=now - timedelta(days=failed_days)
        ),
        "rq_failed": _rq_failed_delete(before=now - timedelta(days=failed_days)),
    }
    logger.info("task results pruned: %s", counts)
    return counts


def _db_results_delete(*, status: str, before: datetime) -> int:
    from django_tasks_db.models import DBTaskResult

    expired = DBTaskResult.objects.filter(status=status, finished_at__lt=before).order_by()
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:PRUNE_BATCH_SIZE]):
        count, _ = expired.filter(pk__in=batch).delete()
        if not count:
            break
        deleted += count
    return deleted


def _rq_failed_delete(*, before: datetime) -> int:
    rq_aliases = [
        alias
        for alias, config in settings.TASKS.items()
        if config["BACKEND"] == "django_tasks_rq.RQBackend"
    ]
    if not rq_aliases:
        return 0
    import django_rq
    from rq.defaults import DEFAULT_FAILURE_TTL
    from rq.exceptions import NoSuchJobError
    from rq.registry import FailedJobRegistry

    # RQ scores a failed job by when it expires: failure time + failure_ttl, which
    # django-tasks-rq leaves at RQ's default (one year). So this score means "failed before".
    max_score = before.timestamp() + DEFAULT_FAILURE_TTL
    deleted = 0
    for alias in rq_aliases:
        for queue_name in sorted(task_backends[alias].queues):
            registry = FailedJobRegistry(queue=django_rq.get_queue(queue_name))
            while entries := registry.connection.zrangebyscore(
                registry.key, "-inf", max_score, start=0, num=PRUNE_BATCH_SIZE
            ):
                for entry in entries:
                    job_id = entry.decode() if isinstance(entry, bytes) else str(entry)
                    # A job that had expired: remove() has already dropped its entry.
                    with contextlib.suppress(NoSuchJobError):
                        registry.remove(job_id, delete_job=True)
                    deleted += 1
    return deleted


def task_results_prune_next_run(*, now: datetime) -> datetime:
    """The next PRUNE_HOUR o'clock (settings.TIME_ZONE) strictly after `now`."""
    zone = timezone.get_default_timezone()
    local = now.astimezone(zone)
    due = datetime.combine(local.date(), time(PRUNE_HOUR), tzinfo=zone)
    if due <= local:
        due = datetime.combine(local.date() + timedelta(days=1), time(PRUNE_HOUR), tzinfo=zone)
    return due


def task_results_prune_schedule(*, now: datetime | None = None) -> bool:
    """Make sure one future run of `task_results_prune` is queued; True if this call queued it.

    Called when the task finishes, by `groundswell serve` at start-up and by
    `groundswell prune_task_results --schedule`, so restarts never pile up runs. A run counts
    as queued while its status is READY, so the run in progress doesn't hide the need for the
    next one. Should two callers ever both queue one (two PostgreSQL start-ups at the same
    instant), the first of the two to run sees the other queued and stops there.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_results_prune.get_backend()
    if not backend.supports_defer:
        # The test suite's immediate backend would run it now, and it would queue itself again.
        logger.warning("task backend cannot defer tasks; task results prune not scheduled")
        return False
    due = task_results_prune_next_run(now=now or timezone.now())
    if isinstance(backend, DatabaseBackend):
        # On SQLite the transaction is IMMEDIATE: concurrent start-ups check one at a time.
        with transaction.atomic():
            queued = DBTaskResult.objects.filter(
                backend_name=backend.alias,
                task_path=task_results_prune.module_path,
                status=TaskResultStatus.READY,
            ).exists()
            if not queued:
                task_enqueue_on_commit(task_results_prune.using(run_after=due))
        return not queued
    # django-tasks-rq raises the django-tasks backport's exception, not Django's.
    from django_tasks.exceptions import TaskResultDoesNotExist as BackportResultDoesNotExist
    from rq.exceptions import NoSuchJobError

    queued_id = cache.get(PRUNE_NEXT_CACHE_KEY)
    if queued_id is not None:
        try:
            # Compared by value: django-tasks-rq answers with the backport's status enum.
            status = backend.get_result(queued_id).status
            if str(getattr(status, "value", status)) == TaskResultStatus.READY.value:
                return False
        except (TaskResultDoesNotExist, BackportResultDoesNotExist, NoSuchJobError):
            # The queue lost it (e.g. Redis was emptied, or the job was removed between two
            # lookups): queue a new one. A spare run is harmless; a missing one is not.
            pass
    # Its callers run outside any transaction, so it is queued now and its id is known. In a
    # caller's transaction it would be queued at the commit, unremembered: a spare run, which
    # collapses as above.
    result = task_enqueue_on_commit(task_results_prune.using(run_after=due))
    if result is not None:
        cache.set(PRUNE_NEXT_CACHE_KEY, result.id, timeout=None)
    return True
