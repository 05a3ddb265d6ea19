"""Queue a task so that it runs if, and only if, the current transaction commits.

On the database queue (django-tasks-db, the default) the task's row is written inside the
transaction: it commits or rolls back with the data it is about, the worker cannot see it
before, and no crash between the commit and the enqueue can lose it. It also saves a
separate write transaction per request, which SQLite's single writer feels (decision 0015).
On any other queue (RQ on Redis, the immediate backend of the tests) the task is enqueued
by `transaction.on_commit`, as decision 0004 says.

It is the only place that calls `enqueue` (core/tests/test_one_path.py checks the tree).
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.tasks import Task, TaskResult
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def _queue_is_in_this_database(task: Task[Any, Any]) -> bool:
    return (
        isinstance(task.get_backend(), DatabaseBackend)
        and router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
    )


def task_enqueue_on_commit(
    task: Task[Any, Any], *args: Any, **kwargs: Any
) -> TaskResult[Any, Any] | None:
    """`task.enqueue(*args, **kwargs)`, effective when the current transaction commits.

    Returns the task's result when it was enqueued now (on the database queue, or outside
    any transaction, where `on_commit` would run it at once), None when it waits for the
    commit. `task` may carry options: `task_enqueue_on_commit(task.using(run_after=due))`.
    """
    if _queue_is_in_this_database(task) or not transaction.get_connection().in_atomic_block:
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    return None
