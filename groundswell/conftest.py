"""Shared fixtures: the fixed personas every authorization test uses.

Personas are built through the real services (member_create), so tests see the same rows a
real sign-up produces.
"""

from __future__ import annotations

import pytest

from groundswell.accounts.models import User
from groundswell.accounts.services import member_create

PASSWORD = "correct horse battery staple"  # noqa: S105 (test persona)


def make_member(email: str, *, staff_role: str = "", postal_code: str = "", **names: str) -> User:
    return member_create(
        email=email, password=PASSWORD, staff_role=staff_role, postal_code=postal_code, **names
    )


@pytest.fixture
def member(db) -> User:
    """A supporter: the subject of most member tests."""
    return make_member("member@example.org", given_name="Maya", family_name="Member")


@pytest.fixture
def other_member(db) -> User:
    """Another supporter, who must not see or change the first one's private things."""
    return make_member("other@example.org", given_name="Otto", family_name="Other")


@pytest.fixture
def organizer(db) -> User:
    return make_member("organizer@example.org", staff_role=User.StaffRole.ORGANIZER)


@pytest.fixture
def hq(db) -> User:
    return make_member("hq@example.org", staff_role=User.StaffRole.HQ)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


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


@pytest.fixture
def rate_limit_window_start(monkeypatch):
    """Hold the rate limiter's clock at midnight UTC, where every window (minute, 10 minutes,
    hour, day) starts: a test can't straddle two windows and flake."""
    import time

    from groundswell.core import ratelimit

    midnight = time.time() // 86400 * 86400
    monkeypatch.setattr(ratelimit, "_now", lambda: midnight)
