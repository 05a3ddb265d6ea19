"""The messages the host tools send about an event, built here and sent by core.mail.

A change notice (an edit of times, place, link or title: `event_changed_email`, from its own
template pair events/email/changed.txt and .html) lists what changed, old → new, as its reader
may see it, and attaches the updated entries of the slots they are going to. The other host
mails (approval, rejection, co-host, host messages) are plain text, each from its template
events/email/<name>.txt. Build them inside `translation.override(recipient_language(...))`
and queue them with `core.mail.email_enqueue`; a builder answers None when there is nobody
to write to (e.g. the host's account was deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from groundswell.events import ics
from groundswell.events.display import event_page_url, sees_exact_address, site_url, when_text
from groundswell.events.models import Attendance, Event, EventMessage, Shift
from groundswell.events.rsvp.emails import ICS_FILENAME, ICS_MIMETYPE
from groundswell.events.rsvp.selectors import attendance_token

if TYPE_CHECKING:
    from groundswell.accounts.models import User
    from groundswell.people.models import Person


def _plain_email(
    *, to: str, subject: str, template: str, context: dict[str, Any]
) -> EmailMessage | None:
    """A plain-text message to one address from events/email/<template>.txt; None without
    an address."""
    if not to:
        return None
    body = render_to_string(f"events/email/{template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])


def event_approved_email(*, event: Event, note: str) -> EmailMessage | None:
    """To the host: their event is approved and published (with the organizer's note)."""
    return _plain_email(
        to=event.host.email if event.host else "",
        subject=_("Your event is approved: %(title)s") % {"title": event.title},
        template="approved",
        context={
            "title": event.title,
            "organizer_note": note,
            "url": event_page_url(event),
            "manage": site_url(reverse("event_manage", args=[event.pk])),
        },
    )


def event_rejected_email(*, event: Event, note: str) -> EmailMessage | None:
    """To the host: their event was turned down, and why."""
    return _plain_email(
        to=event.host.email if event.host else "",
        subject=_("Your event needs changes: %(title)s") % {"title": event.title},
        template="rejected",
        context={
            "title": event.title,
            "organizer_note": note,
            "edit": site_url(reverse("event_edit", args=[event.pk])),
        },
    )


def event_cohost_added_email(*, event: Event, user: User) -> EmailMessage | None:
    """To a new co-host: what they can do now, and where."""
    return _plain_email(
        to=user.email,
        subject=_("You are co-hosting %(title)s") % {"title": event.title},
        template="cohost_added",
        context={
            "title": event.title,
            "when": when_text(event),
            "manage": site_url(reverse("event_manage", args=[event.pk])),
        },
    )


def event_host_message_email(
    *, message: EventMessage, event: Event, person: Person
) -> EmailMessage | None:
    """A host's message (EventMessage of kind HOST) to one attendee, with a footer saying
    who sent it and why. The subject is the host's as they wrote it, after the event's
    title, on one line (a line break would make the mail fail to build)."""
    return _plain_email(
        to=person.email or "",
        subject=" ".join(f"{event.title}: {message.subject}".split()),
        template="host_message",
        context={
            "body": message.body,
            "title": event.title,
            "when": when_text(event),
            "url": event_page_url(event),
        },
    )


# --- Change notices ------------------------------------------------------------------------

# The fields of an event a change notice compares (stored in EventMessage.changes, before and
# after the edit). The description and accessibility notes are left out on purpose: editing
# them alone mails nobody.
CHANGE_FIELDS = (
    "title",
    "venue_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "country",
    "hide_address",
    "is_virtual",
    "virtual_url",
    "time_zone",
)


def event_change_snapshot(event: Event) -> dict[str, Any]:
    """The compared fields of `event` as plain JSON data."""
    return {name: getattr(event, name) for name in CHANGE_FIELDS}


# What a host types about the place; the city and state follow the ZIP code (geocoded again on
# each edit), so they are shown but a change to them alone is not news.
PLACE_FIELDS = ("venue_name", "address_line", "postal_code", "country", "is_virtual")


def _snapshot_event(data: dict[str, Any]) -> Event:
    # An unsaved Event carrying a snapshot, for the location and time helpers.
    return Event(**{name: value for name, value in data.items() if name in CHANGE_FIELDS})


@dataclass(frozen=True)
class ChangeLine:
    """One line of a change notice: "label old → new", "label new", or a sentence (`new`)."""

    kind: str  # "time", "title", "place", "address_visibility" or "link"
    label: str
    old: str
    new: str


def _place(event: Event, *, exact: bool) -> str:
    location = ics.event_location(event, exact=exact)
    if event.is_virtual:
        return f"{_('Online')} ({location})" if location else _("Online")
    return location


def event_change_lines(*, old: Event, new: Event, confirmed: bool) -> list[ChangeLine]:
    """What changed between two states of an event's title, place and link, as a person going
    (`confirmed`) or waiting sees it: the waitlist sees the area of a hidden address and no
    link, so a change to those alone is nothing to them. Times are per slot (see below)."""
    lines = []
    if old.title != new.title:
        lines.append(ChangeLine("title", _("What:"), old.title, new.title))
    old_place = _place(old, exact=sees_exact_address(old, confirmed=confirmed))
    new_place = _place(new, exact=sees_exact_address(new, confirmed=confirmed))
    moved = any(getattr(old, name) != getattr(new, name) for name in PLACE_FIELDS)
    if moved and old_place != new_place:
        lines.append(ChangeLine("place", _("Where:"), old_place, new_place))
    if old.hide_address != new.hide_address and (new.venue_name or new.address_line):
        note = (
            _("The exact address is now shared only with people who are going.")
            if new.hide_address
            else _("The exact address is now shown to everyone on the event page.")
        )
        lines.append(ChangeLine("address_visibility", "", "", note))
    if confirmed and new.is_virtual and new.virtual_url and old.virtual_url != new.virtual_url:
        old_link = old.virtual_url if old.is_virtual else ""
        lines.append(ChangeLine("link", _("Join online:"), old_link, new.virtual_url))
    return lines


def _time_lines(
    *, event: Event, attendances: Sequence[Attendance], changes: dict[str, Any]
) -> list[ChangeLine]:
    label = _("When:")
    if not changes:  # a time notice queued before notices recorded what changed
        return [ChangeLine("time", label, "", when_text(event, a.shift)) for a in attendances]
    shifts = changes.get("shifts") or {}
    old_event = _snapshot_event(changes.get("old") or {"time_zone": event.time_zone})
    new_event = _snapshot_event(changes.get("new") or {"time_zone": event.time_zone})
    lines = []
    for attendance in attendances:
        moved = shifts.get(str(attendance.shift_id))
        if not moved:
            continue
        old_start, old_end = (datetime.fromisoformat(value) for value in moved["old"])
        new_start, new_end = (datetime.fromisoformat(value) for value in moved["new"])
        lines.append(
            ChangeLine(
                "time",
                label,
                when_text(old_event, Shift(starts_at=old_start, ends_at=old_end)),
                when_text(new_event, Shift(starts_at=new_start, ends_at=new_end)),
            )
        )
    return lines


def event_changed_email(
    *, event: Event, attendances: Sequence[Attendance], changes: dict[str, Any]
) -> EmailMultiAlternatives | None:
    """One attendee's notice that an edit changed what they rely on, or None when nothing
    they can see changed (e.g. a slot they are not on moved).

    `attendances` are the person's active RSVPs to `event` (one per slot, each with its
    `shift` and `person`); `changes` is EventMessage.changes. Those going get the updated
    calendar entries of their slots attached (same UIDs, the new SEQUENCE); everyone gets the
    signed cancel link of each slot and the event page.
    """
    person = attendances[0].person
    if not person.email:
        return None
    going = [a for a in attendances if a.status == Attendance.Status.CONFIRMED]
    confirmed = bool(going)
    lines = _time_lines(event=event, attendances=attendances, changes=changes)
    if changes.get("old") and changes.get("new"):
        lines += event_change_lines(
            old=_snapshot_event(changes["old"]),
            new=_snapshot_event(changes["new"]),
            confirmed=confirmed,
        )
    if not lines:
        return None
    if all(line.kind == "time" for line in lines):
        subject = _("New time: %(title)s") % {"title": event.title}
    else:
        subject = _("Update: %(title)s") % {"title": event.title}
    context = {
        "person": person,
        "event": event,
        "lines": lines,
        "confirmed": confirmed,
        "slots": [
            {
                "when": when_text(event, a.shift),
                "cancel_url": site_url(
                    reverse("rsvp_cancel", args=[attendance_token(attendance=a)])
                ),
            }
            for a in attendances
        ],
        "location": _place(event, exact=sees_exact_address(event, confirmed=confirmed)),
        "join_url": event.virtual_url if confirmed and event.is_virtual else "",
        "event_url": site_url(reverse("event_detail", args=[event.pk])),
        "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
        "CAMPAIGN_POSTAL_ADDRESS": settings.CAMPAIGN_POSTAL_ADDRESS,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("events/email/changed.txt", context),
        to=[person.email or ""],
    )
    message.attach_alternative(render_to_string("events/email/changed.html", context), "text/html")
    if going:
        message.attach(ICS_FILENAME, ics.attendances_calendar(attendances=going), ICS_MIMETYPE)
    return message
