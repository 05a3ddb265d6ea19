"""Shared by the finder and events API tests: events placed at known spots around New York.

Events are leaf rows here (built directly, with their shifts), so a test can put one in the
past, at an exact point or in any status; the hosting services have their own tests.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from groundswell.events.models import Event, Shift
from groundswell.geo.near import EARTH_RADIUS_MILES

# Real ZIP centroids (loaded by the geo migration in every test database).
NYC = (40.7484, -73.9967)  # 10001, Manhattan
HOBOKEN = (40.7445, -74.0329)  # 07030, about 2 miles west
STAMFORD = (41.0531, -73.5390)  # 06901, about 32 miles north-east
PHILADELPHIA = (39.9513, -75.1741)  # 19103, about 80 miles south-west


def offset(point: tuple[float, float], *, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` away from `point` in direction `bearing` (degrees from north)."""
    lat1, lng1 = math.radians(point[0]), math.radians(point[1])
    angular = miles / EARTH_RADIUS_MILES
    theta = math.radians(bearing)
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(theta)
    )
    lng2 = lng1 + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(lat1),
        math.cos(angular) - math.sin(lat1) * math.sin(lat2),
    )
    return math.degrees(lat2), (math.degrees(lng2) + 540) % 360 - 180


def soon(days: float = 3, hour: int = 15) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def make_event(
    host: Any,
    *,
    at: tuple[float, float] | None = NYC,
    starts_at: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    status: str = Event.Status.PUBLISHED,
    capacity: int | None = None,
    shifts: int = 1,
    confirmed: int = 0,
    **fields: Any,
) -> Event:
    """An event at `at` (None: online) with `shifts` consecutive shifts of `duration`."""
    starts_at = starts_at or soon()
    values: dict[str, Any] = {
        "title": "Canvass the neighborhood",
        "description": "Knock on doors with us.",
        "event_type": Event.Type.CANVASS,
        "time_zone": "America/New_York",
        "venue_name": "Chelsea Library",
        "address_line": "303 W 23rd St",
        "locality": "New York",
        "region": "NY",
        "postal_code": "10001",
    }
    values.update(fields)
    if at is None:
        values.setdefault("is_virtual", True)
        values.update(venue_name="", address_line="", locality="", region="", postal_code="")
    event = Event.objects.create(
        host=host,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + duration * shifts,
        latitude=at[0] if at else None,
        longitude=at[1] if at else None,
        **values,
    )
    Shift.objects.bulk_create(
        [
            Shift(
                event=event,
                starts_at=starts_at + duration * index,
                ends_at=starts_at + duration * (index + 1),
                capacity=capacity,
                confirmed_count=confirmed,
            )
            for index in range(shifts)
        ]
    )
    return event
