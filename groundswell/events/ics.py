"""iCalendar (RFC 5545) files: an event, a member's private "my events" feed, a group's feed.

One VEVENT per shift, with a UID stable per shift (so a re-import or a feed refresh updates
the entry instead of adding one), times in the event's own zone with its VTIMEZONE, and a
SEQUENCE that grows when the times, place, link or title change (`Event.calendar_sequence`)
or the event is cancelled (then STATUS:CANCELLED). Hidden addresses and virtual links appear only when the
caller says the reader may see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from groundswell.events.display import event_page_url, event_zone, sees_exact_address
from groundswell.events.models import Attendance, Event, Shift

PRODID = "-//Groundswell//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class IcsEntry:
    """One shift as the reader may see it."""

    shift: Shift
    event: Event
    show_address: bool
    show_link: bool
    tentative: bool = False  # a waitlisted RSVP in the member's own feed


def _domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "groundswell.invalid"


def shift_uid(shift: Shift) -> str:
    return f"groundswell-event-{shift.event_id}-shift-{shift.pk}@{_domain()}"


def event_sequence(event: Event) -> int:
    return event.calendar_sequence + (1 if event.status == Event.Status.CANCELLED else 0)


def event_area(event: Event) -> str:
    """The approximate area shown instead of a hidden address: city, state and ZIP."""
    place = ", ".join(part for part in (event.locality, event.region) if part)
    return " ".join(part for part in (place, event.postal_code) if part)


def event_location(event: Event, *, exact: bool) -> str:
    if not exact:
        return event_area(event)
    return ", ".join(
        part for part in (event.venue_name, event.address_line, event_area(event)) if part
    )


def _description(entry: IcsEntry) -> str:
    event = entry.event
    parts = []
    text = strip_tags(normalize_newlines(event.description or "")).strip()
    if text:
        parts.append(text)
    if event.is_virtual and entry.show_link and event.virtual_url:
        parts.append(_("Join online: %(url)s") % {"url": event.virtual_url})
    if event.hide_address and not entry.show_address:
        parts.append(_("The exact address is shared with people who RSVP."))
    if event.accessibility_notes:
        parts.append(_("Accessibility: %(notes)s") % {"notes": event.accessibility_notes})
    parts.append(_("Event page: %(url)s") % {"url": event_page_url(event)})
    return "\n\n".join(parts)


def _vevent(entry: IcsEntry, *, stamp: datetime) -> VEvent:
    event, shift = entry.event, entry.shift
    zone = event_zone(event)
    vevent = VEvent()
    vevent.add("uid", shift_uid(shift))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", shift.starts_at.astimezone(zone))
    vevent.add("dtend", shift.ends_at.astimezone(zone))
    vevent.add("sequence", event_sequence(event))
    cancelled = event.status == Event.Status.CANCELLED
    summary = event.title
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": event.title}
    vevent.add("summary", summary)
    if cancelled:
        vevent.add("status", "CANCELLED")
    elif entry.tentative:
        vevent.add("status", "TENTATIVE")
    else:
        vevent.add("status", "CONFIRMED")
    location = event_location(event, exact=entry.show_address)
    if event.is_virtual and not location:
        location = event.virtual_url if entry.show_link and event.virtual_url else _("Online")
    if location:
        vevent.add("location", location)
    if entry.show_address and event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (event.latitude, event.longitude))
    vevent.add("description", _description(entry))
    vevent.add("url", event_page_url(event))
    vevent.add("created", event.created_at.astimezone(ZoneInfo("UTC")))
    vevent.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
    return vevent


def calendar_build(
    entries: Iterable[IcsEntry], *, name: str = "", method: str = "PUBLISH"
) -> bytes:
    """A VCALENDAR with one VEVENT per entry and a VTIMEZONE for every zone used."""
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp=stamp))
    if entries:
        first = min(entry.shift.starts_at for entry in entries).date() - timedelta(days=1)
        last = max(entry.shift.ends_at for entry in entries).date() + timedelta(days=2)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    else:
        # An empty feed still carries one component (RFC 5545 asks for at least one).
        today = timezone.now().date()
        calendar.add_component(
            Timezone.from_tzid(
                settings.TIME_ZONE,
                first_date=today - timedelta(days=1),
                last_date=today + timedelta(days=366),
            )
        )
    return calendar.to_ical()


def event_calendar(
    *, event: Event, shifts: Iterable[Shift], show_address: bool, show_link: bool
) -> bytes:
    """The .ics of one event (every shift given), e.g. /events/<id>.ics."""
    return calendar_build(
        [
            IcsEntry(shift=shift, event=event, show_address=show_address, show_link=show_link)
            for shift in shifts
        ]
    )


def attendance_calendar(*, attendance: Attendance) -> bytes:
    """The .ics attached to an attendee's emails: their shift, as they may see it."""
    return attendances_calendar(attendances=[attendance])


def attendances_calendar(*, attendances: Iterable[Attendance]) -> bytes:
    """One attendee's shifts of an event in one .ics (a change notice to someone going to
    several slots): same UIDs as every other file, so calendars update the entries. The full
    details are for people going; an entry for someone waiting (the cancellation of an event
    they are waitlisted for) has the area of a hidden address and no link."""
    entries = []
    for attendance in attendances:
        confirmed = attendance.status == Attendance.Status.CONFIRMED
        entries.append(
            IcsEntry(
                shift=attendance.shift,
                event=attendance.event,
                show_address=sees_exact_address(attendance.event, confirmed=confirmed),
                show_link=confirmed,
            )
        )
    return calendar_build(entries)
