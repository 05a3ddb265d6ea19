"""Hosting events: create, edit, cancel, approve, co-hosts, messages, reports, campaigns.

Each use case opens `transaction.atomic()` (not durable: the admin and the RSVP services it
calls compose with it), checks who may act, writes its audit row inside the transaction and
sends mail or tasks only on commit (`email_enqueue` and `transaction.on_commit`). Each mail
is built in its recipient's language (`core.mail.recipient_language`).

Times: an event's shifts are given either aware, or naive in the event's own time zone
(what a host types); the event spans its shifts (first start to last end).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.accounts.services import time_zones_available
from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.events import emails
from groundswell.events.models import (
    Attendance,
    Event,
    EventCampaign,
    EventCoHost,
    EventMessage,
    Shift,
    TrustedHost,
)
from groundswell.events.policies import event_can_manage
from groundswell.events.selectors import LONGEST_LISTED_EVENT
from groundswell.events.services_reminders import (
    event_reminders_reschedule,
    shift_reminders_plan,
)
from groundswell.events.services_rsvp import event_attendees_notify_cancelled, shift_capacity_set
from groundswell.geo.selectors import postal_code_find, postal_code_normalize
from groundswell.groups.models import GroupMembership
from groundswell.people.models import Person

# A host may message an event's attendees this many times in any 24 hours.
MESSAGES_PER_DAY = 5
# Recipients per task when messaging attendees.
MESSAGE_BATCH_SIZE = 100
MAX_SHIFTS = 20
ACTIVE_STATUSES = (Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED)
# People whose mail must not be sent (hard bounces, spam complaints).
_UNMAILABLE = (Person.EmailStatus.BOUNCING, Person.EmailStatus.SPAM_COMPLAINT)


@dataclass(frozen=True)
class ShiftSpec:
    """One time slot as a host gives it. Naive times are in the event's zone.

    `shift_id` (edits only) names the existing shift this row changes; rows without one are
    new slots, and existing shifts left out are removed.
    """

    starts_at: datetime
    ends_at: datetime
    capacity: int | None = None
    shift_id: int | None = None


# --- helpers ------------------------------------------------------------------------------


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def _require_staff(actor: Any) -> None:
    if not _is_staff(actor):
        raise PermissionDenied


def _require_manager(actor: Any, event: Event) -> None:
    if not event_can_manage(actor, event):
        raise PermissionDenied


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name or name not in time_zones_available():  # cached: the lookup walks the tz files
        return None
    return zoneinfo.ZoneInfo(name)


def _in_zone(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, zone)
    return value


def _spec(value: ShiftSpec | tuple[Any, ...]) -> ShiftSpec:
    if isinstance(value, ShiftSpec):
        return value
    starts_at, ends_at, *rest = value
    return ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=rest[0] if rest else None)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_page_url(event: Event) -> str:
    # The contract: an event's public page is /events/<id>/ (its view belongs to the finder).
    return site_url(f"/events/{event.pk}/")


def event_when_text(event: Event, shift: Shift | None = None) -> str:
    """ "Saturday, March 14, 2026, 10:00 a.m. to 12:00 p.m. EDT", in the event's zone and the
    active language. With a shift, that slot's times."""
    zone = _zone(event.time_zone) or timezone.get_default_timezone()
    start = timezone.localtime(shift.starts_at if shift else event.starts_at, zone)
    end = timezone.localtime(shift.ends_at if shift else event.ends_at, zone)
    day = formats.date_format(start, "DATE_FORMAT")
    weekday = formats.date_format(start, "l")
    start_time = formats.time_format(start, "TIME_FORMAT")
    if end.date() == start.date():
        end_text = formats.time_format(end, "TIME_FORMAT")
    else:
        end_text = (
            formats.date_format(end, "DATE_FORMAT") + " " + formats.time_format(end, "TIME_FORMAT")
        )
    return f"{weekday}, {day}, {start_time} \N{EN DASH} {end_text} {end.tzname()}"


def _mail(*, to: str, subject: str, body: str) -> None:
    if not to:  # e.g. the host's account was deleted
        return
    email_enqueue(EmailMessage(subject=subject, body=body, to=[to]))


# --- validation shared by create and update -------------------------------------------------


def _validate_and_build(
    *,
    event: Event,
    host: User,
    actor: Any,
    shifts: Sequence[ShiftSpec],
    changed_shift_keys: set[int] | None,
    time_zone: str,
    now: datetime,
    changed_fields: set[str] | None = None,
) -> tuple[dict[str, list[str]], list[tuple[ShiftSpec, datetime, datetime]]]:
    """Check an event's fields (already set on `event`) and its shifts; fill geocoding.

    Returns the errors by field and the shifts with aware times. `changed_shift_keys` holds
    the indexes of shifts whose times are new or changed (only those must be in the future);
    None means all of them (a new event). Likewise `changed_fields` limits the checks of
    group, campaign and official status to the fields an edit changes (None: check all).
    """

    def changed(field: str) -> bool:
        return changed_fields is None or field in changed_fields

    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # One line: a title lands in email subjects, file names and calendar entries.
    event.title = " ".join((event.title or "").split())
    if not event.title:
        error("title", _("Give your event a title."))
    elif len(event.title) > 150:
        error("title", _("Keep the title to 150 characters or fewer."))
    if event.event_type not in Event.Type.values:
        error("event_type", _("Choose a type of event."))
    event.description = (event.description or "").strip()
    if len(event.description) > 20000:
        error("description", _("Keep the description to 20,000 characters or fewer."))
    event.accessibility_notes = (event.accessibility_notes or "").strip()
    if len(event.accessibility_notes) > 2000:
        error(
            "accessibility_notes", _("Keep the accessibility notes to 2,000 characters or fewer.")
        )
    for field, limit in (("venue_name", 150), ("address_line", 200)):
        value = (getattr(event, field) or "").strip()
        setattr(event, field, value)
        if len(value) > limit:
            error(field, _("Keep this to %(limit)s characters or fewer.") % {"limit": limit})

    # Where: the ZIP code is geocoded; an in-person event needs one.
    event.country = (event.country or "US").strip().upper()[:2] or "US"
    event.postal_code = postal_code_normalize(country=event.country, code=event.postal_code or "")
    found = None
    if event.postal_code:
        found = postal_code_find(country=event.country, code=event.postal_code)
        if found is None:
            error(
                "postal_code",
                _("We don't know the ZIP code “%(code)s”. Check it and try again.")
                % {"code": event.postal_code},
            )
    elif not event.is_virtual:
        error("postal_code", _("Enter the ZIP code where the event takes place."))
    if found is not None:
        event.latitude, event.longitude = found.latitude, found.longitude
        event.locality = found.place_name[:100]
        event.region = found.admin1[:100]
    elif not event.postal_code:
        event.latitude = event.longitude = None
        event.locality = event.region = ""

    # Online: the link is required and must be a web address.
    event.virtual_url = (event.virtual_url or "").strip()
    if event.is_virtual:
        if not event.virtual_url:
            error("virtual_url", _("Add the link attendees will use to join."))
        else:
            try:
                URLValidator(schemes=["https", "http"])(event.virtual_url)
            except ValidationError:
                error("virtual_url", _("Enter a full web address, starting with https://."))
            if len(event.virtual_url) > 200:
                error("virtual_url", _("Keep the link to 200 characters or fewer."))
    else:
        event.virtual_url = ""

    # The event's zone: as chosen, else the ZIP code's, else the host's.
    zone_name = time_zone or (found.time_zone if found is not None and found.time_zone else "")
    zone_name = zone_name or getattr(getattr(host, "profile", None), "time_zone", "")
    zone_name = zone_name or settings.TIME_ZONE
    zone = _zone(zone_name)
    if zone is None:
        error("time_zone", _("Choose a time zone from the list."))
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event.time_zone = zone_name

    # When: every slot ends after it starts, new times are in the future, no negative capacity.
    built: list[tuple[ShiftSpec, datetime, datetime]] = []
    several = len(shifts) > 1
    if not shifts:
        error("starts_at", _("Choose when the event starts."))
    if len(shifts) > MAX_SHIFTS:
        error(
            "shifts", _("An event can have at most %(count)s time slots.") % {"count": MAX_SHIFTS}
        )
    for index, spec in enumerate(shifts):
        number = {"number": index + 1}
        starts_at = _in_zone(spec.starts_at, zone)
        ends_at = _in_zone(spec.ends_at, zone)
        if ends_at <= starts_at:
            if several:
                error("shifts", _("Time slot %(number)s must end after it starts.") % number)
            else:
                error("ends_at", _("The event must end after it starts."))
        if (changed_shift_keys is None or index in changed_shift_keys) and starts_at < now:
            if several:
                error("shifts", _("Time slot %(number)s starts in the past.") % number)
            else:
                error("starts_at", _("The event can't start in the past."))
        if spec.capacity is not None and spec.capacity < 0:
            if several:
                error("shifts", _("Time slot %(number)s: capacity can't be below zero.") % number)
            else:
                error("capacity", _("Capacity can't be below zero."))
        built.append((spec, starts_at, ends_at))
    if built and not errors.get("starts_at") and not errors.get("ends_at"):
        event.starts_at = min(start for _spec_, start, _end in built)
        event.ends_at = max(end for _spec_, _start, end in built)
        if event.ends_at - event.starts_at > LONGEST_LISTED_EVENT:
            error(
                "ends_at",
                _("An event can last at most %(days)s days. Host a longer one as several events.")
                % {"days": LONGEST_LISTED_EVENT.days},
            )

    # Under a campaign: the campaign is open and the event falls within its days.
    campaign = event.campaign
    times_changed = changed_shift_keys is None or bool(changed_shift_keys)
    if campaign is not None and (changed("campaign") or times_changed):
        if campaign.archived_at is not None and changed("campaign"):
            error("campaign", _("This campaign is closed to new events."))
        elif built and event.starts_at:
            first_day = timezone.localtime(event.starts_at, zone).date()
            if (campaign.starts_on and first_day < campaign.starts_on) or (
                campaign.ends_on and first_day > campaign.ends_on
            ):
                error("starts_at", _campaign_dates_message(campaign))

    if event.group_id is not None and changed("group") and not _is_staff(actor):
        group = event.group
        is_member = GroupMembership.objects.filter(group=group, user=host).exists()
        if not is_member or (group is not None and group.archived_at is not None):
            error("group", _("You can only link an event to a group you belong to."))
    if event.is_official and changed("is_official") and not _is_staff(actor):
        error("is_official", _("Only campaign staff can mark an event as official."))
    return errors, built


def _campaign_dates_message(campaign: EventCampaign) -> str:
    if campaign.starts_on and campaign.ends_on:
        return _("%(name)s runs from %(start)s to %(end)s: choose a day in between.") % {
            "name": campaign.name,
            "start": formats.date_format(campaign.starts_on, "DATE_FORMAT"),
            "end": formats.date_format(campaign.ends_on, "DATE_FORMAT"),
        }
    if campaign.starts_on:
        return _("%(name)s starts on %(start)s: choose that day or later.") % {
            "name": campaign.name,
            "start": formats.date_format(campaign.starts_on, "DATE_FORMAT"),
        }
    return _("%(name)s ends on %(end)s: choose that day or earlier.") % {
        "name": campaign.name,
        "end": formats.date_format(campaign.ends_on or "", "DATE_FORMAT"),
    }


def _shift_specs(
    *,
    shifts: Sequence[ShiftSpec | tuple[Any, ...]] | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    capacity: int | None,
) -> list[ShiftSpec]:
    if shifts is not None:
        return [_spec(value) for value in shifts]
    if starts_at is None or ends_at is None:
        return []
    return [ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=capacity)]


def host_is_trusted(user: User) -> bool:
    return TrustedHost.objects.filter(user=user).exists()


# --- create, update, cancel ---------------------------------------------------------------


def event_create(
    *,
    host: User,
    title: str,
    event_type: str,
    starts_at_local: datetime | None = None,
    ends_at_local: datetime | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    time_zone: str = "",
    description: str = "",
    venue_name: str = "",
    address_line: str = "",
    postal_code: str = "",
    country: str = "US",
    hide_address: bool = False,
    is_virtual: bool = False,
    virtual_url: str = "",
    accessibility_notes: str = "",
    group: Any = None,
    campaign: EventCampaign | None = None,
    shifts: Sequence[ShiftSpec | tuple[Any, ...]] | None = None,
    capacity: int | None = None,
    is_official: bool = False,
    actor: Any = None,
    now: datetime | None = None,
) -> Event:
    """A new event with its shifts. Staff and trusted hosts publish at once; other members'
    events wait in the organizers' approval queue.

    Give the times as `starts_at_local`/`ends_at_local` (naive, in the event's zone) or as
    aware `starts_at`/`ends_at`, with one `capacity` (None: no limit); or give `shifts`, a list
    of ShiftSpec or (start, end, capacity) tuples. Raises ValidationError by field.
    """
    actor = actor if actor is not None else host
    now = now or timezone.now()
    if not getattr(host, "is_authenticated", False) or not host.is_active:
        raise PermissionDenied
    specs = _shift_specs(
        shifts=shifts,
        starts_at=starts_at_local or starts_at,
        ends_at=ends_at_local or ends_at,
        capacity=capacity,
    )
    event = Event(
        host=host,
        title=title,
        event_type=event_type,
        description=description,
        venue_name=venue_name,
        address_line=address_line,
        postal_code=postal_code,
        country=country,
        hide_address=hide_address,
        is_virtual=is_virtual,
        virtual_url=virtual_url,
        accessibility_notes=accessibility_notes,
        group=group,
        campaign=campaign,
        is_official=is_official,
    )
    errors, built = _validate_and_build(
        event=event,
        host=host,
        actor=actor,
        shifts=specs,
        changed_shift_keys=None,
        time_zone=time_zone,
        now=now,
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        publish = _is_staff(actor) or host_is_trusted(host)
        if publish:
            event.status = Event.Status.PUBLISHED
            event.approved_at = now
            event.approved_by = actor if _is_staff(actor) else None
        else:
            event.status = Event.Status.PENDING
        event.save()
        created = Shift.objects.bulk_create(
            [
                Shift(event=event, starts_at=start, ends_at=end, capacity=spec.capacity)
                for spec, start, end in built
            ]
        )
        # An event starting within the day: its reminders may be due before the planner's
        # next run.
        shift_reminders_plan(shifts=created, time_zone=event.time_zone, now=now)
        audit_record(
            actor=actor,
            action="event.create",
            subject=event,
            details={
                "status": event.status,
                "shifts": len(built),
                "campaign": campaign.pk if campaign else None,
                "group": event.group_id,
            },
        )
    return event


def event_create_from_campaign(*, campaign: EventCampaign, host: User, **fields: Any) -> Event:
    """An event under a campaign, starting from the campaign's template: the suggested type,
    title and description are used for whatever the host left out."""
    fields.setdefault("event_type", campaign.event_type)
    if not fields.get("event_type"):
        fields["event_type"] = campaign.event_type
    if not (fields.get("title") or "").strip():
        fields["title"] = campaign.template_title or campaign.name
    if not (fields.get("description") or "").strip():
        fields["description"] = campaign.template_description
    return event_create(campaign=campaign, host=host, **fields)


_UNSET: Any = object()


def event_update(
    *,
    event: Event,
    actor: Any,
    title: str = _UNSET,
    event_type: str = _UNSET,
    description: str = _UNSET,
    time_zone: str = _UNSET,
    venue_name: str = _UNSET,
    address_line: str = _UNSET,
    postal_code: str = _UNSET,
    country: str = _UNSET,
    hide_address: bool = _UNSET,
    is_virtual: bool = _UNSET,
    virtual_url: str = _UNSET,
    accessibility_notes: str = _UNSET,
    group: Any = _UNSET,
    campaign: EventCampaign | None = _UNSET,
    is_official: bool = _UNSET,
    shifts: Sequence[ShiftSpec | tuple[Any, ...]] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int | None = _UNSET,
    now: datetime | None = None,
) -> Event:
    """Change an event. Only the arguments given change.

    Times: `shifts` replaces the slots (rows with `shift_id` edit that shift, rows without
    one add a slot, shifts left out are removed if nobody is signed up for them); for a
    one-slot event `starts_at`/`ends_at`/`capacity` move or resize that slot. When any time
    changes, reminders are rescheduled. When a slot's times, the place (venue, address, ZIP
    code, online or not), whether the address is hidden, the online link or the title change,
    the calendar SEQUENCE grows and everyone going or waitlisted gets one notice listing what
    changed for them (old → new), with their updated calendar entry and cancel link (a
    CHANGE EventMessage, delivered in batches). The description or accessibility notes alone
    mail nobody. Lowering a capacity below the people already going moves the latest of them
    to the waitlist, in order (the RSVP service does it). A rejected event that is edited
    goes back to the approval queue.
    """
    now = now or timezone.now()
    _require_manager(actor, event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("A cancelled event can't be edited."))

    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("campaign", "group", "host__profile")
            .get(pk=event.pk)
        )
        current = list(event.shifts.order_by("starts_at", "id"))
        by_id = {shift.pk: shift for shift in current}
        old_zone = event.time_zone
        before = emails.event_change_snapshot(event)
        original = {
            "group": event.group_id,
            "campaign": event.campaign_id,
            "is_official": event.is_official,
        }
        for name, value in (
            ("title", title),
            ("event_type", event_type),
            ("description", description),
            ("venue_name", venue_name),
            ("address_line", address_line),
            ("postal_code", postal_code),
            ("country", country),
            ("hide_address", hide_address),
            ("is_virtual", is_virtual),
            ("virtual_url", virtual_url),
            ("accessibility_notes", accessibility_notes),
            ("group", group),
            ("campaign", campaign),
            ("is_official", is_official),
        ):
            if value is not _UNSET:
                setattr(event, name, value)
        zone_given = "" if time_zone is _UNSET else time_zone
        zone_name = zone_given or old_zone

        if shifts is not None:
            specs = [_spec(value) for value in shifts]
        elif starts_at is not None or ends_at is not None or capacity is not _UNSET:
            if len(current) != 1:
                raise ValidationError(
                    {"shifts": [_("This event has several time slots: change them one by one.")]}
                )
            only = current[0]
            specs = [
                ShiftSpec(
                    starts_at=starts_at or only.starts_at,
                    ends_at=ends_at or only.ends_at,
                    capacity=only.capacity if capacity is _UNSET else capacity,
                    shift_id=only.pk,
                )
            ]
        else:
            specs = [ShiftSpec(s.starts_at, s.ends_at, s.capacity, shift_id=s.pk) for s in current]

        errors: dict[str, list[str]] = {}
        for spec in specs:
            if spec.shift_id is not None and spec.shift_id not in by_id:
                errors.setdefault("shifts", []).append(
                    _("That time slot is not part of this event.")
                )
        zone = _zone(zone_name) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        changed_keys = {
            index
            for index, spec in enumerate(specs)
            if spec.shift_id not in by_id
            or _in_zone(spec.starts_at, zone) != by_id[spec.shift_id].starts_at
            or _in_zone(spec.ends_at, zone) != by_id[spec.shift_id].ends_at
        }
        current_values = {
            "group": event.group_id,
            "campaign": event.campaign_id,
            "is_official": event.is_official,
        }
        more, built = _validate_and_build(
            event=event,
            # A past event whose host deleted their account is edited by staff or a co-host.
            host=event.host or actor,
            actor=actor,
            shifts=specs,
            changed_shift_keys=changed_keys,
            time_zone=zone_given or old_zone,
            now=now,
            changed_fields={
                name for name, value in current_values.items() if original[name] != value
            },
        )
        for field, messages in more.items():
            errors.setdefault(field, []).extend(messages)
        kept = {spec.shift_id for spec in specs if spec.shift_id is not None}
        removed = [shift for shift in current if shift.pk not in kept]
        busy = (
            set(
                Attendance.objects.filter(
                    shift__in=removed, status__in=ACTIVE_STATUSES
                ).values_list("shift_id", flat=True)
            )
            if removed
            else set()
        )
        for shift in removed:
            if shift.pk in busy:
                errors.setdefault("shifts", []).append(
                    _("People signed up for the time slot of %(when)s, so it can't be removed.")
                    % {"when": event_when_text(event, shift)}
                )
        if errors:
            raise ValidationError(errors)

        times_changed = bool(removed) or bool(changed_keys)
        after = emails.event_change_snapshot(event)
        # Whether attendees going would see a difference (the waitlist sees less).
        details_changed = bool(
            emails.event_change_lines(old=Event(**before), new=Event(**after), confirmed=True)
        )
        moved: dict[str, dict[str, list[str]]] = {}
        if removed:
            Shift.objects.filter(pk__in=[shift.pk for shift in removed]).delete()
        for spec, start, end in built:
            if spec.shift_id is None:
                Shift.objects.create(
                    event=event, starts_at=start, ends_at=end, capacity=spec.capacity
                )
                continue
            shift = by_id[spec.shift_id]
            if (shift.starts_at, shift.ends_at) != (start, end):
                moved[str(shift.pk)] = {
                    "old": [shift.starts_at.isoformat(), shift.ends_at.isoformat()],
                    "new": [start.isoformat(), end.isoformat()],
                }
                shift.starts_at, shift.ends_at = start, end
                shift.save(update_fields=["starts_at", "ends_at"])
            if shift.capacity != spec.capacity:
                shift_capacity_set(shift=shift, capacity=spec.capacity, actor=actor)
        resubmitted = event.status == Event.Status.REJECTED
        if resubmitted:
            event.status = Event.Status.PENDING
        event.save()
        audit_record(
            actor=actor,
            action="event.update",
            subject=event,
            details={
                "times_changed": times_changed,
                "resubmitted": resubmitted,
                "changed": sorted(name for name in before if before[name] != after[name]),
            },
        )
        if times_changed:
            event_reminders_reschedule(event=event)  # bumps the calendar SEQUENCE
        elif details_changed:
            # Calendars replace an entry only with a higher SEQUENCE.
            Event.objects.filter(pk=event.pk).update(calendar_sequence=F("calendar_sequence") + 1)
        if times_changed or details_changed:
            event.refresh_from_db(fields=["calendar_sequence"])
        if moved or details_changed:
            subject = _("Update: %(title)s") if details_changed else _("New time: %(title)s")
            _attendees_notify(
                event=event,
                kind=EventMessage.Kind.CHANGE,
                sender=actor,
                # Stored in the editor's language; each notice is rebuilt in its reader's.
                subject=subject % {"title": event.title},
                body="",
                include_waitlisted=True,
                changes={"old": before, "new": after, "shifts": moved},
            )
    return event


def event_cancel(*, event: Event, actor: Any, now: datetime | None = None) -> Event:
    """Cancel an event: it stays visible as cancelled and every attendee is told."""
    now = now or timezone.now()
    _require_manager(actor, event)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status == Event.Status.CANCELLED:
            raise ValidationError(_("This event is already cancelled."))
        if event.ends_at <= now:
            raise ValidationError(_("This event is over, so it can't be cancelled."))
        event.status = Event.Status.CANCELLED
        event.cancelled_at = now
        event.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(actor=actor, action="event.cancel", subject=event)
        event_attendees_notify_cancelled(event=event)
    return event


# --- approval and trusted hosts -------------------------------------------------------------


def event_approve(
    *,
    event: Event,
    actor: Any,
    note: str = "",
    trust_host: bool = False,
    now: datetime | None = None,
) -> Event:
    """An organizer publishes a waiting event (and may trust its host from now on)."""
    _require_staff(actor)
    now = now or timezone.now()
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("host__person")
            .get(pk=event.pk)
        )
        if event.status != Event.Status.PENDING:
            raise ValidationError(_("This event is not waiting for approval."))
        event.status = Event.Status.PUBLISHED
        event.approved_by = actor
        event.approved_at = now
        event.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(actor=actor, action="event.approve", subject=event, details={"note": note})
        if trust_host and event.host is not None:
            host_trust_grant(user=event.host, actor=actor)
        with translation.override(recipient_language(event.host)):
            body = _(
                "Good news: your event “%(title)s” is approved and published.\n\n"
                "%(note)s"
                "Share it with your friends and neighbors: %(url)s\n"
                "Manage it here: %(manage)s\n"
            ) % {
                "title": event.title,
                "note": _("A note from the organizer: %(note)s\n\n") % {"note": note}
                if note
                else "",
                "url": event_page_url(event),
                "manage": site_url(reverse("event_manage", args=[event.pk])),
            }
            _mail(
                to=event.host.email if event.host else "",
                subject=_("Your event is approved: %(title)s") % {"title": event.title},
                body=body,
            )
    return event


def event_reject(*, event: Event, actor: Any, note: str, now: datetime | None = None) -> Event:
    """An organizer turns a waiting event down, telling the host why."""
    _require_staff(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Tell the host why, so they can fix it.")]})
    note = note[:2000]
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("host__person")
            .get(pk=event.pk)
        )
        if event.status != Event.Status.PENDING:
            raise ValidationError(_("This event is not waiting for approval."))
        event.status = Event.Status.REJECTED
        event.approved_by = None
        event.approved_at = None
        event.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(actor=actor, action="event.reject", subject=event, details={"note": note})
        with translation.override(recipient_language(event.host)):
            body = _(
                "Your event “%(title)s” was not approved yet.\n\n"
                "The organizer's note: %(note)s\n\n"
                "You can change it and send it again: %(edit)s\n"
            ) % {
                "title": event.title,
                "note": note,
                "edit": site_url(reverse("event_edit", args=[event.pk])),
            }
            _mail(
                to=event.host.email if event.host else "",
                subject=_("Your event needs changes: %(title)s") % {"title": event.title},
                body=body,
            )
    return event


def host_trust_grant(*, user: User, actor: Any) -> TrustedHost:
    """From now on, `user`'s events are published without approval."""
    _require_staff(actor)
    with transaction.atomic():
        trust, created = TrustedHost.objects.get_or_create(
            user=user, defaults={"granted_by": actor}
        )
        if created:
            audit_record(actor=actor, action="event.host_trust_grant", subject=user)
    return trust


def host_trust_revoke(*, user: User, actor: Any) -> None:
    _require_staff(actor)
    with transaction.atomic():
        deleted, _count = TrustedHost.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=actor, action="event.host_trust_revoke", subject=user)


# --- co-hosts -----------------------------------------------------------------------------


def event_cohost_add(*, event: Event, email: str, actor: Any) -> EventCoHost:
    """Make the member with this email a co-host: they get the host's tools for this event."""
    _require_manager(actor, event)
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None:
        raise ValidationError(
            {"email": [_("No member has this email address. Ask them to join first.")]}
        )
    if user.pk == event.host_id:
        raise ValidationError({"email": [_("They already host this event.")]})
    with transaction.atomic():
        cohost, created = EventCoHost.objects.get_or_create(
            event=event, user=user, defaults={"added_by": actor}
        )
        if not created:
            raise ValidationError({"email": [_("They are already a co-host.")]})
        audit_record(
            actor=actor, action="event.cohost_add", subject=event, details={"user": user.pk}
        )
        with translation.override(recipient_language(user)):
            body = _(
                "You are now a co-host of “%(title)s” (%(when)s).\n\n"
                "You can see who is coming, message attendees and check people in here: "
                "%(manage)s\n"
            ) % {
                "title": event.title,
                "when": event_when_text(event),
                "manage": site_url(reverse("event_manage", args=[event.pk])),
            }
            _mail(
                to=user.email,
                subject=_("You are co-hosting %(title)s") % {"title": event.title},
                body=body,
            )
    return cohost


def event_cohost_remove(*, event: Event, user: User, actor: Any) -> None:
    _require_manager(actor, event)
    with transaction.atomic():
        deleted, _count = EventCoHost.objects.filter(event=event, user=user).delete()
        if not deleted:
            raise ValidationError(_("They are not a co-host of this event."))
        audit_record(
            actor=actor, action="event.cohost_remove", subject=event, details={"user": user.pk}
        )


# --- messages to attendees ------------------------------------------------------------------


def _recipient_ids(event: Event, *, include_waitlisted: bool) -> list[int]:
    statuses = ACTIVE_STATUSES if include_waitlisted else (Attendance.Status.CONFIRMED,)
    return list(
        Person.objects.filter(
            attendances__event=event,
            attendances__status__in=statuses,
            email__isnull=False,
        )
        .exclude(email_status__in=_UNMAILABLE)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _attendees_notify(
    *,
    event: Event,
    kind: str,
    sender: Any,
    subject: str,
    body: str,
    include_waitlisted: bool,
    changes: dict[str, Any] | None = None,
) -> EventMessage | None:
    recipients = _recipient_ids(event, include_waitlisted=include_waitlisted)
    if not recipients:
        return None
    message = EventMessage.objects.create(
        event=event,
        sender=sender if getattr(sender, "is_authenticated", False) else None,
        kind=kind,
        subject=subject[:150],
        body=body,
        include_waitlisted=include_waitlisted,
        recipient_ids=recipients,
        changes=changes or {},
    )
    batches = range((len(recipients) + MESSAGE_BATCH_SIZE - 1) // MESSAGE_BATCH_SIZE)

    def enqueue() -> None:
        from groundswell.events.tasks_hosting import event_message_batch_send

        for batch in batches:
            event_message_batch_send.enqueue(message.pk, batch)

    transaction.on_commit(enqueue)
    return message


def event_message_attendees(
    *,
    event: Event,
    actor: Any,
    subject: str,
    body: str,
    include_waitlisted: bool = False,
    now: datetime | None = None,
) -> EventMessage:
    """Email everyone going (and, if asked, the waitlist), one message each, in batches from
    the task queue. Nobody sees anyone else's address. At most MESSAGES_PER_DAY a day."""
    _require_manager(actor, event)
    now = now or timezone.now()
    subject = (subject or "").strip()
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    elif len(subject) > 150:
        errors["subject"] = [_("Keep the subject to 150 characters or fewer.")]
    if not body:
        errors["body"] = [_("Write a message.")]
    elif len(body) > 5000:
        errors["body"] = [_("Keep the message to 5,000 characters or fewer.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The lock serialises two hosts sending at once, so the daily limit holds.
        event = Event.objects.select_for_update().get(pk=event.pk)
        sent_today = EventMessage.objects.filter(
            event=event, kind=EventMessage.Kind.HOST, created_at__gt=now - timedelta(days=1)
        ).count()
        if sent_today >= MESSAGES_PER_DAY:
            raise ValidationError(
                _("You can send up to %(count)s messages a day for this event. Try again tomorrow.")
                % {"count": MESSAGES_PER_DAY}
            )
        message = _attendees_notify(
            event=event,
            kind=EventMessage.Kind.HOST,
            sender=actor,
            subject=subject,
            body=body,
            include_waitlisted=include_waitlisted,
        )
        if message is None:
            raise ValidationError(_("Nobody has signed up yet, so there is nobody to message."))
        audit_record(
            actor=actor,
            action="event.message",
            subject=event,
            details={"message": message.pk, "recipients": len(message.recipient_ids)},
        )
    return message


def _message_subject(message: EventMessage, event: Event) -> str:
    if message.kind == EventMessage.Kind.HOST:
        return f"{event.title}: {message.subject}"
    return message.subject


def _message_text(message: EventMessage, event: Event) -> str:
    lines = [
        message.body,
        "",
        "—",
        _("The hosts of “%(title)s” (%(when)s) sent you this message because you signed up.")
        % {"title": event.title, "when": event_when_text(event)},
        "",
        _("Event page: %(url)s") % {"url": event_page_url(event)},
    ]
    return "\n".join(lines) + "\n"


def event_message_batch_deliver(*, message_id: int, batch: int) -> int:
    """Send one batch of a message (called by its task); returns how many mails it queued.
    Idempotent: the batch is recorded under a row lock in the same transaction that enqueues
    its mail. A change notice is built per person (emails.event_changed_email) from what the
    edit recorded; someone who can see none of the changes gets nothing."""
    with transaction.atomic():
        message = (
            EventMessage.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=message_id)
            .first()
        )
        if message is None or batch in message.batches_sent:
            return 0
        event = message.event
        ids = message.recipient_ids[batch * MESSAGE_BATCH_SIZE : (batch + 1) * MESSAGE_BATCH_SIZE]
        statuses = ACTIVE_STATUSES if message.include_waitlisted else (Attendance.Status.CONFIRMED,)
        attendances = (
            Attendance.objects.filter(event=event, person_id__in=ids, status__in=statuses)
            .exclude(person__email__isnull=True)
            .exclude(person__email_status__in=_UNMAILABLE)
            .select_related("person", "shift")
            .order_by("person_id", "shift__starts_at")
        )
        by_person: dict[int, list[Attendance]] = {}
        for attendance in attendances:
            by_person.setdefault(attendance.person_id, []).append(attendance)
        if event.status == Event.Status.CANCELLED and message.kind == EventMessage.Kind.CHANGE:
            by_person = {}
        sent = 0
        for person_attendances in by_person.values():
            person = person_attendances[0].person
            with translation.override(recipient_language(person)):
                if message.kind == EventMessage.Kind.CHANGE:
                    for attendance in person_attendances:
                        attendance.event = event  # the locked row, with the current SEQUENCE
                    notice = emails.event_changed_email(
                        event=event, attendances=person_attendances, changes=message.changes
                    )
                    if notice is None:
                        continue
                    email_enqueue(notice)
                else:
                    _mail(
                        to=person.email or "",
                        subject=_message_subject(message, event),
                        body=_message_text(message, event),
                    )
            sent += 1
        message.batches_sent = [*message.batches_sent, batch]
        message.save(update_fields=["batches_sent"])
    return sent


# --- at the door and after the event ----------------------------------------------------------


def attendance_mark(
    *, attendance: Attendance, attended: bool, actor: Any, now: datetime | None = None
) -> Attendance:
    """Record whether someone came (after the event has started)."""
    now = now or timezone.now()
    event = attendance.event
    _require_manager(actor, event)
    if now < event.starts_at:
        raise ValidationError(_("You can record attendance once the event has started."))
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        attendance.attended = attended
        if attended and attendance.checked_in_at is None:
            attendance.checked_in_at = now
        if not attended:
            attendance.checked_in_at = None
        attendance.save(update_fields=["attended", "checked_in_at", "updated_at"])
        audit_record(
            actor=actor,
            action="attendance.mark",
            subject=attendance,
            details={"attended": attended},
        )
    return attendance


def event_report_submit(
    *,
    event: Event,
    actor: Any,
    doors_knocked: int | None,
    calls_made: int | None,
    notes: str = "",
    now: datetime | None = None,
) -> Event:
    """The host's short report after the event: doors knocked, calls made, notes."""
    now = now or timezone.now()
    _require_manager(actor, event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("A cancelled event has nothing to report."))
    if now < event.starts_at:
        raise ValidationError(_("You can report on the event once it has started."))
    errors: dict[str, list[str]] = {}
    for field, value in (("doors_knocked", doors_knocked), ("calls_made", calls_made)):
        if value is not None and value < 0:
            errors[field] = [_("Enter zero or more.")]
    notes = (notes or "").strip()
    if len(notes) > 5000:
        errors["notes"] = [_("Keep the notes to 5,000 characters or fewer.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.doors_knocked = doors_knocked
        event.calls_made = calls_made
        event.report_notes = notes
        event.reported_at = now
        event.save(
            update_fields=[
                "doors_knocked",
                "calls_made",
                "report_notes",
                "reported_at",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="event.report",
            subject=event,
            details={"doors_knocked": doors_knocked, "calls_made": calls_made},
        )
    return event


def event_attendees_export_log(*, event: Event, actor: Any) -> None:
    """An attendee list with contact details left the site: record who took it."""
    _require_manager(actor, event)
    with transaction.atomic():
        audit_record(actor=actor, action="event.attendees_export", subject=event)


# --- campaigns --------------------------------------------------------------------------------


def _campaign_validate(campaign: EventCampaign) -> None:
    errors: dict[str, list[str]] = {}
    campaign.name = (campaign.name or "").strip()
    if not campaign.name:
        errors["name"] = [_("Give the campaign a name.")]
    elif len(campaign.name) > 120:
        errors["name"] = [_("Keep the name to 120 characters or fewer.")]
    campaign.slug = slugify(campaign.slug or campaign.name)[:80]
    if not campaign.slug:
        errors.setdefault("slug", []).append(
            _("Choose a short name for the address, such as weekend-of-action.")
        )
    elif EventCampaign.objects.filter(slug=campaign.slug).exclude(pk=campaign.pk).exists():
        errors.setdefault("slug", []).append(_("Another campaign already uses this short name."))
    if campaign.event_type and campaign.event_type not in Event.Type.values:
        errors["event_type"] = [_("Choose a type of event.")]
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("The last day can't be before the first day.")]
    for field, limit in (
        ("template_title", 150),
        ("description", 10000),
        ("template_description", 10000),
    ):
        value = (getattr(campaign, field) or "").strip()
        setattr(campaign, field, value)
        if len(value) > limit:
            errors.setdefault(field, []).append(
                _("Keep this to %(limit)s characters or fewer.") % {"limit": limit}
            )
    if errors:
        raise ValidationError(errors)


_CAMPAIGN_FIELDS = (
    "name",
    "slug",
    "description",
    "event_type",
    "template_title",
    "template_description",
    "starts_on",
    "ends_on",
)


def event_campaign_create(
    *,
    actor: Any,
    name: str,
    slug: str = "",
    description: str = "",
    event_type: str = "",
    template_title: str = "",
    template_description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> EventCampaign:
    """Staff start a campaign ("Weekend of Action") members can host events under."""
    _require_staff(actor)
    campaign = EventCampaign(
        name=name,
        slug=slug,
        description=description,
        event_type=event_type,
        template_title=template_title,
        template_description=template_description,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _campaign_validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(actor=actor, action="event_campaign.create", subject=campaign)
    return campaign


def event_campaign_update(
    *, campaign: EventCampaign, actor: Any, archived: bool | None = None, **fields: Any
) -> EventCampaign:
    """Change a campaign's fields (any of the create arguments); `archived` closes it to new
    events (its events stay)."""
    _require_staff(actor)
    unknown = set(fields) - set(_CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(campaign, name, value)
    if archived is not None:
        campaign.archived_at = (campaign.archived_at or timezone.now()) if archived else None
    _campaign_validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(
            actor=actor,
            action="event_campaign.update",
            subject=campaign,
            details={"fields": sorted(fields), "archived": archived},
        )
    return campaign


def hosted_events_erase(*, person: Any, actor: Any) -> None:
    """Person eraser: before a host's account goes, each upcoming event they host passes to
    its longest-serving co-host, or is cancelled (attendees are told) when there is none.
    Past events keep their attendance and report; their host becomes empty."""
    user = User.objects.filter(person=person).first()
    if user is None:
        return
    now = timezone.now()
    with transaction.atomic():
        upcoming = (
            Event.objects.select_for_update()
            .filter(host=user, ends_at__gt=now)
            .exclude(status=Event.Status.CANCELLED)
            .order_by("pk")
        )
        for event in upcoming:
            cohost = event.cohosts.exclude(user=user).order_by("added_at", "pk").first()
            if cohost is not None:
                Event.objects.filter(pk=event.pk).update(host_id=cohost.user_id)
                cohost.delete()
                audit_record(
                    actor=actor,
                    action="event.host_handover",
                    subject=event,
                    details={"reason": "host account deleted", "new_host": cohost.user_id},
                )
            else:
                event_cancel(event=event, actor=actor, now=now)
        EventCoHost.objects.filter(user=user).delete()
        Event.objects.filter(host=user).update(host=None)
