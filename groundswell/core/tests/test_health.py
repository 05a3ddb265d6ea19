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


def test_healthz_is_503_when_the_queue_is_down(client, monkeypatch):
    from groundswell.core import views

    monkeypatch.setattr(views, "task_queue_health", lambda: {"ok": False, "backend": "rq"})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
