"""Shared by the hosting, host tools and campaign tests: events built through the hosting
services (the rows a real host produces), RSVPs through the RSVP service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services_hosting import event_approve, event_create
from groundswell.events.services_rsvp import attendance_rsvp
from groundswell.people.models import Person


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


def first_shift(event: Event) -> Shift:
    return Shift.objects.filter(event=event).order_by("starts_at", "pk").first()


def guest(email: str, given_name: str = "Pat", family_name: str = "Guest", **fields: Any) -> Person:
    return Person.objects.create(
        email=email, given_name=given_name, family_name=family_name, **fields
    )


def rsvp(event: Event, person: Person, shift: Shift | None = None, **kwargs: Any) -> Attendance:
    return attendance_rsvp(event=event, person=person, shift=shift, **kwargs).attendance


def make_cohost(email: str = "cohost@example.org") -> Any:
    return make_member(email, given_name="Cora", family_name="Cohost")


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
