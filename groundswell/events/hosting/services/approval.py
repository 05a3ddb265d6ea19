"""The organizers' approval queue: approve or reject a waiting event, trust a host."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.mail import recipient_language
from groundswell.core.policies import staff_or_403
from groundswell.events.display import event_page_url, site_url
from groundswell.events.hosting.emails import plain_email_enqueue
from groundswell.events.models import Event, TrustedHost


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
            plain_email_enqueue(
                to=event.host.email if event.host else "",
                subject=_("Your event is approved: %(title)s") % {"title": event.title},
                body=body,
            )
    return event


def event_reject(*, event: Event, actor: Any, note: str, now: datetime | None = None) -> Event:
    """An organizer turns a waiting event down, telling the host why."""
    staff_or_403(actor)
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
            plain_email_enqueue(
                to=event.host.email if event.host else "",
                subject=_("Your event needs changes: %(title)s") % {"title": event.title},
                body=body,
            )
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
