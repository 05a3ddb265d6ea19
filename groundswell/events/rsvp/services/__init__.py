"""RSVPs: attend, cancel, waitlists, capacity changes, replies to reminders, calendar feeds.

The scarce resource is the Shift row. Every write that changes who holds a place locks that
one row (`events.locks.shift_lock`), late and once per transaction, re-reads what it needs
under the lock, writes the attendances and moves the counters with F(). The database backs
it up: (shift, person) is unique, so an RSVP submitted twice is one attendance, and a check
constraint keeps `confirmed_count <= capacity`.

Mail and tasks leave only after commit (`email_enqueue` and `transaction.on_commit`).
Reminders are not queued per RSVP: `events.reminders` queues one task per shift and kind
shortly before it is due, and it reminds whoever is confirmed then (decision 0016). Check-in
and walk-ins at the door are the host tools' (`events.hosting.services.attendance`).

`rsvp_submit` is the one way in for an RSVP (the event page, the OSDI
record_attendance_helper): it matches the person, RSVPs them in one transaction, retries the
email race and keeps the idempotency key (decision 0024). The other writes open
`transaction.atomic()` but not a durable one, so a caller may run them inside its own.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.core.languages import language_supported
from groundswell.core.mail import email_deliver, email_enqueue, recipient_language
from groundswell.core.queue import task_enqueue_on_commit
from groundswell.events.display import person_mailable
from groundswell.events.locks import shift_has_room, shift_lock
from groundswell.events.models import Attendance, CalendarFeed, Event, Shift
from groundswell.events.rsvp import emails
from groundswell.people.models import Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RsvpResult:
    attendance: Attendance
    created: bool
    waitlisted: bool


# --- Helpers ------------------------------------------------------------------------------


def _event_check_open(event: Event) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event was cancelled."), code="cancelled")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("This event is not open for RSVPs yet."), code="not_published")


def _on_commit_email(attendance_id: int, kind: str, language: str) -> None:
    from groundswell.events.rsvp.tasks import attendance_email_send

    task_enqueue_on_commit(attendance_email_send, attendance_id, kind, language)


def attendance_email_send(*, attendance_id: int, kind: str, language: str) -> str:
    """Send the confirmation ("confirmed") or waitlist ("waitlisted") mail of an RSVP, in the
    person's language (else `language`, the one the RSVP was made in). Nothing if the RSVP
    is gone or no longer in that state."""
    attendance = (
        Attendance.objects.select_related("event", "shift", "person")
        .filter(pk=attendance_id)
        .first()
    )
    if attendance is None or attendance.status != kind:
        return "skipped"
    build = emails.rsvp_confirmed_email if kind == "confirmed" else emails.rsvp_waitlisted_email
    language = (
        language_supported(attendance.person.preferred_language)
        or language_supported(language)
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        message = build(attendance=attendance)
    email_deliver(message)  # this task is the mail's one queue hop (decision 0015)
    return "sent"


# --- RSVP ---------------------------------------------------------------------------------


def _attendance_reactivate(
    attendance: Attendance,
    *,
    status: str,
    user: Any,
    referred_by: Person | None,
    source: str,
    now: datetime,
) -> Attendance:
    """A cancelled RSVP made again: the same row, as a new RSVP (its shift is locked)."""
    confirmed = status == Attendance.Status.CONFIRMED
    attendance.status = status
    attendance.confirmed_at = now if confirmed else None
    attendance.waitlisted_at = None if confirmed else now
    attendance.cancelled_at = None
    attendance.reminder_reply = None
    attendance.reminder_day_before_sent_at = None
    attendance.reminder_day_of_sent_at = None
    if user is not None:
        attendance.user = user
    # The first referral and source stay: they say how the person first came.
    if referred_by is not None and attendance.referred_by_id is None:
        attendance.referred_by = referred_by
    if source and not attendance.source:
        attendance.source = source
    attendance.save()
    return attendance


def attendance_rsvp(
    *,
    event: Event,
    person: Person,
    shift: Shift | None = None,
    user: Any = None,
    referred_by: Person | None = None,
    source: str = "",
    actor: Any = None,
    now: datetime | None = None,
    person_created: bool = False,
) -> RsvpResult:
    """RSVP `person` to `shift` (default: the event's first upcoming one).

    Confirms while the shift has room, else waitlists. An RSVP that already exists (confirmed
    or waitlisted) is returned unchanged with created=False; a cancelled one is re-activated
    as a new RSVP. Cancelled, unpublished and past events are refused with a ValidationError.

    `person_created`: the person was created in the caller's still-open transaction, so no
    RSVP of theirs can exist, and the attendance is inserted without the savepoint that
    catches a repeat (two round trips fewer under the shift lock).
    """
    now = now or timezone.now()
    _event_check_open(event)
    if shift is not None and shift.event_id != event.pk:
        raise ValidationError(_("Choose one of this event's time slots."), code="wrong_shift")
    if referred_by is not None and referred_by.pk == person.pk:
        referred_by = None  # nobody gets credit for inviting themselves
    source = (source or "").strip()[:100]

    # No savepoint of its own inside a caller's transaction: two round trips fewer in the
    # transaction every other RSVP of the shift waits for. A refusal found under the lock
    # leaves the block normally (nothing was written yet) and is raised after it, so a
    # caller may catch it and carry on in its own transaction.
    with transaction.atomic(savepoint=False):
        try:
            locked = shift_lock(
                shift.pk if shift else None, event_id=event.pk, now=now, event=event
            )
        except Shift.DoesNotExist:
            locked = None
        refusal = _refusal_under_lock(locked, event=event, now=now)
        if refusal is None:
            assert locked is not None
            result = _attendance_write(
                locked=locked,
                event=event,
                person=person,
                user=user,
                referred_by=referred_by,
                source=source,
                actor=actor,
                now=now,
                repeat_possible=not person_created,
            )
    if refusal is not None:
        raise refusal
    return result


def _refusal_under_lock(
    locked: Shift | None, *, event: Event, now: datetime
) -> ValidationError | None:
    """Why an RSVP can't be taken, re-checked under the shift lock (the event or the time
    may have changed since the caller looked), or None."""
    if locked is None:
        return ValidationError(_("This event is over."), code="past")
    try:
        _event_check_open(event)
    except ValidationError as refusal:
        return refusal
    if locked.starts_at <= now:
        return ValidationError(_("This time slot has already started."), code="past")
    return None


def _attendance_write(
    *,
    locked: Shift,
    event: Event,
    person: Person,
    user: Any,
    referred_by: Person | None,
    source: str,
    actor: Any,
    now: datetime,
    repeat_possible: bool = True,
) -> RsvpResult:
    """attendance_rsvp's writes, inside its transaction and under the shift lock."""
    confirmed = shift_has_room(locked)
    status = Attendance.Status.CONFIRMED if confirmed else Attendance.Status.WAITLISTED
    attendance = Attendance(
        event=event,
        shift=locked,
        person=person,
        user=user,
        status=status,
        confirmed_at=now if confirmed else None,
        waitlisted_at=None if confirmed else now,
        referred_by=referred_by,
        source=source,
    )
    if not repeat_possible:
        attendance.save(force_insert=True)
    else:
        try:
            # Most RSVPs are new: insert first and let (shift, person)'s unique index find
            # the repeats, rather than look for one on every RSVP.
            with transaction.atomic():
                attendance.save(force_insert=True)
        except IntegrityError as error:
            existing = Attendance.objects.filter(shift=locked, person=person).first()
            if existing is None:
                raise error from None  # some other constraint: not a repeated RSVP
            if existing.status != Attendance.Status.CANCELLED:
                return RsvpResult(
                    attendance=existing,
                    created=False,
                    waitlisted=existing.status == Attendance.Status.WAITLISTED,
                )
            attendance = _attendance_reactivate(
                existing,
                status=status,
                user=user,
                referred_by=referred_by,
                source=source,
                now=now,
            )
    counter = "confirmed_count" if confirmed else "waitlist_count"
    Shift.objects.filter(pk=locked.pk).update(**{counter: F(counter) + 1})
    audit_record(
        actor=actor,
        action="attendance.rsvp",
        subject=attendance,
        details={
            "event_id": event.pk,
            "shift_id": locked.pk,
            "person_id": person.pk,
            "status": attendance.status,
            "referred_by_id": attendance.referred_by_id,
            "source": attendance.source,
        },
    )
    if person_mailable(person):
        # One task after commit builds and sends the mail (with its .ics): rendering
        # inside the transaction held the shift's lock, and each extra queue row is
        # another write. Without an address there is nothing to send.
        _on_commit_email(
            attendance.pk,
            "confirmed" if confirmed else "waitlisted",
            translation.get_language() or settings.LANGUAGE_CODE,
        )
    return RsvpResult(attendance=attendance, created=True, waitlisted=not confirmed)


def _waitlist_promote(*, shift: Shift, actor: Any, now: datetime) -> list[Attendance]:
    """Fill the locked shift's free places from its waitlist, earliest first.

    `shift` must be locked by the caller and carry the current counts; they are updated.
    Nobody is promoted into a shift that has started.
    """
    if shift.starts_at <= now:
        return []
    waiting = (
        Attendance.objects.filter(shift=shift, status=Attendance.Status.WAITLISTED)
        .select_related("person", "event", "shift")
        .order_by("waitlisted_at", "pk")
    )
    if shift.capacity is not None:
        free = shift.capacity - shift.confirmed_count
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    if not promoted:
        return []
    Attendance.objects.filter(pk__in=[a.pk for a in promoted]).update(
        status=Attendance.Status.CONFIRMED, confirmed_at=now, updated_at=now
    )
    count = len(promoted)
    Shift.objects.filter(pk=shift.pk).update(
        confirmed_count=F("confirmed_count") + count, waitlist_count=F("waitlist_count") - count
    )
    shift.confirmed_count += count
    shift.waitlist_count -= count
    for attendance in promoted:
        attendance.status = Attendance.Status.CONFIRMED
        attendance.confirmed_at = now
        attendance.shift = shift
        audit_record(
            actor=actor,
            action="attendance.promote",
            subject=attendance,
            details={"shift_id": shift.pk, "person_id": attendance.person_id},
        )
        if person_mailable(attendance.person):
            with translation.override(recipient_language(attendance.person)):
                email_enqueue(emails.rsvp_promoted_email(attendance=attendance))
    return promoted


def _cancel_locked(
    *,
    attendance_id: int,
    shift_id: int,
    actor: Any,
    now: datetime,
    reminder_reply: bool | None = None,
) -> Attendance:
    shift = shift_lock(shift_id)  # lock order everywhere: the shift, then its attendances
    attendance = Attendance.objects.select_related("person", "event").get(pk=attendance_id)
    if attendance.status == Attendance.Status.CANCELLED:
        if reminder_reply is not None and attendance.reminder_reply != reminder_reply:
            attendance.reminder_reply = reminder_reply
            attendance.save(update_fields=["reminder_reply", "updated_at"])
        return attendance
    was = attendance.status
    attendance.status = Attendance.Status.CANCELLED
    attendance.cancelled_at = now
    fields = ["status", "cancelled_at", "updated_at"]
    if reminder_reply is not None:
        attendance.reminder_reply = reminder_reply
        fields.append("reminder_reply")
    attendance.save(update_fields=fields)
    if was == Attendance.Status.CONFIRMED:
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") - 1)
        shift.confirmed_count -= 1
    else:
        Shift.objects.filter(pk=shift.pk).update(waitlist_count=F("waitlist_count") - 1)
        shift.waitlist_count -= 1
    audit_record(
        actor=actor,
        action="attendance.cancel",
        subject=attendance,
        details={"shift_id": shift.pk, "person_id": attendance.person_id, "was": was},
    )
    if was == Attendance.Status.CONFIRMED:
        _waitlist_promote(shift=shift, actor=actor, now=now)
    attendance.shift = shift
    return attendance


def attendance_cancel(
    *, attendance: Attendance, actor: Any = None, now: datetime | None = None
) -> Attendance:
    """Cancel an RSVP (a no-op if already cancelled); the freed place goes to the earliest
    waitlisted person of that shift, who is emailed and gets reminders."""
    now = now or timezone.now()
    with transaction.atomic():
        return _cancel_locked(
            attendance_id=attendance.pk, shift_id=attendance.shift_id, actor=actor, now=now
        )


def attendance_reminder_reply(
    *, attendance: Attendance, coming: bool, actor: Any = None, now: datetime | None = None
) -> Attendance:
    """The answer to the day-before reminder: "I'll be there" records it; "I can't make
    it" records it and cancels the RSVP, which promotes the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        if not coming:
            return _cancel_locked(
                attendance_id=attendance.pk,
                shift_id=attendance.shift_id,
                actor=actor,
                now=now,
                reminder_reply=False,
            )
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("event", "shift")
            .get(pk=attendance.pk)
        )
        if attendance.status == Attendance.Status.CANCELLED:
            raise ValidationError(_("This RSVP was cancelled."), code="cancelled")
        if attendance.reminder_reply is not True:
            attendance.reminder_reply = True
            attendance.save(update_fields=["reminder_reply", "updated_at"])
            audit_record(
                actor=actor,
                action="attendance.reminder_reply",
                subject=attendance,
                details={"coming": True},
            )
    return attendance


# --- Capacity -----------------------------------------------------------------------------


def shift_capacity_set(*, shift: Shift, capacity: int | None, actor: Any = None) -> Shift:
    """Change a shift's capacity (None: unlimited).

    Below the confirmed count, the overflow (the latest confirmed first) moves to the
    waitlist, keeping each person's place in line by when they asked; above it, waitlisted
    people are promoted into the new places. Everyone moved is emailed.
    """
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": _("Capacity can't be below zero.")}, code="negative")
    now = timezone.now()
    with transaction.atomic():
        locked = shift_lock(shift.pk)
        old = locked.capacity
        demoted: list[Attendance] = []
        if capacity is not None and locked.confirmed_count > capacity:
            overflow = locked.confirmed_count - capacity
            demoted = list(
                Attendance.objects.filter(shift=locked, status=Attendance.Status.CONFIRMED)
                .select_related("person", "event")
                .order_by(F("confirmed_at").desc(nulls_last=True), "-created_at", "-pk")[:overflow]
            )
            for attendance in demoted:
                # Their place in line is when they asked: before anyone who found it full.
                attendance.waitlisted_at = (
                    attendance.waitlisted_at or attendance.confirmed_at or attendance.created_at
                )
                attendance.status = Attendance.Status.WAITLISTED
                attendance.confirmed_at = None
                attendance.save(
                    update_fields=["status", "waitlisted_at", "confirmed_at", "updated_at"]
                )
            # One UPDATE, so the capacity check constraint sees the final counts.
            Shift.objects.filter(pk=locked.pk).update(
                capacity=capacity,
                confirmed_count=F("confirmed_count") - len(demoted),
                waitlist_count=F("waitlist_count") + len(demoted),
            )
            locked.confirmed_count -= len(demoted)
            locked.waitlist_count += len(demoted)
            locked.capacity = capacity
        else:
            Shift.objects.filter(pk=locked.pk).update(capacity=capacity)
            locked.capacity = capacity
        audit_record(
            actor=actor,
            action="shift.capacity_set",
            subject=locked,
            details={
                "event_id": locked.event_id,
                "from": old,
                "to": capacity,
                "moved_to_waitlist": [a.pk for a in demoted],
            },
        )
        for attendance in demoted:
            attendance.shift = locked
            if person_mailable(attendance.person):
                with translation.override(recipient_language(attendance.person)):
                    email_enqueue(emails.rsvp_demoted_email(attendance=attendance))
        if not demoted:
            _waitlist_promote(shift=locked, actor=actor, now=now)
    return locked


# --- Event changes (called by the host tools) ---------------------------------------------


def event_attendees_notify_cancelled(*, event: Event) -> None:
    """Email everyone still going or waitlisted that the event is cancelled (with the
    cancelled calendar entry attached). Their attendances are kept as they are."""
    attendances = (
        Attendance.objects.filter(
            event_id=event.pk,
            status__in=[Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED],
        )
        .select_related("person", "event", "shift")
        .order_by("pk")
    )
    for attendance in attendances.iterator(chunk_size=500):
        if person_mailable(attendance.person):
            with translation.override(recipient_language(attendance.person)):
                email_enqueue(emails.event_cancelled_email(attendance=attendance))


# --- Calendar feed ------------------------------------------------------------------------


def calendar_feed_regenerate(*, user: Any, actor: Any = None) -> CalendarFeed:
    """Give the member a new private "my events" feed token; the old link stops working."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.update_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        audit_record(
            actor=actor,
            action="calendar_feed.create" if created else "calendar_feed.regenerate",
            subject=feed,
        )
    return feed


# --- Erasure ------------------------------------------------------------------------------


def attendances_erase(*, person: Person, actor: Any) -> None:
    """Person eraser: the erased person's upcoming RSVPs are cancelled (their places go to
    the waitlist); past attendances stay, pointing at the de-identified Person, for counts."""
    now = timezone.now()
    upcoming = Attendance.objects.filter(
        person=person,
        status__in=[Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED],
        shift__starts_at__gt=now,
    ).values_list("pk", "shift_id")
    for attendance_id, shift_id in sorted(upcoming, key=lambda row: row[1]):
        _cancel_locked(attendance_id=attendance_id, shift_id=shift_id, actor=actor, now=now)


# The one way in lives in its own module (this one holds what it builds on).
from groundswell.events.rsvp.services.submit import (  # noqa: E402
    RSVP_IDEMPOTENCY_SCOPE as RSVP_IDEMPOTENCY_SCOPE,
)
from groundswell.events.rsvp.services.submit import (  # noqa: E402
    GuestDetails as GuestDetails,
)
from groundswell.events.rsvp.services.submit import (  # noqa: E402
    rsvp_submit as rsvp_submit,
)
