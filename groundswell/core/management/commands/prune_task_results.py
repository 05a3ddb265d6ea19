"""`groundswell prune_task_results`: delete expired task results and idempotency keys now
(decisions 0014 and 0021).

The same deletion the daily `core.tasks.task_results_prune` task does, run in this process.
`--schedule` also makes sure the daily run is queued: production doesn't run `groundswell
serve`, so its release step runs `groundswell prune_task_results --schedule` once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from groundswell.core.idempotency import idempotency_keys_delete_expired
from groundswell.core.tasks import task_results_delete_expired, task_results_prune_schedule


class Command(BaseCommand):
    help = (
        "Delete finished task results past TASK_RESULT_RETENTION_DAYS (failed ones past at "
        "least 30 days) and idempotency keys past IDEMPOTENCY_RETENTION_HOURS; --schedule "
        "also makes sure the daily prune is queued."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily prune task unless a run is already queued",
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        counts = task_results_delete_expired()
        keys = idempotency_keys_delete_expired()
        self.stdout.write(
            f"Deleted {counts['succeeded']} succeeded and {counts['failed']} failed task "
            f"result(s) from the database, {counts['rq_failed']} failed job(s) from RQ, "
            f"{keys} expired idempotency key(s)."
        )
        if schedule:
            queued = task_results_prune_schedule()
            self.stdout.write(
                "Queued the daily prune." if queued else "The daily prune was already queued."
            )
