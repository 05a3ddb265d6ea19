"""Tags are unique by a key folded in Python (people.models.name_key), not by LOWER(name):
SQLite's LOWER() folds ASCII only, so "Élan Vital" and "élan vital" could both exist and a
lookup folded in Python missed the index's idea of a duplicate."""

import unicodedata

from django.db import migrations, models


def _key(name):
    # A copy of people.models.name_key as of this migration.
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


def fill_keys(apps, schema_editor):
    """Key every tag; tags that now collide merge into the oldest (their taggings move)."""
    Tag = apps.get_model("people", "Tag")
    Tagging = apps.get_model("people", "Tagging")
    kept = {}
    for tag in Tag.objects.order_by("id"):
        key = _key(tag.name)
        first = kept.get(key)
        if first is None:
            kept[key] = tag
            tag.name_key = key
            tag.save(update_fields=["name_key"])
            continue
        tagged = set(Tagging.objects.filter(tag=first).values_list("person_id", flat=True))
        Tagging.objects.filter(tag=tag).exclude(person_id__in=tagged).update(tag=first)
        tag.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_preferred_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=300),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
