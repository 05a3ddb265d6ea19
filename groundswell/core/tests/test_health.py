from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["tasks"]["ok"] is True


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_healthz_counts_ready_tasks_on_the_database_queue(client):
    from groundswell.core.tasks import email_send

    email_send.enqueue({"subject": "s", "body": "b", "from_email": "a@b.c", "to": ["x@y.z"]})
    body = client.get("/healthz").json()
    assert body["tasks"]["backend"] == "database"
    assert body["tasks"]["ready"] == 1


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_task_due_later_waits_from_its_due_time_not_from_when_it_was_queued(client):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from groundswell.core.tasks import email_send

    data = {"subject": "s", "body": "b", "from_email": "a@b.c", "to": ["x@y.z"]}
    # A reminder queued a day ago, due a minute ago: it has waited one minute.
    email_send.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(data)
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - timedelta(days=1),
        run_after=timezone.now() - timedelta(minutes=1),
    )
    waited = client.get("/healthz").json()["tasks"]["oldest_ready_seconds"]
    assert 55 <= waited < 3600


def test_healthz_is_503_when_the_queue_is_down(client, monkeypatch):
    from groundswell.core import views

    monkeypatch.setattr(views, "task_queue_health", lambda: {"ok": False, "backend": "rq"})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_a_stopped_schedule_degrades_healthz_but_keeps_200(client, monkeypatch):
    from groundswell.core import health

    monkeypatch.setitem(health._SCHEDULE_CHECKS, "nightly", lambda: {"ok": False})
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["schedules"]["nightly"] == {"ok": False}


def test_a_failing_schedule_check_is_reported_not_raised(client, monkeypatch):
    from groundswell.core import health

    def broken() -> dict:
        raise RuntimeError("boom")

    monkeypatch.setitem(health._SCHEDULE_CHECKS, "broken", broken)
    body = client.get("/healthz").json()
    assert body["schedules"]["broken"] == {"ok": False, "error": "RuntimeError"}
    assert body["status"] == "degraded"


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_healthz_reports_the_reminder_planner(client):
    from datetime import timedelta

    from django.utils import timezone

    from groundswell.events.models import ReminderPlan
    from groundswell.events.reminders.services import reminders_plan_run

    # Never run, on a queue that holds tasks due later: reminders would never go out.
    assert client.get("/healthz").json()["schedules"]["event_reminders"]["ok"] is False
    reminders_plan_run()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["schedules"]["event_reminders"]["ok"] is True
    # Its queued run is two hours overdue: the schedule has stopped.
    ReminderPlan.objects.update(next_run_at=timezone.now() - timedelta(hours=2))
    body = client.get("/healthz").json()
    assert (body["status"], body["schedules"]["event_reminders"]["ok"]) == ("degraded", False)
