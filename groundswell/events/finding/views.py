"""The public event finder: `/events/?near=ZIP&radius=25&start=&end=&type=&q=&sort=&page=`.

A GET form whose query string is the shareable URL. The list is the page; the map (Leaflet,
groundswell/map.js) is drawn over it only when JavaScript runs.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groundswell.accounts.selectors import profile_for_owner
from groundswell.core.pagecache import anonymous_cache
from groundswell.events.display import event_zone, zone_named
from groundswell.events.finding.forms import DEFAULT_RADIUS, SORT_DISTANCE, EventFinderForm
from groundswell.events.finding.selectors import event_card, events_search
from groundswell.geo.models import PostalCode
from groundswell.geo.selectors import postal_code_find, postal_code_normalize

FINDER_PAGE_SIZE = 20


def _zone(origin: PostalCode | None) -> zoneinfo.ZoneInfo:
    """Dates in the form are days where the search is: the ZIP's zone, else the site's."""
    name = origin.time_zone if origin is not None else ""
    return zone_named(name) or timezone.get_default_timezone()


def _day_start(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _map_data(page: Page, origin: PostalCode | None) -> dict[str, Any]:
    markers = []
    for event in page.object_list:
        if event.is_virtual or event.latitude is None or event.longitude is None:
            continue
        when = timezone.localtime(event.starts_at, event_zone(event))
        place = ", ".join(part for part in (event.locality, event.region) if part)
        markers.append(
            {
                "lat": event.latitude,
                "lng": event.longitude,
                "title": event.title,
                "url": reverse("event_detail", args=[event.pk]),
                "detail": " · ".join(
                    part
                    for part in (
                        formats.date_format(when, "DATE_FORMAT"),
                        str(event.get_event_type_display()),
                        place,
                    )
                    if part
                ),
            }
        )
    center = [origin.latitude, origin.longitude] if origin is not None else None
    return {"center": center, "markers": markers}


@require_safe
@anonymous_cache(30)  # anonymous searches may lag new/cancelled events by up to 30 s
def event_finder(request: HttpRequest) -> HttpResponse:
    """Upcoming events, by date or distance. A signed-in member's profile ZIP is the default
    place when the URL names none (`?near=` with nothing searches everywhere)."""
    params = request.GET.copy()
    from_profile = False
    if "near" not in params and request.user.is_authenticated:
        profile = profile_for_owner(user=request.user)
        if profile.postal_code:
            params["near"] = profile.postal_code
            params.setdefault("country", profile.country or "US")
            from_profile = True
    country = (params.get("country") or "US").strip().upper()[:2]
    form = EventFinderForm(params)
    origin: PostalCode | None = None
    page: Page | None = None
    if form.is_valid() and form.cleaned_data["near"]:
        origin = postal_code_find(country=country, code=form.cleaned_data["near"])
        if origin is None:
            form.add_error(
                "near",
                _("We don't know the ZIP code “%(code)s”. Check it and try again.")
                % {"code": postal_code_normalize(country=country, code=form.cleaned_data["near"])},
            )
    if not form.errors:
        data = form.cleaned_data
        zone = _zone(origin)
        now = timezone.now()
        events = events_search(
            viewer=request.user,
            near=origin,
            radius_miles=data["radius"] or DEFAULT_RADIUS,
            starts_after=_day_start(data["start"], zone) if data["start"] else None,
            starts_before=(
                _day_start(data["end"] + timedelta(days=1), zone) if data["end"] else None
            ),
            event_type=data["type"],
            text=data["q"],
            order="distance" if data["sort"] == SORT_DISTANCE else "date",
            include_virtual=data["virtual"],
            now=now,
        ).defer("description", "report_notes", "accessibility_notes", "virtual_url")
        page = Paginator(events, FINDER_PAGE_SIZE).get_page(request.GET.get("page"))
        for event in page.object_list:
            event.card = event_card(event, now=now)  # type: ignore[attr-defined]
    radius = form.cleaned_data.get("radius") if not form.errors else None
    context = {
        "form": form,
        "page_obj": page,
        "origin": origin,
        "from_profile": from_profile,
        "radius": radius or DEFAULT_RADIUS,
        "sorted_by_distance": bool(
            origin and not form.errors and form.cleaned_data["sort"] == SORT_DISTANCE
        ),
        "map_data": _map_data(page, origin) if page is not None else None,
        "tile_url": settings.TILE_SERVER_URL,
    }
    return render(request, "events/find.html", context)
