"""At the door and after the event: check-in, walk-ins, who came, the host's report, and
the log of an attendee list leaving the site.

A walk-in takes a place under the shift lock (`events.locks`), like an RSVP.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.events.locks import shift_has_room, shift_lock
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.policies import event_manager_or_403
from groundswell.people.services import person_match_or_create


def attendance_check_in(*, attendance: Attendance, actor: Any) -> Attendance:
    """Mark someone as arrived (idempotent: the first check-in time is kept)."""
    now = timezone.now()
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if attendance.checked_in_at is not None and attendance.attended:
            return attendance
        attendance.checked_in_at = attendance.checked_in_at or now
        attendance.attended = True
        attendance.save(update_fields=["checked_in_at", "attended", "updated_at"])
        audit_record(
            actor=actor,
            action="attendance.check_in",
            subject=attendance,
            details={"event_id": attendance.event_id, "person_id": attendance.person_id},
        )
    return attendance


def _walk_in_shift(*, event: Event, now: datetime) -> Shift:
    shifts = list(event.shifts.order_by("starts_at", "pk"))
    if not shifts:
        raise ValidationError(_("This event has no time slots."), code="no_shift")
    for shift in shifts:
        if shift.starts_at <= now < shift.ends_at:
            return shift
    upcoming = [shift for shift in shifts if shift.starts_at > now]
    return upcoming[0] if upcoming else shifts[-1]


def attendance_walk_in(
    *,
    event: Event,
    email: str,
    given_name: str,
    family_name: str,
    postal_code: str,
    actor: Any,
) -> Attendance:
    """Sign up someone at the door and check them in, on the shift under way (else the next,
    else the last). They take a free place if there is one; when the shift is full they are
    recorded as waitlisted but attended, so capacity still holds. No mail, no reminders."""
    now = timezone.now()
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("Check-in is only open for published events."), code="closed")
    shift = _walk_in_shift(event=event, now=now)
    with transaction.atomic():
        person = person_match_or_create(
            email=email,
            fields={
                "given_name": given_name,
                "family_name": family_name,
                "postal_code": postal_code,
            },
            overwrite=False,
            source="walk_in",
            actor=actor,
        ).person
        locked = shift_lock(shift.pk)
        attendance = Attendance.objects.filter(shift=locked, person=person).first()
        if attendance is None or attendance.status == Attendance.Status.CANCELLED:
            confirmed = shift_has_room(locked)
            if attendance is None:
                attendance = Attendance(event=event, shift=locked, person=person)
                attendance.source = "walk_in"
            attendance.status = (
                Attendance.Status.CONFIRMED if confirmed else Attendance.Status.WAITLISTED
            )
            attendance.confirmed_at = now if confirmed else None
            attendance.waitlisted_at = None if confirmed else now
            attendance.cancelled_at = None
            counter = "confirmed_count" if confirmed else "waitlist_count"
            Shift.objects.filter(pk=locked.pk).update(**{counter: F(counter) + 1})
        attendance.checked_in_at = attendance.checked_in_at or now
        attendance.attended = True
        attendance.save()
        audit_record(
            actor=actor,
            action="attendance.walk_in",
            subject=attendance,
            details={"event_id": event.pk, "shift_id": locked.pk, "person_id": person.pk},
        )
    return attendance


def attendance_mark(
    *, attendance: Attendance, attended: bool, actor: Any, now: datetime | None = None
) -> Attendance:
    """Record whether someone came (after the event has started)."""
    now = now or timezone.now()
    event = attendance.event
    event_manager_or_403(actor, event)
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
    event_manager_or_403(actor, event)
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
    event_manager_or_403(actor, event)
    with transaction.atomic():
        audit_record(actor=actor, action="event.attendees_export", subject=event)
