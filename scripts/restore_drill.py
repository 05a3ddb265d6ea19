#!/usr/bin/env python3
"""Restore drill: back up Groundswell's database, restore the copy, prove nothing was lost.

Reads the database the way the app does: DATABASE_URL (PostgreSQL) if set, else the SQLite
file DATA_DIR/groundswell.sqlite3 (DATA_DIR defaults to var/ next to this repository).

PostgreSQL: opens one read-only REPEATABLE READ transaction on the source, exports its
snapshot, counts every table in the public schema in it, runs `pg_dump -Fc --snapshot` on that
same snapshot (so the counts are exact even while the site takes writes), creates a scratch
database (same server, or RESTORE_DRILL_TARGET_URL's), `pg_restore`s into it, and counts again.

SQLite: opens the file read-only, counts every table and copies it with the online backup API
inside one read transaction (never a file copy), then runs `PRAGMA integrity_check` and
`PRAGMA foreign_key_check` on the copy and counts again.

The source is only ever read. The scratch database (or directory) is dropped at the end, also
when the drill fails or is interrupted. Exit status: 0 every table matches; 1 a table differs,
is missing, or a check failed; 2 the drill could not run (configuration, tools, connection).

Usage: scripts/restore-drill.sh [--target-url URL] [--after-restore CMD] [--workdir DIR]
                                [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

REPO_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


class DrillError(Exception):
    """The drill could not run (exit status 2)."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int | None
    restored: int | None

    @property
    def status(self) -> str:
        if self.restored is None:
            return "MISSING"
        if self.source is None:
            return "EXTRA"
        return "ok" if self.source == self.restored else "MISMATCH"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class DrillResult:
    engine: str
    source: str
    scratch: str
    tables: list[TableCount] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.tables) and all(ok for _, ok, _ in self.checks)


def compare_counts(source: dict[str, int], restored: dict[str, int]) -> list[TableCount]:
    """One row per table found on either side, sorted by name; a table on one side only fails."""
    names = sorted(set(source) | set(restored))
    return [TableCount(name, source.get(name), restored.get(name)) for name in names]


def format_report(result: DrillResult) -> str:
    width = max([len("table"), *(len(row.table) for row in result.tables)])

    def shown(value: int | None) -> str:
        return "-" if value is None else f"{value:,}"

    lines = [f"Restore drill ({result.engine}): {result.source} -> {result.scratch}"]
    lines += [f"  {note}" for note in result.notes]
    lines.append(f"  {'table':<{width}}  {'source':>12}  {'restored':>12}")
    lines += [
        f"  {row.table:<{width}}  {shown(row.source):>12}  {shown(row.restored):>12}  {row.status}"
        for row in result.tables
    ]
    lines += [
        f"  check {name}: {'ok' if ok else 'FAILED'}{'' if ok else ' ' + detail}"
        for name, ok, detail in result.checks
    ]
    bad_tables = [row.table for row in result.tables if not row.ok]
    bad_checks = [name for name, ok, _ in result.checks if not ok]
    if result.ok:
        rows = sum(row.source or 0 for row in result.tables)
        lines.append(f"OK: {len(result.tables)} tables, {rows:,} rows, every count matches.")
    else:
        problems = []
        if bad_tables:
            problems.append(
                f"{len(bad_tables)} of {len(result.tables)} tables differ: {', '.join(bad_tables)}"
            )
        if bad_checks:
            problems.append(f"checks failed: {', '.join(bad_checks)}")
        lines.append("FAILED: " + "; ".join(problems))
    lines += [f"  {note}" for note in result.cleanup]
    return "\n".join(lines)


def _require_tables(counts: dict[str, int], name: str) -> None:
    """An empty source proves nothing: most likely DATABASE_URL or DATA_DIR points elsewhere."""
    if not counts:
        raise DrillError(f"{name} has no tables: is it the right database, and migrated?")


def _run(command: list[str], *, env: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL client tool; return "" on success, else the end of its error output."""
    if shutil.which(command[0]) is None:
        raise DrillError(f"{command[0]} is not installed (PostgreSQL client tools are needed)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return ""
    return f"{command[0]} exited {done.returncode}: " + " | ".join(
        done.stderr.strip().splitlines()[-3:]
    )


def _after_restore(command: str, env: dict[str, str], result: DrillResult) -> None:
    """The operator's own check against the restored copy, e.g. `groundswell migrate --check`."""
    # Its own process group, so an interrupted drill stops the whole command, not just the shell.
    process = subprocess.Popen(  # noqa: S602 (the operator's own command line)
        command,
        shell=True,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    detail = (stderr or stdout).strip().splitlines()
    result.checks.append(
        (
            "after-restore",
            process.returncode == 0,
            detail[-1] if detail else f"exit {process.returncode}",
        )
    )


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgServer:
    """A PostgreSQL URL split into libpq keywords. Client tools get the password through
    PGPASSWORD, never on their command line (where `ps` would show it)."""

    params: dict[str, str]
    password: str
    netloc: str
    query: str

    @classmethod
    def from_url(cls, url: str) -> PgServer:
        parts = urlsplit(url)
        params = {
            "host": unquote(parts.hostname or ""),
            "port": str(parts.port or ""),
            "user": unquote(parts.username or ""),
            "dbname": unquote(parts.path.lstrip("/")),
            **dict(parse_qsl(parts.query)),
        }
        return cls(
            params={key: value for key, value in params.items() if value},
            password=unquote(parts.password or ""),
            netloc=parts.netloc,
            query=parts.query,
        )

    def database(self, name: str) -> PgServer:
        return PgServer({**self.params, "dbname": name}, self.password, self.netloc, self.query)

    @property
    def name(self) -> str:
        return self.params.get("dbname", "")

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo("", **self.params)

    def url(self) -> str:
        return urlunsplit(("postgres", self.netloc, "/" + quote(self.name), self.query, ""))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, **options: Any) -> Any:
        import psycopg

        try:
            return psycopg.connect(
                self.conninfo(), password=self.password or None, connect_timeout=10, **options
            )
        except psycopg.OperationalError as error:
            raise DrillError(f"cannot connect to {self.name!r}: {error}") from error


PG_TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


def pg_counts(connection: Any) -> dict[str, int]:
    from psycopg import sql

    tables = [name for (name,) in connection.execute(PG_TABLES).fetchall()]
    return {
        name: connection.execute(
            sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(name))
        ).fetchone()[0]
        for name in tables
    }


def drill_postgres(
    source_url: str, *, target_url: str, after_restore: str, workdir: str | None, jobs: int
) -> DrillResult:
    try:
        import psycopg
    except ImportError as error:
        raise DrillError("psycopg is needed: run with the project's .venv/bin/python") from error
    try:
        return _drill_postgres(
            source_url,
            target_url=target_url,
            after_restore=after_restore,
            workdir=workdir,
            jobs=jobs,
        )
    except psycopg.Error as error:
        raise DrillError(f"{error.__class__.__name__}: {error}") from error


def _drill_postgres(
    source_url: str, *, target_url: str, after_restore: str, workdir: str | None, jobs: int
) -> DrillResult:
    import psycopg
    from psycopg import sql

    source = PgServer.from_url(source_url)
    if not source.name:
        raise DrillError("DATABASE_URL names no database")
    target_server = PgServer.from_url(target_url or source_url)
    maintenance = target_server.database(
        target_server.name if target_url and target_server.name else "postgres"
    )
    stamp = time.strftime("%Y%m%d%H%M%S")
    scratch = target_server.database(f"{source.name[:30]}_drill_{stamp}_{secrets.token_hex(2)}")
    result = DrillResult("PostgreSQL", source.name, scratch.name)

    with tempfile.TemporaryDirectory(prefix="groundswell-drill-", dir=workdir) as tmp:
        dump = Path(tmp) / f"{source.name}.dump"
        # 1. Count and dump from one snapshot, read-only.
        with source.connect() as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            encoding, collate, ctype = connection.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database"
                " WHERE datname = current_database()"
            ).fetchone()
            source_counts = pg_counts(connection)
            _require_tables(source_counts, source.name)
            started = time.monotonic()
            error = _run(
                ["pg_dump", "--no-password", "--format=custom", f"--snapshot={snapshot}",
                 f"--file={dump}", f"--dbname={source.conninfo()}"],
                env=source.env(),
            )  # fmt: skip
            connection.rollback()
        if error:
            raise DrillError(error)
        size = dump.stat().st_size
        result.notes.append(
            f"dump: {size / 1_048_576:,.1f} MB in {time.monotonic() - started:.1f} s "
            "(pg_dump -Fc, same snapshot as the source counts)"
        )

        # 2. Restore into a scratch database; always drop it.
        admin = maintenance.connect(autocommit=True)
        created = False
        try:
            admin.execute(
                sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}"
                ).format(
                    sql.Identifier(scratch.name),
                    sql.Literal(encoding),
                    sql.Literal(collate),
                    sql.Literal(ctype),
                )
            )
            created = True
            started = time.monotonic()
            error = _run(
                ["pg_restore", "--no-password", "--no-owner", "--no-acl", "--exit-on-error",
                 f"--jobs={jobs}", f"--dbname={scratch.conninfo()}", str(dump)],
                env=scratch.env(),
            )  # fmt: skip
            # A backup that does not restore is the failure the drill exists to catch: report
            # it, and still count what did arrive.
            result.checks.append(("pg_restore", not error, error))
            result.notes.append(
                f"restore: {time.monotonic() - started:.1f} s (pg_restore, {jobs} jobs)"
            )
            if after_restore:
                env = scratch.env()
                env["DATABASE_URL"] = scratch.url()
                _after_restore(after_restore, env, result)
            # 3. Count the copy.
            with scratch.connect() as connection:
                result.tables = compare_counts(source_counts, pg_counts(connection))
        finally:
            if created:
                _pg_drop(admin, scratch.name, result)
            admin.close()
    return result


def _pg_drop(admin: Any, name: str, result: DrillResult) -> None:
    import psycopg
    from psycopg import sql

    try:
        try:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        except psycopg.errors.SyntaxError:  # PostgreSQL < 13
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        message = f"could not drop the scratch database {name}; drop it by hand: {error}"
        sys.stderr.write(message + "\n")
        result.checks.append(("drop scratch database", False, message))
    else:
        result.cleanup.append(f"scratch database {name} dropped")


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return {
        name: connection.execute(
            'SELECT count(*) FROM "{}"'.format(name.replace('"', '""'))  # noqa: S608
        ).fetchone()[0]
        for name in tables
    }


def drill_sqlite(path: Path, *, after_restore: str, workdir: str | None) -> DrillResult:
    if not path.is_file():
        raise DrillError(f"no database at {path} (set DATA_DIR or DATABASE_URL)")
    scratch_dir = Path(tempfile.mkdtemp(prefix="groundswell-drill-", dir=workdir))
    copy = scratch_dir / "groundswell.sqlite3"
    result = DrillResult("SQLite", str(path), str(copy))
    try:
        # 1. Count and copy inside one read transaction: the backup sees the counted snapshot.
        source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, isolation_level=None)
        try:
            source.execute("PRAGMA busy_timeout = 5000")
            source.execute("BEGIN")
            source_counts = sqlite_counts(source)
            _require_tables(source_counts, str(path))
            started = time.monotonic()
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
            source.execute("COMMIT")
        except sqlite3.Error as error:
            raise DrillError(f"cannot back up {path}: {error}") from error
        finally:
            source.close()
        result.notes.append(
            f"backup: {copy.stat().st_size / 1_048_576:,.1f} MB in "
            f"{time.monotonic() - started:.1f} s (online backup API)"
        )
        # 2. Check and count the copy.
        restored = sqlite3.connect(copy)
        try:
            integrity = [row[0] for row in restored.execute("PRAGMA integrity_check")]
            result.checks.append(("integrity_check", integrity == ["ok"], "; ".join(integrity[:5])))
            orphans = restored.execute("PRAGMA foreign_key_check").fetchall()
            result.checks.append(
                ("foreign_key_check", not orphans, f"{len(orphans)} rows, first: {orphans[:1]}")
            )
        finally:
            restored.close()
        if after_restore:
            env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            env["DATA_DIR"] = str(scratch_dir)
            _after_restore(after_restore, env, result)
        restored = sqlite3.connect(copy)
        try:
            result.tables = compare_counts(source_counts, sqlite_counts(restored))
        finally:
            restored.close()
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
        result.cleanup.append(f"scratch copy {scratch_dir} removed")
    return result


# --- Entry point -------------------------------------------------------------------------------


def sqlite_path_from_url(url: str) -> Path:
    """dj-database-url's form: sqlite:////absolute/path or sqlite:///relative/path."""
    return Path(urlsplit(url).path[1:]).resolve()


def run_drill(env: dict[str, str], args: argparse.Namespace) -> DrillResult:
    database_url = env.get("DATABASE_URL", "")
    scheme = urlsplit(database_url).scheme
    if scheme in POSTGRES_SCHEMES:
        return drill_postgres(
            database_url,
            target_url=args.target_url,
            after_restore=args.after_restore,
            workdir=args.workdir,
            jobs=args.jobs,
        )
    if scheme == "sqlite":
        path = sqlite_path_from_url(database_url)
    elif database_url:
        raise DrillError(f"DATABASE_URL scheme {scheme!r} is not supported")
    else:
        path = Path(env.get("DATA_DIR", REPO_DIR / "var")).resolve() / "groundswell.sqlite3"
    return drill_sqlite(path, after_restore=args.after_restore, workdir=args.workdir)


def main(argv: list[str] | None = None, *, write: Callable[[str], Any] = sys.stdout.write) -> int:
    parser = argparse.ArgumentParser(
        description="Back up the database, restore it into a scratch copy, compare row counts."
    )
    parser.add_argument(
        "--target-url",
        default=os.environ.get("RESTORE_DRILL_TARGET_URL", ""),
        help="PostgreSQL server to restore onto (its database is only used to create and drop "
        "the scratch one; default: the source server, database postgres). "
        "Env: RESTORE_DRILL_TARGET_URL.",
    )
    parser.add_argument(
        "--after-restore",
        default=os.environ.get("RESTORE_DRILL_AFTER_RESTORE", ""),
        help="Shell command run against the restored copy before it is counted, with "
        "DATABASE_URL (PostgreSQL) or DATA_DIR (SQLite) pointing at it; a non-zero exit fails "
        "the drill. E.g. 'groundswell migrate --check'. Env: RESTORE_DRILL_AFTER_RESTORE.",
    )
    parser.add_argument(
        "--workdir",
        default=os.environ.get("RESTORE_DRILL_WORKDIR") or None,
        help="Where the temporary dump or copy is written (needs room for one full backup). "
        "Env: RESTORE_DRILL_WORKDIR.",
    )
    parser.add_argument(
        "--jobs", type=int, default=min(os.cpu_count() or 1, 4), help="pg_restore --jobs"
    )
    args = parser.parse_args(argv)

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through the cleanup blocks

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    try:
        result = run_drill(dict(os.environ), args)
    except DrillError as error:
        sys.stderr.write(f"restore drill could not run: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("restore drill interrupted; scratch copy removed\n")
        return 130
    write(format_report(result) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
