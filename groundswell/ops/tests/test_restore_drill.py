"""The restore drill (scripts/restore-drill.sh) end to end, on PostgreSQL and on SQLite.

Everything runs in subprocesses against scratch databases made here and dropped afterwards;
pytest-django's test database is not used. A drill that restores a copy with rows missing must
fail: the tests delete rows from the restored copy through the drill's --after-restore hook.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

REPO_DIR = Path(__file__).resolve().parents[3]
DRILL = REPO_DIR / "scripts" / "restore-drill.sh"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
ENV_DROPPED = {
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
}
MEMBERS = ["ana@example.org", "ben@example.org", "cleo@example.org"]

pytestmark = pytest.mark.xdist_group("restore")

# Deletes the audit log from the restored copy, whichever engine the drill points it at.
SABOTAGE_HOOK = """
import os, sqlite3
url = os.environ.get("DATABASE_URL")
if url:
    import psycopg
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM core_auditentry")
else:
    connection = sqlite3.connect(os.path.join(os.environ["DATA_DIR"], "groundswell.sqlite3"))
    connection.execute("DELETE FROM core_auditentry")
    connection.commit()
    connection.close()
"""


def _drill_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "restore_drill", REPO_DIR / "scripts" / "restore_drill.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["restore_drill"] = module  # dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a real deployment: no test settings, only what we set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_SETTINGS", "RESTORE_DRILL"))
        and key not in ENV_DROPPED
    }
    env.update({"DATA_DIR": str(tmp_path / "data"), "PYTHON": sys.executable, **extra})
    return env


def _groundswell(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _seed(env: dict[str, str]) -> None:
    _groundswell(env, "migrate", "--verbosity", "0")
    # One process per member, side by side: each spends most of its time starting Django.
    command = [
        sys.executable,
        "-m",
        "groundswell",
        "create_member",
        "--password",
        "drill-pass-1234",
    ]
    creating = [
        subprocess.Popen(
            [*command, "--email", email],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for email in MEMBERS
    ]
    for process in creating:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-2000:]


def _drill(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DRILL), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _row(report: str, table: str) -> tuple[str, str, str]:
    match = re.search(rf"^\s+{table}\s+([\d,-]+)\s+([\d,-]+)\s+(\w+)$", report, re.MULTILINE)
    assert match, f"{table} missing from the report:\n{report}"
    return match.group(1), match.group(2), match.group(3)


def _sabotage(tmp_path: Path) -> str:
    hook = tmp_path / "sabotage.py"
    hook.write_text(SABOTAGE_HOOK)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(hook))}"


# --- The comparison itself -----------------------------------------------------------------


def test_compare_counts_fails_on_a_different_missing_or_extra_table():
    drill = _drill_module()
    rows = drill.compare_counts(
        {"accounts_user": 3, "core_auditentry": 6, "people_person": 3},
        {"accounts_user": 3, "core_auditentry": 5, "events_event": 0},
    )
    assert [(row.table, row.status) for row in rows] == [
        ("accounts_user", "ok"),
        ("core_auditentry", "MISMATCH"),
        ("events_event", "EXTRA"),
        ("people_person", "MISSING"),
    ]
    result = drill.DrillResult("SQLite", "src", "copy", tables=rows)
    assert not result.ok
    report = drill.format_report(result)
    assert report.splitlines()[-1].startswith(
        "FAILED: 3 of 4 tables differ: core_auditentry, events_event, people_person"
    )
    same = drill.DrillResult("SQLite", "src", "copy", tables=rows[:1])
    assert same.ok
    assert "OK: 1 tables, 3 rows" in drill.format_report(same)
    failed_check = drill.DrillResult(
        "SQLite", "src", "copy", tables=rows[:1], checks=[("integrity_check", False, "page 4")]
    )
    assert not failed_check.ok


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg_admin():
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_SERVER} is required in CI: {error}")
        pytest.skip(f"PostgreSQL at {PG_SERVER} is not reachable")
    try:
        yield admin
    finally:
        admin.close()


def _databases_like(admin, prefix: str) -> list[str]:
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
    ).fetchall()
    return [name for (name,) in rows]


def test_postgres_drill_restores_every_row_and_fails_when_rows_go_missing(pg_admin, tmp_path):
    source = f"gs_drill_src_{secrets.token_hex(4)}"
    pg_admin.execute(f'CREATE DATABASE "{source}"')
    try:
        work = tmp_path / "work"
        work.mkdir()
        env = _env(tmp_path, DATABASE_URL=f"{PG_SERVER}/{source}")
        _seed(env)
        with psycopg.connect(f"{PG_SERVER}/{source}") as connection:
            users = connection.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            audit = connection.execute("SELECT count(*) FROM core_auditentry").fetchone()[0]
        assert users == len(MEMBERS)
        assert audit >= len(MEMBERS)

        done = _drill(env, "--workdir", str(work))
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"Restore drill (PostgreSQL): {source} -> {source}_drill_")
        assert _row(done.stdout, "accounts_user") == ("3", "3", "ok")
        assert _row(done.stdout, "geo_postalcode")[2] == "ok"
        assert "OK: " in done.stdout
        assert "check pg_restore: ok" in done.stdout
        assert _databases_like(pg_admin, f"{source}_drill_") == []
        assert list(work.iterdir()) == []

        broken = _drill(env, "--workdir", str(work), "--after-restore", _sabotage(tmp_path))
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert _row(broken.stdout, "core_auditentry") == (str(audit), "0", "MISMATCH")
        assert _row(broken.stdout, "accounts_user") == ("3", "3", "ok")
        assert "FAILED: 1 of " in broken.stdout
        # The source was only read; the scratch copy is gone even though the drill failed.
        with psycopg.connect(f"{PG_SERVER}/{source}") as connection:
            assert connection.execute("SELECT count(*) FROM core_auditentry").fetchone()[0] == audit
        assert _databases_like(pg_admin, f"{source}_drill_") == []
        assert list(work.iterdir()) == []
    finally:
        for name in [source, *_databases_like(pg_admin, f"{source}_drill_")]:
            pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- SQLite ----------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_drill_restores_every_row_and_fails_when_rows_go_missing(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = _env(tmp_path)
    _seed(env)
    database = tmp_path / "data" / "groundswell.sqlite3"
    before = _digest(database)

    done = _drill(env, "--workdir", str(work))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"Restore drill (SQLite): {database} -> {work}")
    assert _row(done.stdout, "accounts_user") == ("3", "3", "ok")
    assert "check integrity_check: ok" in done.stdout
    assert "check foreign_key_check: ok" in done.stdout
    assert "OK: " in done.stdout

    broken = _drill(env, "--workdir", str(work), "--after-restore", _sabotage(tmp_path))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    source_audit = _row(broken.stdout, "core_auditentry")
    assert source_audit[1:] == ("0", "MISMATCH")
    assert int(source_audit[0]) >= len(MEMBERS)
    assert "FAILED: 1 of " in broken.stdout

    assert _digest(database) == before
    assert list(work.iterdir()) == []


def test_drill_without_a_database_cannot_run(tmp_path):
    done = _drill(_env(tmp_path, DATA_DIR=str(tmp_path / "nothing-here")))
    assert done.returncode == 2
    assert "no database at" in done.stderr
    assert done.stdout == ""
