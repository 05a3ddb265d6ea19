"""How an event is shown and addressed, the same on every page, mail and calendar: its own
time zone, its when-text, the absolute address of its page, and who mail about it reaches.

One of each on purpose: the host tools, the RSVP pages, the mails and the calendar files
used to carry their own copies, which differed only in what they did with a bad zone name.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from groundswell.accounts.services import time_zones_available
from groundswell.events.models import Event, Shift
from groundswell.people.models import Person

# People whose mail bounces or who complained get no mail about an event (confirmations,
# reminders, change notices, host messages); an unsubscribed person still gets the messages
# about an RSVP they made (they are transactional, not bulk mail).
UNMAILABLE = (Person.EmailStatus.BOUNCING, Person.EmailStatus.SPAM_COMPLAINT)


def zone_named(name: str) -> ZoneInfo | None:
    """The zone of an IANA name members may choose, or None for an empty or unknown name."""
    if not name or name not in time_zones_available():  # cached: the lookup walks the tz files
        return None
    return ZoneInfo(name)


def event_zone(event: Event) -> ZoneInfo:
    """The event's own zone; the site's (settings.TIME_ZONE, where an event created without
    a zone is placed) if its name is unknown."""
    return zone_named(event.time_zone) or timezone.get_default_timezone()


def when_text(event: Event, shift: Shift | None = None) -> str:
    """ "Saturday, March 14, 2026, 10 a.m. \N{EN DASH} noon EDT": a shift's (else the event's)
    times in the event's own zone with its abbreviation, in the active language."""
    zone = event_zone(event)
    start = timezone.localtime(shift.starts_at if shift else event.starts_at, zone)
    end = timezone.localtime(shift.ends_at if shift else event.ends_at, zone)
    weekday = formats.date_format(start, "l")
    day = formats.date_format(start, "DATE_FORMAT")
    end_text = formats.time_format(end, "TIME_FORMAT")
    if end.date() != start.date():
        end_text = formats.date_format(end, "DATE_FORMAT") + " " + end_text
    return (
        f"{weekday}, {day}, {formats.time_format(start, 'TIME_FORMAT')} \N{EN DASH} {end_text} "
        f"{end.tzname()}"
    )


def site_url(path: str) -> str:
    """The absolute address of a path on this site (mail and calendars leave the site)."""
    return settings.SITE_URL.rstrip("/") + path


def event_page_url(event: Event) -> str:
    """The absolute address of the event's public page."""
    return site_url(reverse("event_detail", args=[event.pk]))


def person_mailable(person: Person) -> bool:
    """Whether mail about an event (confirmation, reminders, changes) may go to this person."""
    return bool(person.email) and person.email_status not in UNMAILABLE


def sees_exact_address(event: Event, *, confirmed: bool) -> bool:
    """Whether a person sees the exact place of `event` (venue and street) in mail and
    calendars: always unless the host hid it; then only people going (`confirmed`). Those
    waiting see the area, as on the event page."""
    return confirmed or not event.hide_address
