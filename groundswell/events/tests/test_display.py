"""One when-text, one zone fallback and one page address for every page, mail and calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import timezone

from groundswell.events.display import event_page_url, event_zone, site_url, when_text
from groundswell.events.models import Event, Shift


def _event(time_zone: str) -> Event:
    start = datetime(2030, 3, 9, 15, 0, tzinfo=UTC)
    return Event(pk=7, time_zone=time_zone, starts_at=start, ends_at=start.replace(hour=17))


def test_the_event_zone_and_the_sites_when_the_name_is_unknown():
    assert event_zone(_event("America/Chicago")) == ZoneInfo("America/Chicago")
    for name in ("", "Mars/Olympus", "../etc/passwd"):
        assert event_zone(_event(name)) == timezone.get_default_timezone()


def test_the_when_text_is_in_the_events_zone_with_its_abbreviation():
    event = _event("America/Chicago")
    assert when_text(event) == "Saturday, March 9, 2030, 9 a.m. \N{EN DASH} 11 a.m. CST"
    shift = Shift(starts_at=event.starts_at, ends_at=datetime(2030, 3, 10, 18, 0, tzinfo=UTC))
    assert when_text(event, shift) == (
        "Saturday, March 9, 2030, 9 a.m. \N{EN DASH} March 10, 2030 1 p.m. CDT"
    )


@override_settings(SITE_URL="https://example.org/")
def test_addresses_leaving_the_site_are_absolute():
    assert site_url("/events/") == "https://example.org/events/"
    assert event_page_url(_event("UTC")) == "https://example.org/events/7/"
