"""The messages an attendee gets about an RSVP, built here and sent by core.mail's task.

Each message has a plain-text body and an HTML alternative from one template pair
(events/email/rsvp.txt and .html, switched on `kind`), is written in the active language,
shows times in the event's zone, and carries signed links that work without logging in.
Confirmations and promotions attach the attendee's .ics; a cancellation attaches the
cancelled entry so calendars drop it. The reminders (events.reminders) and the host tools'
cancellation use these too; the host tools' change notices are in events.hosting.emails.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from groundswell.core.sanitize import html_sanitize
from groundswell.events import ics
from groundswell.events.display import sees_exact_address, site_url, when_text
from groundswell.events.models import Attendance
from groundswell.events.rsvp.selectors import attendance_token, referral_token

ICS_FILENAME = "event.ics"
ICS_MIMETYPE = "text/calendar"


def _context(attendance: Attendance, kind: str) -> dict[str, Any]:
    event, shift, person = attendance.event, attendance.shift, attendance.person
    token = attendance_token(attendance=attendance)
    confirmed = attendance.status == Attendance.Status.CONFIRMED
    event_path = reverse("event_detail", args=[event.pk])
    return {
        "kind": kind,
        "attendance": attendance,
        "event": event,
        "shift": shift,
        "when": when_text(event, shift),
        "person": person,
        "description_html": html_sanitize(event.description or ""),
        "location": ics.event_location(event, exact=sees_exact_address(event, confirmed=confirmed)),
        "event_url": site_url(event_path),
        "share_url": site_url(
            event_path + "?ref=" + referral_token(person=person) + "&source=email"
        ),
        "cancel_url": site_url(reverse("rsvp_cancel", args=[token])),
        "confirm_url": site_url(reverse("rsvp_confirm", args=[token])),
        "decline_url": site_url(reverse("rsvp_decline", args=[token])),
        "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
        "CAMPAIGN_POSTAL_ADDRESS": settings.CAMPAIGN_POSTAL_ADDRESS,
    }


def _message(
    *, attendance: Attendance, kind: str, subject: str, calendar: bytes | None = None
) -> EmailMultiAlternatives:
    context = _context(attendance, kind)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("events/email/rsvp.txt", context),
        to=[attendance.person.email or ""],
    )
    message.attach_alternative(render_to_string("events/email/rsvp.html", context), "text/html")
    if calendar is not None:
        message.attach(ICS_FILENAME, calendar, ICS_MIMETYPE)
    return message


def rsvp_confirmed_email(*, attendance: Attendance) -> EmailMultiAlternatives:
    return _message(
        attendance=attendance,
        kind="confirmed",
        subject=_("You're going: %(title)s") % {"title": attendance.event.title},
        calendar=ics.attendance_calendar(attendance=attendance),
    )


def rsvp_waitlisted_email(*, attendance: Attendance) -> EmailMultiAlternatives:
    return _message(
        attendance=attendance,
        kind="waitlisted",
        subject=_("You're on the waitlist: %(title)s") % {"title": attendance.event.title},
    )


def rsvp_promoted_email(*, attendance: Attendance) -> EmailMultiAlternatives:
    return _message(
        attendance=attendance,
        kind="promoted",
        subject=_("A place opened up, you're going: %(title)s") % {"title": attendance.event.title},
        calendar=ics.attendance_calendar(attendance=attendance),
    )


def rsvp_demoted_email(*, attendance: Attendance) -> EmailMultiAlternatives:
    return _message(
        attendance=attendance,
        kind="demoted",
        subject=_("You're now on the waitlist: %(title)s") % {"title": attendance.event.title},
    )


def rsvp_reminder_email(*, attendance: Attendance, kind: str) -> EmailMultiAlternatives:
    subject = _("Tomorrow: %(title)s") if kind == "day_before" else _("Today: %(title)s")
    return _message(
        attendance=attendance,
        kind=f"reminder_{kind}",
        subject=subject % {"title": attendance.event.title},
        calendar=ics.attendance_calendar(attendance=attendance),
    )


def event_cancelled_email(*, attendance: Attendance) -> EmailMultiAlternatives:
    return _message(
        attendance=attendance,
        kind="event_cancelled",
        subject=_("Cancelled: %(title)s") % {"title": attendance.event.title},
        calendar=ics.attendance_calendar(attendance=attendance),
    )
