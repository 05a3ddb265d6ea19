"""The events tasks moved into the feature packages (decision 0020): migration 0009 points the
database queue's waiting rows at the new import paths, and back when reversed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.tasks import Task, TaskResultStatus
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from groundswell.events.reminders.tasks import reminders_plan

migration = importlib.import_module(
    "groundswell.events.migrations.0009_task_paths_feature_packages"
)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize(("old", "new"), sorted(migration.MOVED.items()))
def test_each_new_path_is_the_same_task(old, new):
    task = import_string(new)
    assert isinstance(task, Task)
    assert task.module_path == new
    assert old.rsplit(".", 1)[1] == new.rsplit(".", 1)[1]


@pytest.mark.django_db
def test_waiting_rows_follow_the_task_and_finished_ones_keep_their_history(settings):
    settings.TASKS = DB_TASKS  # setting_changed makes django.tasks re-read it
    old_path = "groundswell.events.tasks.reminders_plan"
    waiting = reminders_plan.enqueue().id
    finished = reminders_plan.enqueue().id
    DBTaskResult.objects.filter(pk=waiting).update(task_path=old_path)
    DBTaskResult.objects.filter(pk=finished).update(
        task_path=old_path, status=TaskResultStatus.SUCCESSFUL
    )

    migration.forwards(apps, None)
    assert DBTaskResult.objects.get(pk=waiting).task_path == reminders_plan.module_path
    assert DBTaskResult.objects.get(pk=finished).task_path == old_path

    migration.backwards(apps, None)
    assert DBTaskResult.objects.get(pk=waiting).task_path == old_path
