"""Builders for events tests (and the API's and the browser journeys'): one event builder,
people and RSVPs, events made through the hosting services, and helpers for the tasks due
later that the `deferred` fixture (events/tests/conftest.py) keeps.

Two ways to make an event, on purpose:
- `make_event` writes the rows directly (a leaf row with its shifts), so a test can put an
  event in the past, at an exact point, in any status or with counters already set;
- `host_event` goes through `event_create` (and `event_approve`), the rows a real host makes.

Importable by any test; a test module never imports another test module or a conftest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.tasks.base import TaskResult
from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.accounts.testing import make_member
from groundswell.events.hosting.services.approval import event_approve
from groundswell.events.hosting.services.events import event_create
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp.services import attendance_rsvp
from groundswell.geo.models import PostalCode
from groundswell.geo.near import EARTH_RADIUS_MILES
from groundswell.people.models import Person

# --- Places ---------------------------------------------------------------------------------

# Real ZIP centroids (loaded by the geo migration in every test database).
NYC = (40.7484, -73.9967)  # 10001, Manhattan
HOBOKEN = (40.7445, -74.0329)  # 07030, about 2 miles west
STAMFORD = (41.0531, -73.5390)  # 06901, about 32 miles north-east
PHILADELPHIA = (39.9513, -75.1741)  # 19103, about 80 miles south-west


@dataclass(frozen=True)
class Place:
    """Where a built event is: its point, zone and address."""

    point: tuple[float, float]
    time_zone: str
    venue_name: str
    address_line: str
    locality: str
    region: str
    postal_code: str


PLACE_NEW_YORK = Place(
    NYC, "America/New_York", "Chelsea Library", "303 W 23rd St", "New York", "NY", "10001"
)
PLACE_CHICAGO = Place(
    (41.88, -87.62),
    "America/Chicago",
    "Maple Street Library",
    "123 Maple Street",
    "Chicago",
    "IL",
    "60601",
)


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


def zip_code(code: str = "60601", **fields: Any) -> PostalCode:
    """A postal code (Chicago's centroid unless told), kept as it is when it exists."""
    defaults = {"place_name": "Chicago", "admin1": "IL", "latitude": 41.88, "longitude": -87.62}
    defaults.update(fields)
    postal, _ = PostalCode.objects.get_or_create(country="US", code=code, defaults=defaults)
    return postal


# --- Events as rows ---------------------------------------------------------------------------


def soon(days: float = 3, hour: int = 15) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


_AT_PLACE: Any = object()


def make_event(
    host: Any,
    *,
    place: Place = PLACE_NEW_YORK,
    at: tuple[float, float] | None = _AT_PLACE,
    starts_at: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    status: str = Event.Status.PUBLISHED,
    capacity: int | None = None,
    shifts: int = 1,
    confirmed: int = 0,
    **fields: Any,
) -> Event:
    """An event at `place` (its point, or `at`; None: online) with `shifts` consecutive
    shifts of `duration`, each with `capacity` and `confirmed` people counted as going.
    Any Event field can be given; it wins over the place's."""
    starts_at = starts_at or soon()
    at = place.point if at is _AT_PLACE else at
    values: dict[str, Any] = {
        "title": "Canvass the neighborhood",
        "description": "Knock on doors with us.",
        "event_type": Event.Type.CANVASS,
        "time_zone": place.time_zone,
        "venue_name": place.venue_name,
        "address_line": place.address_line,
        "locality": place.locality,
        "region": place.region,
        "postal_code": place.postal_code,
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


def first_shift(event: Event) -> Shift:
    shift = Shift.objects.filter(event=event).order_by("starts_at", "pk").first()
    assert shift is not None
    return shift


def move_to_past(event: Event, *, hours_ago: int = 3) -> Event:
    """Shift an event (and its shifts) so it started `hours_ago` and has ended."""
    delta = event.starts_at - (timezone.now() - timedelta(hours=hours_ago))
    for shift in Shift.objects.filter(event=event):
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=shift.starts_at - delta, ends_at=shift.ends_at - delta
        )
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at - delta, ends_at=event.ends_at - delta
    )
    event.refresh_from_db()
    return event


# --- Events through the hosting services --------------------------------------------------------


def next_week_local(hour: int = 10, days: int = 7) -> datetime:
    """A naive local time `days` from now at `hour`:00 (what a host types in the form)."""
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0)


def host_event(host: Any, *, publish_as: Any = None, **fields: Any) -> Event:
    """An event created by `host` through event_create; published by `publish_as` (an
    organizer) when given."""
    values: dict[str, Any] = {
        "title": "Canvass Chelsea",
        "event_type": Event.Type.CANVASS,
        "postal_code": "10001",
        "venue_name": "Chelsea Library",
        "address_line": "303 W 10th St",
    }
    if "shifts" not in fields and "starts_at" not in fields:
        values["starts_at_local"] = next_week_local(10)
        values["ends_at_local"] = next_week_local(12)
    values.update(fields)
    event = event_create(host=host, **values)
    if publish_as is not None and event.status == Event.Status.PENDING:
        event = event_approve(event=event, actor=publish_as)
    return event


def make_cohost(email: str = "cohost@example.org") -> User:
    return make_member(email, given_name="Cora", family_name="Cohost")


def event_form_data(**overrides: str) -> dict[str, str]:
    """What the "host an event" form posts for one 10:00-12:00 slot next week in 10001."""
    data = {
        "event_type": "canvass",
        "title": "Saturday canvass",
        "description": "Meet at the library.",
        "date": next_week_local(10).date().isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "capacity": "12",
        "postal_code": "10001",
        "venue_name": "Chelsea Library",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-date": "",
        "form-0-start_time": "",
        "form-0-end_time": "",
        "form-0-capacity": "",
    }
    data.update(overrides)
    return data


# --- People and RSVPs ---------------------------------------------------------------------------


def make_person(
    email: str, given_name: str = "Pat", family_name: str = "Guest", **fields: Any
) -> Person:
    """A person without an account (a guest who RSVPed, a contact)."""
    return Person.objects.create(
        email=email, given_name=given_name, family_name=family_name, **fields
    )


def rsvp(event: Event, person: Person, shift: Shift | None = None, **kwargs: Any) -> Attendance:
    """`person` RSVPed through the RSVP service (to the first upcoming shift by default)."""
    return attendance_rsvp(event=event, person=person, shift=shift, **kwargs).attendance


def counts_match(shift: Shift) -> bool:
    """The shift's counters agree with its attendance rows."""
    shift.refresh_from_db()
    confirmed = shift.attendances.filter(status=Attendance.Status.CONFIRMED).count()
    waitlisted = shift.attendances.filter(status=Attendance.Status.WAITLISTED).count()
    return (shift.confirmed_count, shift.waitlist_count) == (confirmed, waitlisted)


# --- Tasks due later --------------------------------------------------------------------------


def run_deferred(result: TaskResult) -> Any:
    """Run a kept task now, as the worker would at its run_after time."""
    return result.task.call(*result.args, **result.kwargs)


def shift_reminders(deferred: list[TaskResult], shift_id: int | None = None) -> list[TaskResult]:
    """The queued shift reminder tasks (of one shift, if given), in queue order."""
    from groundswell.events.reminders.tasks import shift_reminders_send

    return [
        r
        for r in deferred
        if r.task.func is shift_reminders_send.func and shift_id in (None, r.args[0])
    ]
