"""SQLite with a write queue: processes wait for the write lock on a file lock, not in
SQLite's busy handler (decision 0017).

Every transaction here is a write transaction (`BEGIN IMMEDIATE`, settings.py), and SQLite
lets one run at a time. A writer that finds the lock taken waits in SQLite's busy handler,
which sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries: under load the lock sits free
while the next writer still sleeps. Measured with `make bench` (guest RSVPs), the two web
workers used about half of the CPU each, waiting, while the requests queued.

So before `BEGIN`, a transaction takes an exclusive `flock` on `<database>-writelock`, and
releases it after COMMIT or ROLLBACK (the kernel releases it if the process dies). A waiter
retries every 50-100 microseconds, so the lock passes on within a fraction of a
millisecond. After `busy_timeout` it stops waiting and lets `BEGIN` decide, exactly as
without this file lock. Writes outside a transaction (single autocommit statements) don't
take it; they are short, and SQLite's busy handler still orders them.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # not POSIX (Windows): SQLite's busy handler alone, as before
    fcntl = None  # type: ignore[assignment]

# Waits between tries: doubling from the first to the last.
FIRST_WAIT = 0.00005
LONGEST_WAIT = 0.0001
# The default if the connection's busy_timeout can't be read.
DEFAULT_TIMEOUT = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock_fd: int | None = None
        self._write_lock_held = False

    def _write_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if fcntl is None or self.is_in_memory_db() or not name:
            return None
        return f"{name}-writelock"

    def _write_lock_acquire(self) -> None:
        path = self._write_lock_path()
        if path is None or self._write_lock_held:
            return
        if self._write_lock_fd is None:
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self._busy_timeout()
        wait = FIRST_WAIT
        while True:
            try:
                fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # BEGIN waits in SQLite's busy handler and errors as it would
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)
                continue
            self._write_lock_held = True
            return

    def _write_lock_release(self) -> None:
        if self._write_lock_held and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._write_lock_held = False

    def _busy_timeout(self) -> float:
        cached = getattr(self, "_busy_timeout_seconds", None)
        if cached is None:
            try:
                milliseconds = self.connection.execute("PRAGMA busy_timeout").fetchone()[0]
                cached = milliseconds / 1000 if milliseconds else DEFAULT_TIMEOUT
            except Exception:
                cached = DEFAULT_TIMEOUT
            self._busy_timeout_seconds = cached
        return float(cached)

    def _start_transaction_under_autocommit(self) -> None:
        self._write_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private, not in the stubs
        except BaseException:
            self._write_lock_release()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._write_lock_release()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._write_lock_release()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private, not in the stubs
        finally:
            self._write_lock_release()
            if self._write_lock_fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._write_lock_fd)
                self._write_lock_fd = None
            self._busy_timeout_seconds = None
