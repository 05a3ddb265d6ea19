"""Fixtures every events test folder may use; each folder's own are in its conftest.py.
Builders (events, people, RSVPs) are functions in groundswell/events/testing.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import TaskResult, TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django.utils.crypto import get_random_string

# The tasks due later that the backend kept, in enqueue order.
DEFERRED: list[TaskResult] = []


class DeferringImmediateBackend(ImmediateBackend):
    """Runs a task when enqueued, except one due later (run_after): that one is kept in
    DEFERRED, as a real queue would keep it until its time."""

    supports_defer = True

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        if task.run_after is None:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result: TaskResult[Any, Any] = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        DEFERRED.append(result)
        return result


@pytest.fixture
def deferred() -> Iterator[list[TaskResult]]:
    """Tasks run when queued, except those due later (reminders): kept here, in queue order,
    for the test to look at or run (`testing.run_deferred`)."""
    DEFERRED.clear()
    backend = f"{__name__}.DeferringImmediateBackend"
    with override_settings(TASKS={"default": {"BACKEND": backend}}):
        yield DEFERRED
    DEFERRED.clear()
