"""Hosting events: create, edit and cancel; a host's account erased.

Each use case opens `transaction.atomic()` (not durable: the admin and the RSVP services it
calls compose with it), checks who may act, writes its audit row inside the transaction and
sends mail or tasks only on commit (`email_enqueue` and `transaction.on_commit`). Each mail
is built in its recipient's language (`core.mail.recipient_language`). The other host tools
are the sibling modules: approval, co-hosts, messages, attendance (the door and after).

Times: an event's shifts are given either aware, or naive in the event's own time zone
(what a host types); the event spans its shifts (first start to last end).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.policies import is_staff
from groundswell.events.display import when_text, zone_named
from groundswell.events.hosting import emails
from groundswell.events.hosting.services.messages import ACTIVE_STATUSES, _attendees_notify
from groundswell.events.hosting.services.validation import (
    ShiftSpec,
    _in_zone,
    _shift_specs,
    _spec,
    _validate_and_build,
)
from groundswell.events.models import (
    Attendance,
    Event,
    EventCampaign,
    EventCoHost,
    EventMessage,
    Shift,
    TrustedHost,
)
from groundswell.events.policies import event_manager_or_403
from groundswell.events.reminders.services import (
    event_reminders_reschedule,
    shift_reminders_plan,
)
from groundswell.events.rsvp.services import event_attendees_notify_cancelled, shift_capacity_set


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
        publish = is_staff(actor) or host_is_trusted(host)
        if publish:
            event.status = Event.Status.PUBLISHED
            event.approved_at = now
            event.approved_by = actor if is_staff(actor) else None
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
    event_manager_or_403(actor, event)
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
        zone = zone_named(zone_name) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
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
                    % {"when": when_text(event, shift)}
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
    event_manager_or_403(actor, event)
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


# --- a host's account erased ------------------------------------------------------------------


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
