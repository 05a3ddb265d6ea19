"""Group test fixtures: ZIP codes with known centroids, a group and its personas (the builders
are in groundswell/groups/testing.py).

Personas of the authorization matrix: anonymous, `member` (a plain member of the group),
`other_member` (signed in, not in the group), `co_leader`, `leader`, `organizer` (staff).
"""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.accounts.testing import make_member
from groundswell.groups.models import Group
from groundswell.groups.services import group_join, group_member_role_set
from groundswell.groups.testing import new_group, postal_codes_ensure


@pytest.fixture(autouse=True)
def _postal_codes(db) -> None:
    postal_codes_ensure()


@pytest.fixture
def leader(db):
    return make_member("leader@example.org", given_name="Lee", family_name="Leader")


@pytest.fixture
def co_leader(db):
    return make_member("co@example.org", given_name="Cora", family_name="Colead")


@pytest.fixture
def group(leader) -> Group:
    return new_group(
        leader, description="We knock doors in Chelsea.", meeting_area="Muhlenberg Library"
    )


@pytest.fixture
def world(group, leader, co_leader, member, other_member, organizer) -> dict[str, Any]:
    """The group with a leader, a co-leader and a plain member; other_member is outside."""
    group_join(group=group, user=co_leader)
    group_member_role_set(group=group, actor=leader, user=co_leader, role="co_leader")
    group_join(group=group, user=member)
    group.refresh_from_db()
    return {
        "group": group,
        "leader": leader,
        "co_leader": co_leader,
        "member": member,
        "other_member": other_member,
        "organizer": organizer,
    }
