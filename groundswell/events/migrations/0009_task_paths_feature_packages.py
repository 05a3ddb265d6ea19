"""The events tasks moved into the feature packages (decision 0020): rows already queued on the
database queue name their task by its import path, so the ones still waiting are pointed at
the new paths (and back, when the migration is reversed). Rows that ran keep their old path:
they are history, and the worker never imports their task again.

The RQ queue stores the path inside each job; drain it (let the worker finish the queued
jobs) before upgrading when REDIS_URL is set.
"""

from django.db import migrations

# Old path -> new path.
MOVED = {
    "groundswell.events.tasks.shift_reminders_send": (
        "groundswell.events.reminders.tasks.shift_reminders_send"
    ),
    "groundswell.events.tasks.reminders_plan": "groundswell.events.reminders.tasks.reminders_plan",
    "groundswell.events.tasks.attendance_email_send": (
        "groundswell.events.rsvp.tasks.attendance_email_send"
    ),
    "groundswell.events.tasks_hosting.event_message_batch_send": (
        "groundswell.events.hosting.tasks.event_message_batch_send"
    ),
}
READY = "READY"  # django.tasks' TaskResultStatus.READY: queued, not yet picked up


def _rewrite(apps, paths):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in paths.items():
        DBTaskResult.objects.filter(status=READY, task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    _rewrite(apps, MOVED)


def backwards(apps, schema_editor):
    _rewrite(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_near_index_with_start"),
        # Its statuses have their current names (READY) from here on.
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
