"""The unique index moves from LOWER(name) to name_key (filled by 0003; a migration of its
own, so PostgreSQL alters the table outside the data migration's transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_tag_name_key"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="tag", name="people_tag_name_unique_ci"),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(fields=("name_key",), name="people_tag_name_key"),
        ),
    ]
