"""The SQLite backend's write queue (decision 0017): a transaction holds a file lock from
BEGIN to COMMIT or ROLLBACK, a second writer waits on it and goes as soon as it is free,
and after busy_timeout it stops waiting and leaves the decision to SQLite."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from groundswell.core.sqlite_backend.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path: Path, busy_timeout_ms: int = 5000) -> DatabaseWrapper:
    settings = {
        "ENGINE": "groundswell.core.sqlite_backend",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={busy_timeout_ms};",
            "transaction_mode": "IMMEDIATE",
        },
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias=f"lock-test-{path.name}")


def _held_elsewhere(path: Path) -> bool:
    """Whether another open file can't take the write lock right now."""
    fd = os.open(f"{path}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _begin(wrapper: DatabaseWrapper) -> None:
    wrapper.ensure_connection()
    wrapper._start_transaction_under_autocommit()


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_transaction_holds_the_lock_until_it_ends(tmp_path, end):
    db = tmp_path / "one.sqlite3"
    wrapper = _wrapper(db)
    try:
        _begin(wrapper)
        wrapper.cursor().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        assert _held_elsewhere(db)
        getattr(wrapper, end)()
        assert not _held_elsewhere(db)
        # Outside a transaction (autocommit) nothing holds it.
        wrapper.cursor().execute("SELECT 1")
        assert not _held_elsewhere(db)
    finally:
        wrapper.close()
    assert not _held_elsewhere(db)


def test_closing_in_a_transaction_releases_it(tmp_path):
    db = tmp_path / "closed.sqlite3"
    wrapper = _wrapper(db)
    _begin(wrapper)
    assert _held_elsewhere(db)
    wrapper.close()
    assert not _held_elsewhere(db)


def test_a_second_writer_waits_then_goes_at_once(tmp_path):
    db = tmp_path / "two.sqlite3"
    first = _wrapper(db)
    began = threading.Event()
    waited: list[float] = []

    def write() -> None:
        second = _wrapper(db)  # a connection belongs to the thread that made it
        started = time.monotonic()
        _begin(second)
        waited.append(time.monotonic() - started)
        began.set()
        second.commit()
        second.close()

    try:
        _begin(first)
        thread = threading.Thread(target=write)
        thread.start()
        assert not began.wait(0.2)  # still waiting for the first transaction
        released_at = time.monotonic()
        first.commit()
        assert began.wait(5)
        thread.join(5)
        # It started within a few milliseconds of the release (SQLite's busy handler could
        # have slept up to 25 ms more at this point of its back-off).
        assert time.monotonic() - released_at < 0.1
        assert waited[0] >= 0.2
    finally:
        first.close()


def test_after_busy_timeout_sqlite_decides(tmp_path):
    db = tmp_path / "stuck.sqlite3"
    wrapper = _wrapper(db, busy_timeout_ms=100)
    fd = os.open(f"{db}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a holder that never lets go (but holds no SQLite lock)
    try:
        started = time.monotonic()
        _begin(wrapper)  # SQLite itself is free, so BEGIN IMMEDIATE succeeds
        assert 0.1 <= time.monotonic() - started < 2
        wrapper.cursor().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        wrapper.commit()
    finally:
        wrapper.close()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
