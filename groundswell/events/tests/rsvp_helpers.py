"""Shared by the RSVP, reminder and calendar tests: events built directly, and a task backend
that runs tasks at once but keeps the ones due later (reminders) for the test to run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.base import TaskResult, TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django.utils.crypto import get_random_string

from groundswell.events.models import Event, Shift
from groundswell.geo.models import PostalCode

DEFERRED: list[TaskResult] = []


class DeferringImmediateBackend(ImmediateBackend):
    """Runs a task when enqueued, except one due later (run_after): that one is kept in
    DEFERRED, as a real queue would keep it until its time."""

    supports_defer = True

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        if task.run_after is None:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result = TaskResult(
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


@pytest.fixture(name="deferred")
def deferred_tasks() -> Iterator[list[TaskResult]]:
    """Fixture `deferred`: tasks due later, in enqueue order; run one with
    `run_deferred(result)`. Import `deferred_tasks` into a test module to use it."""
    DEFERRED.clear()
    backend = f"{__name__}.DeferringImmediateBackend"
    with override_settings(TASKS={"default": {"BACKEND": backend}}):
        yield DEFERRED
    DEFERRED.clear()


deferred = deferred_tasks  # the same fixture, under the name some modules import


def run_deferred(result: TaskResult) -> Any:
    """Run a kept task now, as the worker would at its run_after time."""
    return result.task.call(*result.args, **result.kwargs)


def zip_code(code: str = "60601", **fields: Any) -> PostalCode:
    defaults = {"place_name": "Chicago", "admin1": "IL", "latitude": 41.88, "longitude": -87.62}
    defaults.update(fields)
    postal, _ = PostalCode.objects.get_or_create(country="US", code=code, defaults=defaults)
    return postal


def make_event(
    host: Any,
    *,
    status: str = Event.Status.PUBLISHED,
    starts_at: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    capacity: int | None = None,
    shifts: int = 1,
    **fields: Any,
) -> Event:
    """An event with `shifts` consecutive shifts of `duration`, each with `capacity`."""
    starts_at = starts_at or (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    values = {
        "title": "Canvass the neighborhood",
        "description": "<p>Knock on <strong>doors</strong></p><script>alert(1)</script>",
        "event_type": Event.Type.CANVASS,
        "time_zone": "America/Chicago",
        "venue_name": "Maple Street Library",
        "address_line": "123 Maple Street",
        "locality": "Chicago",
        "region": "IL",
        "postal_code": "60601",
        "latitude": 41.88,
        "longitude": -87.62,
    }
    values.update(fields)
    event = Event.objects.create(
        host=host,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + duration * shifts,
        **values,
    )
    for index in range(shifts):
        Shift.objects.create(
            event=event,
            starts_at=starts_at + duration * index,
            ends_at=starts_at + duration * (index + 1),
            capacity=capacity,
        )
    return event


def first_shift(event: Event) -> Shift:
    return event.shifts.order_by("starts_at", "pk").first()


def make_person(email: str, given_name: str = "Pat", family_name: str = "Guest") -> Any:
    from groundswell.people.models import Person

    return Person.objects.create(email=email, given_name=given_name, family_name=family_name)


def counts_match(shift: Shift) -> bool:
    """The shift's counters agree with its attendance rows."""
    from groundswell.events.models import Attendance

    shift.refresh_from_db()
    confirmed = shift.attendances.filter(status=Attendance.Status.CONFIRMED).count()
    waitlisted = shift.attendances.filter(status=Attendance.Status.WAITLISTED).count()
    return (shift.confirmed_count, shift.waitlist_count) == (confirmed, waitlisted)


def shift_reminders(deferred: list[TaskResult], shift_id: int | None = None) -> list[TaskResult]:
    """The queued shift reminder tasks (of one shift, if given), in queue order."""
    from groundswell.events.tasks import shift_reminders_send

    return [
        r
        for r in deferred
        if r.task.func is shift_reminders_send.func and shift_id in (None, r.args[0])
    ]
