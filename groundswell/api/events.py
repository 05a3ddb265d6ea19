"""OSDI events: list (near a place, in a date window), get, create and update.

The router only reads through the events finding selectors and policies and writes through
the hosting services (groundswell.events.hosting.services); an event's attendances and the
record attendance helper are in api/attendances.py. See docs/api.md, "Events and
attendances".
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from groundswell.api.auth import api_actor
from groundswell.api.errors import MAX_ID, ApiError, ErrorOut, django_validation_details
from groundswell.api.filters import FilterError, FilterField, datetime_parse, filter_parse
from groundswell.api.hal import CollectionOut, Hal, PageQuery, collection, identifiers, paginate
from groundswell.api.registry import aep_link_register
from groundswell.events.campaigns.selectors import campaign_by_slug
from groundswell.events.finding.selectors import MAX_RADIUS_MILES, event_card, events_search
from groundswell.events.hosting.services.approval import event_approve
from groundswell.events.hosting.services.events import event_cancel, event_create, event_update
from groundswell.events.models import Event, EventCampaign
from groundswell.events.policies import event_for_viewer
from groundswell.geo.selectors import postal_code_find
from groundswell.groups.models import Group
from groundswell.groups.selectors import group_get

router = Router(tags=["events"])
aep_link_register(
    rel="osdi:events", path="events", title=gettext_lazy("The collection of events in the system")
)

EXT = "groundswell"  # the prefix of our extension fields, as OSDI asks
DEFAULT_RADIUS_MILES = 25.0
DEFAULT_EVENT_TYPE = Event.Type.MEETING

# Our statuses in OSDI's words (the exact one is in `groundswell:status`).
OSDI_EVENT_STATUS: dict[str, str] = {
    Event.Status.PUBLISHED: "confirmed",
    Event.Status.PENDING: "tentative",
    Event.Status.REJECTED: "cancelled",
    Event.Status.CANCELLED: "cancelled",
}

# Where a hosting service's field error is reported, in the names of the JSON body.
EVENT_FIELD_NAMES = {
    "event_type": f"{EXT}:event_type",
    "starts_at": "start_date",
    "ends_at": "end_date",
    "time_zone": f"{EXT}:time_zone",
    "venue_name": "location.venue",
    "address_line": "location.address_lines",
    "postal_code": "location.postal_code",
    "country": "location.country",
    "virtual_url": f"{EXT}:virtual_url",
    "accessibility_notes": f"{EXT}:accessibility_notes",
    "shifts": f"{EXT}:shifts",
    "group": f"{EXT}:group",
    "campaign": f"{EXT}:campaign",
    "is_official": f"{EXT}:official",
    "__all__": "event",
}
EVENT_FILTERS = {"start_date": FilterField(frozenset({"gt", "lt"}), kind="datetime")}
# OSDI's geographic filter: near('20009', '5 miles'); kilometers are converted.
NEAR_FILTER = re.compile(
    r"near\(\s*'(?P<code>[^']*)'\s*,\s*'\s*(?P<distance>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>miles?|mi|kilometers?|km)?\s*'\s*\)",
    re.IGNORECASE,
)
KM_IN_MILES = 0.621371


# --- Schemas -------------------------------------------------------------------------------


class LocationPointOut(Schema):
    latitude: float
    longitude: float
    accuracy: str


class EventLocationOut(Schema):
    venue: str
    address_lines: list[str]
    locality: str
    region: str
    postal_code: str
    country: str
    location: LocationPointOut | None = None


class ShiftOut(Schema):
    identifiers: list[str]
    start_date: datetime
    end_date: datetime
    capacity: int | None
    total_accepted: int
    total_waitlisted: int


class EventOut(Schema):
    identifiers: list[str]
    origin_system: str
    title: str
    name: str
    description: str
    browser_url: str
    type: str
    status: str
    start_date: datetime
    end_date: datetime
    location: EventLocationOut | None
    capacity: int | None
    total_accepted: int
    created_date: datetime
    modified_date: datetime
    event_type: str = Field(..., alias="groundswell:event_type")
    our_status: str = Field(..., alias="groundswell:status")
    time_zone: str = Field(..., alias="groundswell:time_zone")
    official: bool = Field(..., alias="groundswell:official")
    virtual: bool = Field(..., alias="groundswell:virtual")
    virtual_url: str = Field(..., alias="groundswell:virtual_url")
    hide_address: bool = Field(..., alias="groundswell:hide_address")
    accessibility_notes: str = Field(..., alias="groundswell:accessibility_notes")
    group: int | None = Field(..., alias="groundswell:group")
    campaign: str | None = Field(..., alias="groundswell:campaign")
    shifts: list[ShiftOut] = Field(..., alias="groundswell:shifts")
    distance_miles: float | None = Field(None, alias="groundswell:distance_miles")
    links: dict[str, Any] = Field(..., alias="_links")


class EventsEmbedded(Schema):
    events: list[EventOut] = Field(..., alias="osdi:events")


class EventCollectionOut(CollectionOut):
    embedded: EventsEmbedded = Field(..., alias="_embedded")


class EventListParams(Schema):
    near: str | None = Field(None, max_length=20, description="A US ZIP code.")
    radius: float = Field(
        DEFAULT_RADIUS_MILES, gt=0, le=MAX_RADIUS_MILES, description="Miles around `near`."
    )
    start_after: str | None = Field(None, description="ISO date or time: starts at or after.")
    start_before: str | None = Field(None, description="ISO date or time: starts before.")
    type: Event.Type | None = Field(None, description="One of our event types.")
    group: int | None = Field(None, ge=1, le=MAX_ID, description="A group's id.")
    filter: str | None = Field(
        None, description="near('ZIP', 'N miles') and/or start_date gt|lt '…', joined by and."
    )


class EventLocationIn(Schema):
    venue: str | None = Field(None, max_length=150)
    address_lines: list[str] | None = Field(None, max_length=4)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2, e.g. US.")
    # `locality`, `region` and `location` are accepted and ignored: they come from the ZIP.


class EventIn(Schema):
    """OSDI event fields we accept, plus our `groundswell:` extensions. Unknown fields
    (identifiers, _links, locality...) are ignored."""

    title: str | None = Field(None, max_length=150)
    name: str | None = Field(None, max_length=150, description="Used when there is no title.")
    description: str | None = Field(None, max_length=20000)
    start_date: datetime | None = Field(
        None, description="ISO 8601; without an offset it is read in the event's time zone."
    )
    end_date: datetime | None = None
    location: EventLocationIn | None = None
    capacity: int | None = Field(None, description="Places (of the one time slot); null: no limit.")
    status: Literal["confirmed", "tentative", "cancelled"] | None = Field(
        None,
        description="On update: `cancelled` cancels the event (attendees are told); "
        "`confirmed` approves an event waiting for approval.",
    )
    event_type: Event.Type | None = Field(None, alias="groundswell:event_type")
    time_zone: str | None = Field(None, max_length=64, alias="groundswell:time_zone")
    virtual: bool | None = Field(None, alias="groundswell:virtual")
    virtual_url: str | None = Field(None, max_length=200, alias="groundswell:virtual_url")
    hide_address: bool | None = Field(None, alias="groundswell:hide_address")
    accessibility_notes: str | None = Field(
        None, max_length=2000, alias="groundswell:accessibility_notes"
    )
    group: int | None = Field(
        None, ge=1, le=MAX_ID, alias="groundswell:group", description="A group's id; null: none."
    )
    campaign: str | None = Field(
        None, max_length=80, alias="groundswell:campaign", description="A campaign's short name."
    )


# --- Resources -----------------------------------------------------------------------------


def _local(value: datetime, zone_name: str) -> datetime:
    try:
        return timezone.localtime(value, zoneinfo.ZoneInfo(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value.astimezone(UTC)


def event_resource(hal: Hal, event: Event, *, now: datetime) -> dict[str, Any]:
    card = event_card(event, now=now)
    base = f"events/{event.pk}"
    location: dict[str, Any] | None = None
    if not event.is_virtual or event.postal_code:
        location = {
            "venue": event.venue_name,
            "address_lines": [line for line in event.address_line.split("\n") if line],
            "locality": event.locality,
            "region": event.region,
            "postal_code": event.postal_code,
            "country": event.country,
        }
        if event.latitude is not None and event.longitude is not None:
            location["location"] = {
                "latitude": event.latitude,
                "longitude": event.longitude,
                "accuracy": "Approximate",
            }
    links: dict[str, Any] = {
        "self": hal.link(base),
        "osdi:attendances": hal.link(f"{base}/attendances"),
        "osdi:record_attendance_helper": hal.link(f"{base}/record_attendance_helper"),
    }
    host_person_id = getattr(event.host, "person_id", None)
    if host_person_id is not None:
        links["osdi:organizer"] = hal.link(f"people/{host_person_id}")
    shifts = getattr(event, "shift_list", None)
    if shifts is None:
        shifts = list(event.shifts.order_by("starts_at", "id"))
    return {
        "identifiers": identifiers(event),
        "origin_system": "Groundswell",
        "title": event.title,
        "name": event.title,
        "description": event.description,
        "browser_url": hal.request.build_absolute_uri(reverse("event_detail", args=[event.pk])),
        "type": "open",
        "status": OSDI_EVENT_STATUS.get(event.status, "tentative"),
        "start_date": _local(event.starts_at, event.time_zone),
        "end_date": _local(event.ends_at, event.time_zone),
        "location": location,
        "capacity": card.total_capacity,
        "total_accepted": card.total_confirmed,
        "created_date": event.created_at,
        "modified_date": event.updated_at,
        f"{EXT}:event_type": event.event_type,
        f"{EXT}:status": event.status,
        f"{EXT}:time_zone": event.time_zone,
        f"{EXT}:official": event.is_official,
        f"{EXT}:virtual": event.is_virtual,
        f"{EXT}:virtual_url": event.virtual_url,
        f"{EXT}:hide_address": event.hide_address,
        f"{EXT}:accessibility_notes": event.accessibility_notes,
        f"{EXT}:group": event.group_id,
        f"{EXT}:campaign": event.campaign.slug if event.campaign is not None else None,
        f"{EXT}:shifts": [
            {
                "identifiers": identifiers(shift),
                "start_date": _local(shift.starts_at, event.time_zone),
                "end_date": _local(shift.ends_at, event.time_zone),
                "capacity": shift.capacity,
                "total_accepted": shift.confirmed_count,
                "total_waitlisted": shift.waitlist_count,
            }
            for shift in shifts
        ],
        f"{EXT}:distance_miles": getattr(event, "distance_miles", None),
        "_links": links,
    }


def _with_curies(hal: Hal, resource: dict[str, Any]) -> dict[str, Any]:
    resource["_links"]["curies"] = hal.curies()
    return resource


def _event_or_404(request: HttpRequest, event_id: int) -> Event:
    """The same 404 for a missing event and one the token's owner may not see."""
    return event_for_viewer(api_actor(request), event_id)


def _single_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    hal = Hal(request)
    event = _event_or_404(request, event_id)
    return _with_curies(hal, event_resource(hal, event, now=timezone.now()))


# --- Query parameters ----------------------------------------------------------------------


def _bad_query(message: str, field: str) -> ApiError:
    return ApiError(400, message, {"field": field})


def _when(value: str | None, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    parsed = datetime_parse(value)
    if parsed is None:
        raise _bad_query(
            _(
                "“%(value)s” is not a date for %(field)s; use e.g. '2024-01-31' or "
                "'2024-01-31T09:00:00Z'."
            )
            % {"value": value[:40], "field": field},
            field,
        )
    return parsed


def _near_filter(text: str | None) -> tuple[str | None, tuple[str, float] | None]:
    """Split OSDI's near('ZIP', 'N miles') out of a filter; the rest is OData."""
    if not text:
        return text, None
    match = NEAR_FILTER.search(text)
    if match is None:
        if re.search(r"\bnear\s*\(", text, re.IGNORECASE):
            raise _bad_query(_("Write the near filter as near('ZIP code', 'N miles')."), "filter")
        return text, None
    miles = float(match.group("distance"))
    if (match.group("unit") or "").lower().startswith("k"):
        miles *= KM_IN_MILES
    rest = f"{text[: match.start()]} {text[match.end() :]}"
    rest = re.sub(r"\band\s+and\b", "and", rest.strip(), flags=re.IGNORECASE)
    rest = re.sub(r"^and\b|\band$", "", rest.strip(), flags=re.IGNORECASE).strip()
    return rest or None, (match.group("code"), miles)


# --- Writes --------------------------------------------------------------------------------


def _invalid(exc: ValidationError, names: dict[str, str]) -> ApiError:
    """A domain ValidationError as a 422, its fields named by their place in the JSON body
    (an error about the whole thing under names["__all__"])."""
    if not hasattr(exc, "error_dict"):
        exc = ValidationError({"__all__": exc.messages})
    return ApiError(422, _("The request body is not valid."), django_validation_details(exc, names))


def _group_input(group_id: int | None) -> Group | None:
    if group_id is None:
        return None
    group = group_get(group_id=group_id)
    if group is None:
        raise ValidationError({"group": _("There is no group with this id.")})
    return group


def _campaign_input(slug: str | None) -> EventCampaign | None:
    if not slug:
        return None
    try:
        return campaign_by_slug(slug)
    except Http404:
        raise ValidationError(
            {"campaign": _("There is no campaign with this short name.")}
        ) from None


def _event_fields(data: EventIn) -> dict[str, Any]:
    """The hosting services' keyword arguments for the fields that were sent."""
    sent = data.model_fields_set
    fields: dict[str, Any] = {}
    if "title" in sent or "name" in sent:
        fields["title"] = data.title or data.name or ""
    simple = {
        "description": "description",
        "event_type": "event_type",
        "time_zone": "time_zone",
        "virtual": "is_virtual",
        "virtual_url": "virtual_url",
        "hide_address": "hide_address",
        "accessibility_notes": "accessibility_notes",
    }
    for name, argument in simple.items():
        if name in sent:
            value = getattr(data, name)
            fields[argument] = (
                value
                if value is not None
                else (False if name in {"virtual", "hide_address"} else "")
            )
    if "start_date" in sent:
        fields["starts_at"] = data.start_date
    if "end_date" in sent:
        fields["ends_at"] = data.end_date
    if "capacity" in sent:
        fields["capacity"] = data.capacity
    if data.location is not None:
        location, where = data.location, data.location.model_fields_set
        if "venue" in where:
            fields["venue_name"] = location.venue or ""
        if "address_lines" in where:
            lines = [line.strip() for line in location.address_lines or [] if line.strip()]
            fields["address_line"] = "\n".join(lines)
        if "postal_code" in where:
            fields["postal_code"] = location.postal_code or ""
        if "country" in where:
            fields["country"] = (location.country or "US").upper()
    if "group" in sent:
        fields["group"] = _group_input(data.group)
    if "campaign" in sent:
        fields["campaign"] = _campaign_input(data.campaign)
    return fields


WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 415: ErrorOut, 422: ErrorOut}


# --- Events --------------------------------------------------------------------------------


@router.get(
    "/events",
    response={200: EventCollectionOut, 400: ErrorOut, 401: ErrorOut},
    by_alias=True,
    url_name="events_list",
    summary="List events",
)
def events_list(request: HttpRequest, paging: PageQuery, params: Query[EventListParams]):
    """Every event (past, pending and cancelled included) in id order, or nearest first with
    a place. `near=ZIP&radius=MILES` (default 25, at most 500) keeps in-person events
    around a US ZIP code; `start_after`/`start_before` (ISO dates or times) bound the start;
    `type` is one of our event types; `group` a group's id. `filter` takes OSDI's
    `near('ZIP', 'N miles')` and OData `start_date gt|lt '…'`, joined by `and`."""
    near, radius = params.near, params.radius
    rest, osdi_near = _near_filter(params.filter)
    try:
        conditions = filter_parse(rest, fields=EVENT_FILTERS)
    except FilterError as exc:
        raise ApiError(400, exc.message, {"field": exc.field} if exc.field else None) from exc
    starts_after = _when(params.start_after, "start_after")
    starts_before = _when(params.start_before, "start_before")
    for condition in conditions:
        assert isinstance(condition.value, datetime)
        if condition.operator == "gt":
            starts_after = max(starts_after or condition.value, condition.value)
        else:
            starts_before = min(starts_before or condition.value, condition.value)
    if osdi_near is not None:
        near, radius = osdi_near[0], min(osdi_near[1], MAX_RADIUS_MILES)
    origin = None
    if near is not None:
        origin = postal_code_find(country="US", code=near)
        if origin is None:
            raise _bad_query(
                _("We don't know the ZIP code “%(code)s”. Check it and try again.")
                % {"code": near.strip()[:20]},
                "near",
            )
    events = events_search(
        viewer=api_actor(request),
        near=origin,
        radius_miles=radius,
        starts_after=starts_after,
        starts_before=starts_before,
        event_type=params.type or "",
        group=params.group,
        order="distance" if origin is not None else "id",
        include_past=True,
        include_virtual=origin is None,
        include_unlisted=True,
    ).select_related("host", "campaign")
    hal = Hal(request)
    now = timezone.now()
    return collection(
        hal,
        paginate(events, paging),
        rel="osdi:events",
        item=lambda event: event_resource(hal, event, now=now),
    )


@router.post(
    "/events",
    response={200: EventOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="events_create",
    summary="Create an event",
)
def events_create(request: HttpRequest, payload: EventIn):
    """An official event hosted by the token's owner, published at once. Required: `title`
    (or `name`), `start_date`, `end_date`, and `location.postal_code` unless
    `groundswell:virtual` is true (then `groundswell:virtual_url`)."""
    actor = api_actor(request)
    try:
        fields = _event_fields(payload)
        fields.setdefault("title", "")
        fields.setdefault("event_type", DEFAULT_EVENT_TYPE)
        event = event_create(host=actor, is_official=True, actor=actor, **fields)
    except ValidationError as exc:
        raise _invalid(exc, EVENT_FIELD_NAMES) from exc
    except PermissionDenied as exc:
        raise ApiError(403, _("You may not create this event.")) from exc
    return _single_event(request, event.pk)


@router.get(
    "/events/{int:event_id}",
    response={200: EventOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="events_detail",
    summary="Get an event",
)
def events_detail(request: HttpRequest, event_id: int):
    return _single_event(request, event_id)


@router.put(
    "/events/{int:event_id}",
    response={200: EventOut, 404: ErrorOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="events_update",
    summary="Update an event",
)
def events_update(request: HttpRequest, event_id: int, payload: EventIn):
    """Partial update: fields left out keep their values. Attendees are told when the time
    changes; `status: cancelled` cancels the event, `status: confirmed` approves a waiting
    one."""
    actor = api_actor(request)
    event = _event_or_404(request, event_id)
    try:
        fields = _event_fields(payload)
        if fields:
            event = event_update(event=event, actor=actor, **fields)
        if payload.status == "cancelled" and event.status != Event.Status.CANCELLED:
            event_cancel(event=event, actor=actor)
        elif payload.status == "confirmed" and event.status == Event.Status.PENDING:
            event_approve(event=event, actor=actor)
    except ValidationError as exc:
        raise _invalid(exc, EVENT_FIELD_NAMES) from exc
    except PermissionDenied as exc:
        raise ApiError(403, _("You may not change this event.")) from exc
    return _single_event(request, event.pk)
