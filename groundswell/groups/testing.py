"""Builders for group tests: ZIP codes with known centroids, a group made through the real
service, and a member's role in it."""

from __future__ import annotations

from typing import Any

from groundswell.geo.models import PostalCode
from groundswell.geo.testing import postal_codes_put
from groundswell.groups.models import Group, GroupMembership
from groundswell.groups.services import group_create

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
    """The codes above in place (zone America/New_York), and UNKNOWN_ZIP known to no one."""
    postal_codes_put(POSTAL_CODES, time_zone="America/New_York")
    PostalCode.objects.filter(country="US", code=UNKNOWN_ZIP).delete()


def new_group(
    creator: Any,
    *,
    name: str = "Chelsea for Change",
    postal_code: str = "10001",
    focus: str = "neighborhood",
    **kwargs: Any,
) -> Group:
    return group_create(creator=creator, name=name, focus=focus, postal_code=postal_code, **kwargs)


def role_of(group: Group, user: Any) -> str | None:
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    return membership.role if membership else None
