"""The mail task runs on both real queue backends, not only the immediate one tests use."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from groundswell.core.mail import email_to_data
from groundswell.core.tasks import email_send


def _data(subject: str) -> dict:
    from django.core.mail import EmailMessage

    return email_to_data(EmailMessage(subject, "body", "a@example.org", ["b@example.org"]))


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_queue_delivers_mail_through_db_worker():
    email_send.enqueue(_data("via db_worker"))
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, no_reload=True, verbosity=0)
    assert [m.subject for m in mail.outbox] == ["via db_worker"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
@pytest.mark.django_db(transaction=True)
def test_rq_queue_delivers_mail_through_a_burst_worker():
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue_name = f"test-{uuid.uuid4().hex[:8]}"
    queues = {queue_name: {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 60}}
    tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    with override_settings(RQ_QUEUES=queues, TASKS=tasks):
        from django.tasks import task_backends

        task_backends._settings = None  # re-read TASKS
        try:
            email_send.using(queue_name=queue_name).enqueue(_data("via rq"))
            queue = django_rq.get_queue(queue_name, job_class=Job)
            # SimpleWorker runs the job in this process, so mail.outbox sees it.
            worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
            worker.work(burst=True, logging_level="WARNING")
        finally:
            task_backends._settings = None
            django_rq.get_queue(queue_name).empty()
    assert [m.subject for m in mail.outbox] == ["via rq"]
