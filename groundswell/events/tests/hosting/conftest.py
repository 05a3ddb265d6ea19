"""The hosting tests' fixtures: a published event `member` hosts, with three places."""

from __future__ import annotations

import pytest

from groundswell.events.models import Event
from groundswell.events.testing import host_event


@pytest.fixture
def event(member, organizer) -> Event:
    return host_event(member, publish_as=organizer, capacity=3)
