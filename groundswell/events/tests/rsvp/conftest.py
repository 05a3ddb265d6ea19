"""The RSVP tests' fixtures: the host of the events they RSVP to."""

from __future__ import annotations

import pytest

from groundswell.accounts.models import User
from groundswell.accounts.testing import make_member


@pytest.fixture
def host(db) -> User:
    return make_member("host@example.org", given_name="Hana", family_name="Host")
