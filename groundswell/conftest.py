"""Shared fixtures: the fixed personas every authorization test uses.

Personas are built through the real services (member_create, by the builders in
groundswell/accounts/testing.py), so tests see the same rows a real sign-up produces.
"""

from __future__ import annotations

import pytest

from groundswell.accounts.models import User
from groundswell.accounts.testing import PASSWORD, make_member


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
def superuser(db) -> User:
    """Django's superuser (`createsuperuser`), who may do anything in the admin."""
    return User.objects.create_superuser("root@example.org", PASSWORD)


@pytest.fixture
def admin_client(client, superuser):
    """The test client signed in as `superuser` (overrides pytest-django's `admin_client`, so
    every admin test signs in as the same persona)."""
    client.force_login(superuser)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def rate_limit_window_start(monkeypatch):
    """Hold the rate limiter's clock at midnight UTC, where every window (minute, 10 minutes,
    hour, day) starts: a test can't straddle two windows and flake."""
    import time

    from groundswell.core import ratelimit

    midnight = time.time() // 86400 * 86400
    monkeypatch.setattr(ratelimit, "_now", lambda: midnight)
