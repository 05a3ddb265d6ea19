"""Runs the generator steps and records the data set in ops.SeedRun."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from groundswell.core.audit import audit_record
from groundswell.ops.models import SeedRun
from groundswell.ops.seeding.base import Progress, StepContext
from groundswell.ops.seeding.registry import STEPS

MAX_SCALE = 10.0
# SQLite page cache during the load (KiB): the email and location indexes stay in memory.
SQLITE_CACHE_KIB = 512 * 1024


class SeedConflict(Exception):
    """The database already holds a different generated data set (or half of one)."""


@dataclass
class SeedOutcome:
    run: SeedRun
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def schema_version(connection: BaseDatabaseWrapper | None = None) -> str:
    """A short hash of the latest applied migration of every app: a data set made for one
    schema is reused only while the schema is the same."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        latest[app_label] = max(latest.get(app_label, ""), name)
    text = "\n".join(f"{app}.{name}" for app, name in sorted(latest.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def seed_run_current(*, using: str = DEFAULT_DB_ALIAS) -> SeedRun | None:
    return SeedRun.objects.using(using).order_by("pk").first()


def seed_run_info(run: SeedRun | None) -> dict[str, Any]:
    """The data set as plain data (what `groundswell seed --info` prints)."""
    if run is None:
        return {}
    return {
        "scale": run.scale,
        "seed": run.seed,
        "schema_version": run.schema_version,
        "complete": run.finished_at is not None,
        "counts": run.counts,
        "steps": run.steps,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def seed_generate(
    *, scale: float, seed: int, progress: Progress | None = None, using: str = DEFAULT_DB_ALIAS
) -> SeedOutcome:
    """Generate the data set for `scale` and `seed` into the database, deterministically.

    Runs every step that hasn't run yet (all of them on a fresh database; after an upgrade
    only the new features' steps). Raises SeedConflict when the database holds another
    data set, or one that an interrupted run left half-written.
    """
    if not (0 < scale <= MAX_SCALE) or not math.isfinite(scale):
        raise ValueError(f"scale must be above 0 and at most {MAX_SCALE:g}")
    connection = connections[using]
    progress = progress or Progress(None)
    started = time.monotonic()
    run = seed_run_current(using=using)
    if run is not None:
        if run.seed != seed or not math.isclose(run.scale, scale, rel_tol=1e-9):
            raise SeedConflict(
                f"This database holds generated data for scale {run.scale:g} and seed "
                f"{run.seed}. Generate scale {scale:g} and seed {seed} into an empty database "
                "(another DATA_DIR or DATABASE_URL)."
            )
        if run.finished_at is None:
            raise SeedConflict(
                "An earlier `seed --scale` stopped half-way and left partial data: "
                "start again from an empty database."
            )
    else:
        run = SeedRun.objects.using(using).create(
            scale=scale, seed=seed, schema_version="", started_at=timezone.now()
        )
    outcome = SeedOutcome(run=run)
    pending = [step for step in STEPS if step.name not in run.steps]
    shared: dict[str, Any] = {}
    written: set[type[models.Model]] = set()
    if pending:
        SeedRun.objects.using(using).filter(pk=run.pk).update(finished_at=None)
        run.finished_at = None
    with _bulk_load_settings(connection):
        for step in pending:
            if not step.tables_exist(connection) or any(
                name not in run.steps for name in step.requires
            ):
                outcome.skipped.append(step.name)
                continue
            progress.step_start(step.name)
            step_started = time.monotonic()
            context = StepContext(
                step=step.name,
                scale=scale,
                seed=seed,
                connection=connection,
                progress=progress,
                results=run.steps,
                shared=shared,
            )
            result = step.run(context)
            progress.step_end()
            result["seconds"] = round(time.monotonic() - step_started, 2)
            run.steps[step.name] = result
            for table, rows in result.get("rows", {}).items():
                run.counts[table] = run.counts.get(table, 0) + rows
            written.update(apps.get_model(label) for label in step.models)
            run.save(using=using, update_fields=["steps", "counts"])
            outcome.ran.append(step.name)
    _after_load(connection, written)
    with transaction.atomic(using=using):
        run.schema_version = schema_version(connection)
        run.finished_at = timezone.now()
        run.save(using=using, update_fields=["schema_version", "finished_at"])
        if outcome.ran:
            audit_record(
                actor=None,
                action="ops.seed",
                subject=run,
                details={"scale": scale, "seed": seed, "steps": outcome.ran},
            )
    outcome.seconds = time.monotonic() - started
    return outcome


@contextmanager
def _bulk_load_settings(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Settings for a bulk load, restored afterwards. Durability is relaxed: a crash during
    the load leaves an unusable data set either way (SeedRun stays unfinished)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            before = {
                name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("synchronous", "cache_size")
            }
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    else:
        yield


def _after_load(connection: BaseDatabaseWrapper, written: set[type[models.Model]]) -> None:
    """PostgreSQL: move the id sequences past the ids we assigned, and refresh the planner's
    statistics so the first benchmark doesn't run on empty-table estimates."""
    if connection.vendor != "postgresql" or not written:
        return
    ordered = sorted(written, key=lambda model: model._meta.db_table)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), ordered):
            cursor.execute(sql)
        for model in ordered:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
