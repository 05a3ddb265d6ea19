"""The finder's "near a place" index also holds the start time (decision 0019).

On PostgreSQL the planner reads events near a ZIP through the (latitude, longitude) index;
in a dense area that was thousands of events of every date, each fetched from the table to
check its date. With starts_at in the index the date is checked there. The new index is
built before the old one is dropped; on 200,000 events it takes well under a second.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_reminder_plan"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["latitude", "longitude", "starts_at"], name="events_event_latlng_start"
            ),
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="events_event_latlng",
        ),
    ]
