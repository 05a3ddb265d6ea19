"""Messages to an event's attendees: the host's own, and the change notices an edit sends.

One EventMessage row per message; its recipients are mailed in batches by a task
(MESSAGE_BATCH_SIZE each), every batch recorded under a row lock so a batch run twice
sends once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.core.queue import task_enqueue_on_commit
from groundswell.events.display import UNMAILABLE
from groundswell.events.hosting import emails
from groundswell.events.models import Attendance, Event, EventMessage
from groundswell.events.policies import event_manager_or_403
from groundswell.people.models import Person

# A host may message an event's attendees this many times in any 24 hours.
MESSAGES_PER_DAY = 5
# Recipients per task when messaging attendees.
MESSAGE_BATCH_SIZE = 100
ACTIVE_STATUSES = (Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED)


def _recipient_ids(event: Event, *, include_waitlisted: bool) -> list[int]:
    statuses = ACTIVE_STATUSES if include_waitlisted else (Attendance.Status.CONFIRMED,)
    return list(
        Person.objects.filter(
            attendances__event=event,
            attendances__status__in=statuses,
            email__isnull=False,
        )
        .exclude(email_status__in=UNMAILABLE)
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
    from groundswell.events.hosting.tasks import event_message_batch_send

    for batch in range((len(recipients) + MESSAGE_BATCH_SIZE - 1) // MESSAGE_BATCH_SIZE):
        task_enqueue_on_commit(event_message_batch_send, message.pk, batch)
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
    event_manager_or_403(actor, event)
    now = now or timezone.now()
    # One line, as group announcements: a line break in a mail header would fail every send.
    subject = " ".join((subject or "").split())
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
            .exclude(person__email_status__in=UNMAILABLE)
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
                    mail = emails.event_host_message_email(
                        message=message, event=event, person=person
                    )
                    if mail is None:
                        continue
                    email_enqueue(mail)
            sent += 1
        message.batches_sent = [*message.batches_sent, batch]
        message.save(update_fields=["batches_sent"])
    return sent
