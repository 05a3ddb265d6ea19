"""Suite guards for every test tree (groundswell/ and the browser journeys in tests/).

Fixtures that a package's tests share live in that package's conftest (the personas in
groundswell/conftest.py); builders live in importable `<app>/testing.py` modules (decision 0023).
"""

from __future__ import annotations

import pytest

TEST_SETTINGS = "groundswell.settings_test"


def pytest_configure(config: pytest.Config) -> None:
    """pytest-django prefers an exported DJANGO_SETTINGS_MODULE to pyproject's: a shell left
    on the production settings would run the suite against var/ and the real task queue."""
    from django.conf import settings

    if settings.SETTINGS_MODULE != TEST_SETTINGS:
        pytest.exit(
            f"tests run with {TEST_SETTINGS}, not {settings.SETTINGS_MODULE} "
            "(unset DJANGO_SETTINGS_MODULE)",
            returncode=4,
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `postgres` is skipped on other databases, before its fixtures are built."""
    marker = item.get_closest_marker("postgres")
    if marker is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(marker.args[0] if marker.args else "PostgreSQL only (marked `postgres`)")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages cached for anonymous visitors (and rate
    limit counters, postal codes found) must not leak from one test's data into the next."""
    from django.core.cache import cache

    from groundswell.geo.selectors import postal_code_cache_clear

    cache.clear()
    postal_code_cache_clear()
    yield
    cache.clear()
    postal_code_cache_clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """LocaleMiddleware leaves the last request's language active on the thread."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _no_print(capsys):
    """A test that prints fails: output belongs in assertions or logs."""
    yield
    captured = capsys.readouterr()
    assert not captured.out, f"test printed to stdout: {captured.out[:200]!r}"
