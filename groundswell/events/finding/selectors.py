"""Reads for finding events: the event finder, the campaign/group lists and the OSDI API.

`events_search` answers "events near here, in this date window, of this type" in a fixed
number of queries whatever the page size (a COUNT, the page, and one query for the page's
shifts): the distance is an annotation; the next shift and the places left come from the
prefetched shifts (`event_card`), never from per-row lookups. How it stays fast on 200,000
events is written up in docs/events.md ("Finding events"); in short, the index
`events_event_find` on (status, starts_at, is_virtual, latitude, longitude, ends_at) lets the
database range-scan the date window of published events and check every other condition but
the exact distance from the index alone, so it only reads the rows that are near *and* soon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Case, F, FloatField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from groundswell.events.models import Event, EventCampaign, Shift
from groundswell.events.policies import events_visible_to
from groundswell.geo.models import PostalCode
from groundswell.geo.near import bounding_box, distance_expression
from groundswell.groups.models import Group

Order = Literal["date", "distance", "id"]

# The finder lists published events. Cancelled ones stay reachable at their address (the
# policy lets anyone see them), but nobody searches for something they can't attend.
# A host finds their own events while they wait for approval (or after a rejection), badged.
OWN_UNLISTED_STATUSES = (Event.Status.PENDING, Event.Status.REJECTED)
# "Not past" means "has not ended yet". The finder's index is on starts_at, so the search also
# bounds starts_at from below: an event that started longer ago than this is no longer listed
# even if it is still running (a month-long programme is better hosted as several events).
# The hosting form refuses events longer than this, so in practice nothing is lost.
LONGEST_LISTED_EVENT = timedelta(days=14)
MAX_RADIUS_MILES = 500.0
MAX_TEXT_WORDS = 6


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def _as_point(near: PostalCode | Point | tuple[float, float] | None) -> Point | None:
    if near is None:
        return None
    if isinstance(near, Point):
        return near
    if isinstance(near, tuple):
        return Point(latitude=float(near[0]), longitude=float(near[1]))
    return Point(latitude=near.latitude, longitude=near.longitude)


def _pk(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value.pk if hasattr(value, "pk") else value)


def _own_unlisted_ids(viewer: Any) -> list[int]:
    """Ids of the pending/rejected events this viewer hosts or co-hosts (a short list).

    A separate small query keeps the main search a plain `status = 'published'` range scan
    for everyone: for the many members who host nothing pending, the page query is exactly
    the anonymous one.
    """
    if not getattr(viewer, "is_authenticated", False):
        return []
    mine = Event.objects.filter(status__in=OWN_UNLISTED_STATUSES).filter(
        Q(host=viewer) | Q(cohosts__user=viewer)
    )
    # The policy is the guard: nothing it would hide can come back from here.
    return list(events_visible_to(viewer, mine).values_list("pk", flat=True).distinct())


@dataclass(frozen=True)
class EventCard:
    """What an event card shows beyond the event's own fields."""

    next_shift: Shift | None  # the first shift still to end (None: all over)
    upcoming_shifts: int
    places_left: int | None  # None: some upcoming shift has no limit
    total_confirmed: int  # confirmed RSVPs over every shift (OSDI total_accepted)
    total_capacity: int | None  # None: some shift has no limit

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def shifts_prefetch() -> Prefetch:
    """Every shift of the listed events, in one query for the whole page."""
    return Prefetch(
        "shifts", queryset=Shift.objects.order_by("starts_at", "id"), to_attr="shift_list"
    )


def event_card(event: Event, *, now: datetime | None = None) -> EventCard:
    """Card figures from the prefetched shifts (`shifts_prefetch`): no query."""
    now = now or timezone.now()
    prefetched: list[Shift] | None = getattr(event, "shift_list", None)
    # Not prefetched: one query (pages always prefetch).
    shifts = (
        prefetched if prefetched is not None else list(event.shifts.order_by("starts_at", "id"))
    )
    upcoming = [shift for shift in shifts if shift.ends_at > now]
    if any(shift.capacity is None for shift in upcoming):
        left = None
    else:
        left = sum(max(0, (shift.capacity or 0) - shift.confirmed_count) for shift in upcoming)
    return EventCard(
        next_shift=upcoming[0] if upcoming else None,
        upcoming_shifts=len(upcoming),
        places_left=left,
        total_confirmed=sum(shift.confirmed_count for shift in shifts),
        total_capacity=(
            None
            if not shifts or any(shift.capacity is None for shift in shifts)
            else sum(shift.capacity or 0 for shift in shifts)
        ),
    )


def places_left(event: Event, *, now: datetime | None = None) -> int | None:
    """The free places over an event's upcoming shifts; None when unlimited. No query when
    the event comes from `events_search` (its shifts are prefetched)."""
    return event_card(event, now=now).places_left


def events_search(
    *,
    viewer: Any,
    near: PostalCode | Point | tuple[float, float] | None = None,
    radius_miles: float = 25.0,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    event_type: str = "",
    text: str = "",
    campaign: EventCampaign | int | None = None,
    group: Group | int | None = None,
    order: Order = "date",
    include_past: bool = False,
    include_virtual: bool = False,
    include_unlisted: bool = False,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Events matching a search, in the order asked, ready for an event card or the API.

    - Visibility: published events, plus the viewer's own pending/rejected ones; with
      `include_unlisted` (the staff API), everything `events_visible_to(viewer)` allows.
    - `near` (a PostalCode or a (latitude, longitude)) keeps in-person events within
      `radius_miles` and annotates `distance_miles`; without it, `distance_miles` is None.
    - Virtual events have no place: they are left out unless `include_virtual`; then they
      are all included, even in a near search (with `distance_miles` None, sorted after the
      in-person events when ordering by distance).
    - Past (ended) events are left out unless `include_past`.
    - `starts_after` / `starts_before`: the event starts at or after / before these instants.
    - `text`: every word must appear in the title, description, venue or city; a venue the
      host hid (`hide_address`) is not searched, as a card shows the area only.
    - `order`: "date" (start, then id), "distance" (nearest first, then start; date order
      when there is no `near`) or "id" (the API's stable paging order).
    """
    now = now or timezone.now()
    point = _as_point(near)
    aliases: dict[str, Any] = {}
    # Conditions are gathered first and applied in one filter() on one annotate(): every
    # QuerySet call clones the query, and on this hot path the cloning cost more than the
    # SQL itself (see docs/events.md).
    conditions: list[Q] = []
    if include_unlisted:
        base = events_visible_to(viewer)
    else:
        base = Event.objects.all()
        listed = Q(status=Event.Status.PUBLISHED)
        own = _own_unlisted_ids(viewer)
        conditions.append(listed | Q(pk__in=own) if own else listed)

    if not include_past:
        lower = now - LONGEST_LISTED_EVENT
        starts_after = max(starts_after, lower) if starts_after else lower
        conditions.append(Q(ends_at__gt=now))
    if starts_after is not None:
        conditions.append(Q(starts_at__gte=starts_after))
    if starts_before is not None:
        conditions.append(Q(starts_at__lt=starts_before))
    if event_type:
        conditions.append(Q(event_type=event_type))
    if (campaign_id := _pk(campaign)) is not None:
        conditions.append(Q(campaign_id=campaign_id))
    if (group_id := _pk(group)) is not None:
        conditions.append(Q(group_id=group_id))
    for word in text.split()[:MAX_TEXT_WORDS]:
        conditions.append(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(venue_name__icontains=word, hide_address=False)
            | Q(locality__icontains=word)
        )

    in_person = Q(is_virtual=False)
    if point is not None:
        radius = min(max(float(radius_miles), 0.0), MAX_RADIUS_MILES)
        box = bounding_box(latitude=point.latitude, longitude=point.longitude, radius_miles=radius)
        aliases["raw_distance"] = distance_expression(
            latitude=point.latitude, longitude=point.longitude
        )
        in_person &= box.q() & Q(raw_distance__lte=radius)
        # Online events have no distance, even with coordinates (and on PostgreSQL the
        # expression is not NULL for NULL coordinates: LEAST() skips NULLs).
        distance: Any = Case(
            When(is_virtual=False, then=F("raw_distance")),
            default=Value(None),
            output_field=FloatField(),
        )
    else:
        distance = Value(None, output_field=FloatField())
    conditions.append(in_person | Q(is_virtual=True) if include_virtual else in_person)

    if order == "distance" and point is not None:
        ordering: list[Any] = [F("distance_miles").asc(nulls_last=True), "starts_at", "pk"]
    elif order == "id":
        ordering = ["pk"]
    else:
        ordering = ["starts_at", "pk"]
    return (
        base.alias(**aliases)
        .annotate(distance_miles=distance)
        .filter(*conditions)
        .select_related("group")
        .prefetch_related(shifts_prefetch())
        .order_by(*ordering)
    )
