"""The organizers' approval queue: approve or reject a waiting event, trust a host."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.core.policies import staff_or_403
from groundswell.events.hosting import emails
from groundswell.events.models import Event, TrustedHost


def _pending_event_locked(event: Event) -> Event:
    """The event's row, locked, with its host for the notice; refused unless still waiting
    for review (two organizers deciding at once: the second one is told)."""
    event = (
        Event.objects.select_for_update(of=("self",))
        .select_related("host__person")
        .get(pk=event.pk)
    )
    if event.status != Event.Status.PENDING:
        raise ValidationError(_("This event is not waiting for approval."))
    return event


def event_approve(
    *,
    event: Event,
    actor: Any,
    note: str = "",
    trust_host: bool = False,
    now: datetime | None = None,
) -> Event:
    """An organizer publishes a waiting event (and may trust its host from now on)."""
    staff_or_403(actor)
    now = now or timezone.now()
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        event = _pending_event_locked(event)
        event.status = Event.Status.PUBLISHED
        event.approved_by = actor
        event.approved_at = now
        event.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(actor=actor, action="event.approve", subject=event, details={"note": note})
        if trust_host and event.host is not None:
            host_trust_grant(user=event.host, actor=actor)
        with translation.override(recipient_language(event.host)):
            notice = emails.event_approved_email(event=event, note=note)
        if notice is not None:
            email_enqueue(notice)
    return event


def event_reject(*, event: Event, actor: Any, note: str, now: datetime | None = None) -> Event:
    """An organizer turns a waiting event down, telling the host why."""
    staff_or_403(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Tell the host why, so they can fix it.")]})
    note = note[:2000]
    with transaction.atomic():
        event = _pending_event_locked(event)
        event.status = Event.Status.REJECTED
        event.approved_by = None
        event.approved_at = None
        event.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(actor=actor, action="event.reject", subject=event, details={"note": note})
        with translation.override(recipient_language(event.host)):
            notice = emails.event_rejected_email(event=event, note=note)
        if notice is not None:
            email_enqueue(notice)
    return event


def host_trust_grant(*, user: User, actor: Any) -> TrustedHost:
    """From now on, `user`'s events are published without approval."""
    staff_or_403(actor)
    with transaction.atomic():
        trust, created = TrustedHost.objects.get_or_create(
            user=user, defaults={"granted_by": actor}
        )
        if created:
            audit_record(actor=actor, action="event.host_trust_grant", subject=user)
    return trust


def host_trust_revoke(*, user: User, actor: Any) -> None:
    staff_or_403(actor)
    with transaction.atomic():
        deleted, _count = TrustedHost.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=actor, action="event.host_trust_revoke", subject=user)
