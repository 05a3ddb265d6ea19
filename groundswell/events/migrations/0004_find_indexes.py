"""The event finder's index (see groundswell/events/selectors.py and docs/events.md).

(status, starts_at) is a prefix of the new index, so the old one is dropped: every query it
served is served by the new one.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_rsvp_sequence_confirmed_at"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="event",
            name="events_event_status_start",
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["status", "starts_at", "is_virtual", "latitude", "longitude", "ends_at"],
                name="events_event_find",
            ),
        ),
    ]
