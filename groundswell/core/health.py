"""Health of the things a request depends on (the database and the task queue), and of the
schedules apps keep in the queue (self-rescheduling tasks such as the reminder planner)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.functions import Coalesce
from django.utils import timezone


def database_health() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"ok": False, "vendor": connection.vendor, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def task_queue_health() -> dict[str, Any]:
    backend = str(settings.TASKS["default"]["BACKEND"])
    try:
        if backend == "django_tasks_db.DatabaseBackend":
            from django.tasks import TaskResultStatus
            from django_tasks_db.models import DBTaskResult

            ready = DBTaskResult.objects.ready()
            # A task due later (a reminder, the daily prune) waits from its due time, not
            # from when it was queued a day before.
            oldest = (
                ready.annotate(due=Coalesce("run_after", "enqueued_at"))
                .order_by("due")
                .values_list("due", flat=True)
                .first()
            )
            return {
                "ok": True,
                "backend": "database",
                "ready": ready.count(),
                "failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
                "oldest_ready_seconds": (
                    round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0
                ),
            }
        if backend == "django_tasks_rq.RQBackend":
            import django_rq

            queue = django_rq.get_queue("default")
            queue.connection.ping()
            return {"ok": True, "backend": "rq", "ready": queue.count}
        return {"ok": True, "backend": backend.rsplit(".", 1)[-1]}
    except Exception as error:
        return {"ok": False, "backend": backend, "error": error.__class__.__name__}


# Checks apps register for the schedules they keep in the task queue (name -> check). Each
# returns a dict with "ok"; a stale schedule makes /healthz say "degraded" but still answer
# 200: the web server is fine, and a load balancer must not take it out of rotation.
_SCHEDULE_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {}


def schedule_check_register(name: str, check: Callable[[], dict[str, Any]]) -> None:
    _SCHEDULE_CHECKS[name] = check


def schedules_health() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in _SCHEDULE_CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            results[name] = {"ok": False, "error": error.__class__.__name__}
    return results
