"""Reads for RSVPs: the event page's RSVP panel, calendar feeds, the member export, the
signed links (cancel, reminder replies, bring-a-friend) that work without logging in, and
an event's attendances for the staff API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from groundswell.accounts.models import Profile
from groundswell.events.display import when_text
from groundswell.events.models import Attendance, CalendarFeed, Event, Shift
from groundswell.events.policies import PUBLIC_STATUSES, event_can_manage
from groundswell.people.models import Person

ATTENDANCE_LINK_SALT = "groundswell.events.attendance"
# Long enough for an RSVP made months ahead; the views also refuse events that are over.
ATTENDANCE_TOKEN_MAX_AGE = timedelta(days=400)
REFERRAL_SALT = "groundswell.events.referral"
# Feeds show what is coming and the last few weeks.
FEED_PAST_DAYS = 30


# --- Signed links -------------------------------------------------------------------------


def attendance_token(*, attendance: Attendance) -> str:
    """The secret in an attendance's cancel / reminder-reply links."""
    return signing.TimestampSigner(salt=ATTENDANCE_LINK_SALT).sign(str(attendance.pk))


def attendance_from_token(*, token: str) -> Attendance | None:
    """The attendance a link names, or None for a forged, altered or expired token."""
    try:
        value = signing.TimestampSigner(salt=ATTENDANCE_LINK_SALT).unsign(
            token, max_age=ATTENDANCE_TOKEN_MAX_AGE
        )
        attendance_id = int(value)
    except (signing.BadSignature, ValueError):
        return None
    return (
        Attendance.objects.select_related("event", "shift", "person")
        .filter(pk=attendance_id)
        .first()
    )


def referral_token(*, person: Person) -> str:
    """The `ref` of a bring-a-friend link: names the inviter, can't be forged."""
    return signing.Signer(salt=REFERRAL_SALT).sign(str(person.pk))


def referral_person(*, token: str) -> Person | None:
    if not token:
        return None
    try:
        person_id = int(signing.Signer(salt=REFERRAL_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Person.objects.filter(pk=person_id, erased_at__isnull=True).first()


# --- The event page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftOption:
    shift: Shift
    places_left: int | None  # None: no limit
    is_full: bool
    is_past: bool
    attendance: Attendance | None  # the viewer's active RSVP to it
    when: str  # its times in the event's zone

    @property
    def can_rsvp(self) -> bool:
        return not self.is_past and self.attendance is None


def event_host_name(*, event: Event) -> str:
    """The host's public name (display name or "Given F."), never their email."""
    if event.host_id is None:
        return gettext("Deleted member")
    profile = Profile.objects.select_related("user__person").filter(user_id=event.host_id).first()
    if profile is None:  # accounts made before profiles existed
        profile = Profile(user=event.host)
    return profile.public_name


def viewer_person_id(viewer: Any) -> int | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.person_id


def event_rsvp_panel(*, event: Event, viewer: Any, now: datetime | None = None) -> dict[str, Any]:
    """What the event page needs about RSVPs, in at most three queries.

    Keys: shifts (ShiftOption list), upcoming (not started yet), open (upcoming ones the
    viewer may still RSVP to, while RSVPs are open), attendances (the
    viewer's active RSVPs), is_confirmed, is_waitlisted, is_past, is_open (RSVPs accepted),
    can_rsvp (open and some upcoming shift the viewer has not RSVPed to), can_manage,
    can_see_address (confirmed attendee, host, co-host or staff), can_see_link (the same,
    for a virtual event's link), cancel_tokens ({attendance id: token}), referral (the
    viewer's bring-a-friend token, once they RSVPed).
    """
    now = now or timezone.now()
    shifts = list(Shift.objects.filter(event=event).order_by("starts_at", "pk"))
    person_id = viewer_person_id(viewer)
    mine: dict[int, Attendance] = {}
    if person_id is not None:
        mine = {
            a.shift_id: a
            for a in Attendance.objects.filter(event=event, person_id=person_id).exclude(
                status=Attendance.Status.CANCELLED
            )
        }
    options = []
    for shift in shifts:
        places_left = (
            None if shift.capacity is None else max(shift.capacity - shift.confirmed_count, 0)
        )
        options.append(
            ShiftOption(
                shift=shift,
                places_left=places_left,
                is_full=places_left == 0,
                is_past=shift.starts_at <= now,
                attendance=mine.get(shift.pk),
                when=when_text(event, shift),
            )
        )
    attendances = list(mine.values())
    is_confirmed = any(a.status == Attendance.Status.CONFIRMED for a in attendances)
    can_manage = event_can_manage(viewer, event)
    upcoming = [option for option in options if not option.is_past]
    is_open = event.status == Event.Status.PUBLISHED and bool(upcoming)
    return {
        "shifts": options,
        "upcoming": upcoming,
        "open": [option for option in upcoming if option.can_rsvp] if is_open else [],
        "attendances": attendances,
        "is_confirmed": is_confirmed,
        "is_waitlisted": any(a.status == Attendance.Status.WAITLISTED for a in attendances),
        "is_past": bool(shifts) and not upcoming,
        "is_open": is_open,
        "can_rsvp": is_open and any(option.can_rsvp for option in upcoming),
        "can_manage": can_manage,
        "can_see_address": is_confirmed or can_manage or not event.hide_address,
        "can_see_link": is_confirmed or can_manage,
        "cancel_tokens": {a.pk: attendance_token(attendance=a) for a in attendances},
        "referral": (
            referral_token(person=Person(pk=person_id))
            if attendances and person_id is not None
            else ""
        ),
    }


# --- Calendars ----------------------------------------------------------------------------


def calendar_feed_for_user(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )


def feed_attendances(*, user: Any, now: datetime | None = None) -> list[Attendance]:
    """The member's RSVPs (confirmed or waitlisted) from the last weeks on, by their Person
    (so RSVPs made as a guest with the same email count) or their login."""
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    who = Q(user=user)
    if user.person_id is not None:
        who |= Q(person_id=user.person_id)
    return list(
        Attendance.objects.filter(who, shift__ends_at__gte=since)
        .filter(status__in=[Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED])
        .exclude(event__status__in=[Event.Status.PENDING, Event.Status.REJECTED])
        .select_related("event", "shift")
        .order_by("shift__starts_at", "pk")
    )


def feed_hosted_shifts(*, user: Any, now: datetime | None = None) -> list[Shift]:
    """Shifts of events the member hosts or co-hosts (not every event staff may manage)."""
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    return list(
        Shift.objects.filter(Q(event__host=user) | Q(event__cohosts__user=user))
        .filter(ends_at__gte=since)
        .exclude(event__status=Event.Status.REJECTED)
        .select_related("event")
        .distinct()
        .order_by("starts_at", "pk")
    )


def group_feed_shifts(*, group_id: int, now: datetime | None = None) -> list[Shift]:
    """A group's public events (published or cancelled), the last weeks on."""
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    return list(
        Shift.objects.filter(
            event__group_id=group_id, event__status__in=PUBLIC_STATUSES, ends_at__gte=since
        )
        .select_related("event")
        .order_by("starts_at", "pk")
    )


# --- Download my data ---------------------------------------------------------------------


def attendances_export(*, user: Any) -> list[dict[str, Any]]:
    """Export section "event_attendances": every RSVP of the member, in one query."""
    who = Q(user=user)
    if user.person_id is not None:
        who |= Q(person_id=user.person_id)
    rows = (
        Attendance.objects.filter(who)
        .select_related("event", "shift")
        .order_by("shift__starts_at", "pk")
    )
    return [
        {
            "event_id": a.event_id,
            "event_title": a.event.title,
            "shift_starts_at": a.shift.starts_at,
            "shift_ends_at": a.shift.ends_at,
            "status": a.status,
            "created_at": a.created_at,
            "confirmed_at": a.confirmed_at,
            "waitlisted_at": a.waitlisted_at,
            "cancelled_at": a.cancelled_at,
            "referred_by_person_id": a.referred_by_id,
            "source": a.source,
            "reminder_reply": a.reminder_reply,
            "reminder_day_before_sent_at": a.reminder_day_before_sent_at,
            "reminder_day_of_sent_at": a.reminder_day_of_sent_at,
            "checked_in_at": a.checked_in_at,
            "attended": a.attended,
        }
        for a in rows
    ]


# --- Attendances, for the staff API ----------------------------------------------------------


def event_attendances(*, event: Event) -> QuerySet[Attendance]:
    """An event's RSVPs in id order (stable paging), whatever their status."""
    return Attendance.objects.filter(event=event).order_by("pk")


def event_attendance_get(*, event: Event, attendance_id: int) -> Attendance | None:
    return Attendance.objects.filter(event=event, pk=attendance_id).first()


def event_attendance_for_person(
    *, event: Event, person_id: int, shift_id: int | None = None
) -> Attendance | None:
    """The person's live RSVP to the event (to the given shift), else their latest one."""
    rows = Attendance.objects.filter(event=event, person_id=person_id)
    if shift_id is not None:
        rows = rows.filter(shift_id=shift_id)
    live = rows.exclude(status=Attendance.Status.CANCELLED).order_by("shift__starts_at", "pk")
    return live.first() or rows.order_by("-updated_at", "-pk").first()


def event_shift_get(*, event: Event, shift_id: int) -> Shift | None:
    return Shift.objects.filter(event=event, pk=shift_id).first()
