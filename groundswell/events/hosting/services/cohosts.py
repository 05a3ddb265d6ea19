"""Co-hosts: another member given the host's tools for one event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.events.hosting import emails
from groundswell.events.models import Event, EventCoHost
from groundswell.events.policies import event_manager_or_403


def event_cohost_add(*, event: Event, email: str, actor: Any) -> EventCoHost:
    """Make the member with this email a co-host: they get the host's tools for this event."""
    event_manager_or_403(actor, event)
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
            notice = emails.event_cohost_added_email(event=event, user=user)
        if notice is not None:
            email_enqueue(notice)
    return cohost


def event_cohost_remove(*, event: Event, user: User, actor: Any) -> None:
    event_manager_or_403(actor, event)
    with transaction.atomic():
        deleted, _count = EventCoHost.objects.filter(event=event, user=user).delete()
        if not deleted:
            raise ValidationError(_("They are not a co-host of this event."))
        audit_record(
            actor=actor, action="event.cohost_remove", subject=event, details={"user": user.pk}
        )
