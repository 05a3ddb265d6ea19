"""The machinery every generator step shares: steps, their context, fast table writers.

A step is a plain function that writes rows through `StepContext.writer()`. Writers insert
with COPY on PostgreSQL and `executemany` on SQLite, with primary keys the step assigns
itself (`StepContext.next_id`), so rows can point at each other without a round trip.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO, cast

from django.apps import apps
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from groundswell.ops.seeding import figures

# --- Steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One generator step: the models it writes, its rows per scale unit, and its function.

    `run(ctx)` writes the rows and returns what later steps need to know (id ranges,
    counts), JSON-serialisable; the runner keeps it in SeedRun.steps[name]. `requires`
    names the steps whose results it reads (they run first).
    """

    name: str
    models: tuple[str, ...]
    per_scale: Mapping[str, float]
    run: Callable[[StepContext], dict[str, Any]]
    requires: tuple[str, ...] = ()

    def tables_exist(self, connection: BaseDatabaseWrapper) -> bool:
        """Whether every model it writes is installed and migrated (else the step waits)."""
        tables = set(connection.introspection.table_names())
        for label in self.models:
            try:
                model = apps.get_model(label)
            except LookupError:
                return False
            if model._meta.db_table not in tables:
                return False
        return True


# --- Progress ---------------------------------------------------------------------------------


class Progress:
    """A one-line, \\r-updated progress report on stderr with rows/s per table."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 0.5) -> None:
        self.stream = stream
        self.interval = interval
        self.step = ""
        self.started = time.monotonic()
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._step_started = self.started
        self._step_counts: dict[str, int] = {}
        self._shown = 0.0
        self._width = 0

    def step_start(self, name: str) -> None:
        self.step = name
        self._step_started = time.monotonic()
        self._step_counts = {}

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds
        self._step_counts[table] = self._step_counts.get(table, 0) + rows
        if self.stream is not None and time.monotonic() - self._shown >= self.interval:
            self.show()

    def show(self) -> None:
        if self.stream is None:
            return
        self._shown = time.monotonic()
        elapsed = max(self._shown - self._step_started, 1e-6)
        parts = [
            f"{table} {rows:,} ({rows / elapsed:,.0f}/s)"
            for table, rows in self._step_counts.items()
        ]
        line = f"seed {self.step}: " + ", ".join(parts) + f" [{elapsed:,.0f}s]"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def step_end(self) -> None:
        if self.stream is not None and self._step_counts:
            self.show()
            self.stream.write("\n")
            self.stream.flush()


# --- Writers --------------------------------------------------------------------------------


class TableWriter:
    """Inserts rows of one table; each row is a tuple in the order of `fields`.

    Values are what the database takes: datetimes as `StepContext.timestamp()` strings, JSON
    as `json_text()` strings, booleans and numbers as Python values. Concrete fields the
    step does not fill get their model default (so a column added later with a default
    doesn't break the generator; one without a default fails loudly here).
    """

    def __init__(
        self,
        *,
        model: type[models.Model],
        fields: Sequence[str],
        connection: BaseDatabaseWrapper,
        progress: Progress,
    ) -> None:
        self.model = model
        self.connection = connection
        self.progress = progress
        self.table = model._meta.db_table
        opts = model._meta
        given = [cast(models.Field, opts.get_field(name)) for name in fields]
        names = {f.attname for f in given}
        extra = [f for f in opts.concrete_fields if f.attname not in names]
        self.extra_names: tuple[str, ...] = tuple(f.attname for f in extra)
        self.extra_values: tuple[Any, ...] = tuple(self._default(f) for f in extra)
        columns = [str(f.column) for f in (*given, *extra)]
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(column) for column in columns)
        self.rows_written = 0
        if connection.vendor == "postgresql":
            self.sql = f"COPY {quote(self.table)} ({column_list}) FROM STDIN"
        elif connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(columns))
            # Table and column names come from the model, quoted; values are parameters.
            self.sql = f"INSERT INTO {quote(self.table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        else:
            raise NotImplementedError(
                f"seeding supports SQLite and PostgreSQL, not {connection.vendor}"
            )

    def _default(self, model_field: models.Field) -> Any:
        value = model_field.get_default()
        if value is None and not model_field.null:
            raise ValueError(
                f"The seed generator does not fill {self.table}.{model_field.column}, "
                "which has no default: add it to the generator step."
            )
        if value is None:
            return None
        if isinstance(model_field, models.JSONField):
            return json_text(value)
        if isinstance(value, datetime):
            return timestamp_text(value, self.connection.vendor)
        return model_field.get_db_prep_save(value, self.connection)

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        started = time.monotonic()
        extra = self.extra_values
        full = [row + extra for row in rows] if extra else list(rows)
        if not full:
            return 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.copy(self.sql) as copy:
                    for row in full:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, full)
        self.rows_written += len(full)
        self.progress.add(self.table, len(full), time.monotonic() - started)
        return len(full)


def json_text(value: Any) -> str:
    """JSON as Django's JSONField stores it (the default encoder's separators)."""
    return json.dumps(value)


def timestamp_text(value: datetime, vendor: str) -> str:
    """An aware UTC datetime as the database's text: SQLite stores naive UTC as Django does."""
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    return text if vendor == "sqlite" else text + "+00"


# --- Context ----------------------------------------------------------------------------------


@dataclass
class StepContext:
    """What a step gets: the scale and seed, random streams, ids, writers, earlier results."""

    step: str
    scale: float
    seed: int
    connection: BaseDatabaseWrapper
    progress: Progress
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    def count(self, per_unit: float) -> int:
        return figures.scaled(per_unit, self.scale)

    def rng(self, *parts: object) -> random.Random:
        """A random stream of its own for this seed, step and `parts` (e.g. a chunk number).
        Seeding from a string is stable across processes and Python versions (SHA-512)."""
        return random.Random("/".join(str(part) for part in (self.seed, self.step, *parts)))

    def next_id(self, model: type[models.Model]) -> int:
        """The first free primary key: ids continue after the rows already there."""
        latest = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
        return (latest or 0) + 1

    def atomic(self) -> Any:
        """One chunk's transaction."""
        return transaction.atomic(using=self.connection.alias)

    def shared_get(self, key: str, factory: Callable[[], Any]) -> Any:
        """Something costly that several steps use (the ZIP sampler), built once per run."""
        if key not in self.shared:
            self.shared[key] = factory()
        return self.shared[key]

    def writer(self, model: type[models.Model], fields: Sequence[str]) -> TableWriter:
        return TableWriter(
            model=model, fields=fields, connection=self.connection, progress=self.progress
        )

    def timestamp(self, seconds: float) -> str:
        """The time `seconds` after the cycle's start, as this database's datetime text."""
        epoch = figures.CYCLE_START.timestamp() + int(seconds)
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))
        return text if self.connection.vendor == "sqlite" else text + "+00"


def stderr_progress(verbosity: int) -> Progress:
    return Progress(sys.stderr if verbosity >= 1 else None)
