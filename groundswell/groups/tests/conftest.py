"""Group test fixtures: ZIP codes with known centroids, a group and its personas.

Personas of the authorization matrix: anonymous, `member` (a plain member of the group),
`other_member` (signed in, not in the group), `co_leader`, `leader`, `organizer` (staff).
"""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.conftest import make_member
from groundswell.geo.models import PostalCode
from groundswell.geo.testing import postal_codes_put
from groundswell.groups.models import Group, GroupMembership
from groundswell.groups.services import group_create, group_join, group_member_role_set

# code: (place, state, latitude, longitude); miles from 10001 in the comments.
POSTAL_CODES = {
    "10001": ("New York", "NY", 40.7484, -73.9967),  # 0
    "10011": ("New York", "NY", 40.7402, -73.9996),  # ~0.6
    "10003": ("New York", "NY", 40.7313, -73.9892),  # ~1.2
    "11201": ("Brooklyn", "NY", 40.6940, -73.9903),  # ~3.8
    "07030": ("Hoboken", "NJ", 40.7445, -74.0329),  # ~1.9
    "19103": ("Philadelphia", "PA", 39.9513, -75.1741),  # ~83
    "60601": ("Chicago", "IL", 41.8858, -87.6181),  # ~711
}
UNKNOWN_ZIP = "00001"


def postal_codes_ensure() -> None:
    postal_codes_put(POSTAL_CODES, time_zone="America/New_York")
    PostalCode.objects.filter(country="US", code=UNKNOWN_ZIP).delete()


@pytest.fixture(autouse=True)
def postal_codes(db) -> None:
    postal_codes_ensure()


def new_group(
    creator: Any,
    *,
    name: str = "Chelsea for Change",
    postal_code: str = "10001",
    focus: str = "neighborhood",
    **kwargs: Any,
) -> Group:
    return group_create(creator=creator, name=name, focus=focus, postal_code=postal_code, **kwargs)


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


def role_of(group: Group, user: Any) -> str | None:
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    return membership.role if membership else None
