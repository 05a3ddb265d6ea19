"""Test settings: production settings (groundswell.settings) with the few test-only values.

pytest uses this module (pyproject's DJANGO_SETTINGS_MODULE); nothing else should. The
differences from production are exactly these: a temporary DATA_DIR and a fixed secret key, a
per-process cache, tasks run when enqueued, fast password hashing, static files found by the
finders. Subprocesses a test starts (`groundswell serve`, the restore drill) drop
DJANGO_SETTINGS_MODULE and run with the production settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables while the production settings are computed, then restore
    them: left set, a DATA_DIR would be inherited by every xdist worker (one shared folder
    instead of one each) and by the subprocesses tests start."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Tests never touch the developer's var/: each process (each xdist worker) gets its own
# DATA_DIR, unless one is given. A fixed key, so no key file is generated into it.
with _environment(
    DATA_DIR=os.environ.get("DATA_DIR") or tempfile.mkdtemp(prefix="groundswell-test-"),
    SECRET_KEY=os.environ.get("SECRET_KEY") or "insecure-test-key-" + "x" * 40,
):
    from groundswell.settings import *  # noqa: F403
    from groundswell.settings import PASSWORD_HASHERS, STATIC_ROOT, STORAGES, env_bool

# Per-process (and the default database sessions, even with REDIS_URL), so parallel test
# workers never share rate-limit counters or cached pages.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Tasks run when enqueued (enqueueing itself still waits for commit: core.queue). Set
# TEST_REAL_TASK_BACKEND=1 to run the suite on the configured queue (database or Redis).
if not env_bool("TEST_REAL_TASK_BACKEND"):
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Hashing cost is not what tests measure.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# No collectstatic before a test run: static files come from the apps through the finders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)
