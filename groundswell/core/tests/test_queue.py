"""task_enqueue_on_commit: a task runs if, and only if, its transaction commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from groundswell.core.queue import task_enqueue_on_commit
from groundswell.core.tasks import email_send

pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATA = {"subject": "s", "body": "b", "from_email": "a@example.org", "to": ["x@example.org"]}


class Refused(Exception):
    pass


@override_settings(TASKS=DB_TASKS)
def test_on_the_database_queue_the_row_is_written_inside_the_transaction():
    with transaction.atomic():
        task_enqueue_on_commit(email_send, DATA)
        # Already in the transaction (no callback waiting), invisible to others until commit.
        assert DBTaskResult.objects.count() == 1
        assert not transaction.get_connection().run_on_commit
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DB_TASKS)
def test_on_the_database_queue_a_rollback_takes_the_task_with_it():
    with pytest.raises(Refused), transaction.atomic():
        task_enqueue_on_commit(email_send, DATA)
        raise Refused
    assert DBTaskResult.objects.count() == 0


def test_other_queues_enqueue_after_commit(mailoutbox):
    # The tests' immediate backend runs a task as it is enqueued: after the commit only.
    with transaction.atomic():
        task_enqueue_on_commit(email_send, DATA)
        assert mailoutbox == []
    assert len(mailoutbox) == 1
    with pytest.raises(Refused), transaction.atomic():
        task_enqueue_on_commit(email_send, DATA)
        raise Refused
    assert len(mailoutbox) == 1
