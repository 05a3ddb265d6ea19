"""Migration 0003: tags that only SQLite's ASCII LOWER() kept apart merge into the oldest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("people", "0002_person_preferred_language")]
AFTER = [("people", "0004_tag_name_key_unique")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's LOWER() folds É already")
def test_case_variants_merge_into_the_oldest_tag(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Person = apps.get_model("people", "Person")
    Tag = apps.get_model("people", "Tag")
    Tagging = apps.get_model("people", "Tagging")
    ana = Person.objects.create(email="ana@example.org")
    bo = Person.objects.create(email="bo@example.org")
    first = Tag.objects.create(name="Élan Vital")
    second = Tag.objects.create(name="élan vital")
    Tagging.objects.create(tag=first, person=ana)
    Tagging.objects.create(tag=second, person=ana)
    Tagging.objects.create(tag=second, person=bo)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Tag = apps.get_model("people", "Tag")
    Tagging = apps.get_model("people", "Tagging")
    assert list(Tag.objects.values_list("pk", "name_key")) == [(first.pk, "élan vital")]
    people = sorted(Tagging.objects.filter(tag_id=first.pk).values_list("person_id", flat=True))
    assert people == sorted([ana.pk, bo.pk])
