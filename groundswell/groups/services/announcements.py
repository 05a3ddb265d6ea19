"""Announcements: a leader emails the group's members, in batches, each mail in its
recipient's language, with a one-click way to stop them (RFC 8058)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.core.queue import task_enqueue_on_commit
from groundswell.groups.emails import group_announcement_email
from groundswell.groups.models import (
    Group,
    GroupAnnouncement,
    GroupAnnouncementDelivery,
    GroupMembership,
)
from groundswell.groups.policies import group_can_manage, membership_of
from groundswell.groups.services.common import (
    group_row_lock,
    not_archived_require,
    one_line_clean,
    text_clean,
)

Delivery = GroupAnnouncementDelivery

# One task per this many recipients of an announcement.
ANNOUNCEMENT_BATCH_SIZE = 500
# A group sends at most this many announcements in any 24 hours (a brake on mistakes and spam).
ANNOUNCEMENTS_PER_DAY = 5
# People whose mail bounces or who reported spam get no group mail (suppression).
SUPPRESSED_EMAIL_STATUSES = ("bouncing", "spam complaint")


def group_announcements_mute(*, group: Group, user: Any, muted: bool = True) -> bool:
    """Stop (or restart) a member's announcement emails from one group; False when the user
    is not a member. Used by the one-click link in the emails and by the group page."""
    with transaction.atomic():
        updated = GroupMembership.objects.filter(group=group, user=user).exclude(
            announcements_muted=muted
        )
        changed = updated.update(announcements_muted=muted)
        exists = changed or GroupMembership.objects.filter(group=group, user=user).exists()
        if changed:
            audit_record(
                actor=user,
                action="group.announcements_mute" if muted else "group.announcements_unmute",
                subject=group,
                details={"user_id": user.pk},
            )
    return bool(exists)


def group_announcement_send(
    *, group: Group, sender: Any, subject: str, body: str, now: Any = None
) -> GroupAnnouncement:
    """Email every member who hasn't muted the group: the recipients are fixed now, one
    delivery row each; one task per batch of ANNOUNCEMENT_BATCH_SIZE is enqueued on commit."""
    from groundswell.groups.tasks import group_announcement_batch_send

    now = now or timezone.now()
    subject = one_line_clean(subject, field="subject", max_length=150, required=True)
    body = text_clean(body, field="body", max_length=20000, required=True)
    with transaction.atomic():
        group = group_row_lock(group)
        if not group_can_manage(sender, membership_of(sender, group)):
            raise PermissionDenied(_("Only the group's leaders can send announcements."))
        not_archived_require(group)
        recent = GroupAnnouncement.objects.filter(
            group=group, created_at__gte=now - timedelta(days=1)
        ).count()
        if recent >= ANNOUNCEMENTS_PER_DAY:
            raise ValidationError(
                _("This group has sent %(count)d announcements in the last day. Try tomorrow.")
                % {"count": recent},
                code="too_many",
            )
        recipients = list(
            GroupMembership.objects.filter(
                group=group, announcements_muted=False, user__is_active=True
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        batches = -(-len(recipients) // ANNOUNCEMENT_BATCH_SIZE)
        announcement = GroupAnnouncement.objects.create(
            group=group,
            sender=sender,
            subject=subject,
            body=body,
            recipient_count=len(recipients),
            batch_count=batches,
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    announcement=announcement,
                    user_id=user_id,
                    batch=index // ANNOUNCEMENT_BATCH_SIZE,
                )
                for index, user_id in enumerate(recipients)
            ],
            batch_size=1000,
        )
        audit_record(
            actor=sender,
            action="group.announcement_send",
            subject=announcement,
            details={"group_id": group.pk, "recipients": len(recipients), "batches": batches},
        )
        for batch in range(batches):
            task_enqueue_on_commit(
                group_announcement_batch_send, announcement_id=announcement.pk, batch=batch
            )
    return announcement


def group_announcement_batch_deliver(*, announcement_id: int, batch: int) -> int:
    """Mail one batch; returns how many messages were queued. Idempotent: the unsent rows of
    the batch are locked (rows another worker holds are skipped) and marked in the same
    transaction that queues their mail, so a second run finds nothing to send. Members who
    left, muted the group since, were deactivated, or whose mail bounces are skipped. Each
    mail's own words (footer, sender name) are in its recipient's language."""
    announcement = (
        GroupAnnouncement.objects.select_related("group").filter(pk=announcement_id).first()
    )
    if announcement is None:
        return 0
    with transaction.atomic():
        rows = list(
            Delivery.objects.filter(announcement=announcement, batch=batch, outcome="")
            .select_related("user", "user__person")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not rows:
            return 0
        still_listening = set(
            GroupMembership.objects.filter(
                group_id=announcement.group_id,
                user_id__in=[row.user_id for row in rows],
                announcements_muted=False,
            ).values_list("user_id", flat=True)
        )
        send, skip = [], []
        for row in rows:
            person = row.user.person
            if (
                row.user_id in still_listening
                and row.user.is_active
                and row.user.email
                and not (person and person.email_status in SUPPRESSED_EMAIL_STATUSES)
            ):
                send.append(row)
            else:
                skip.append(row)
        now = timezone.now()
        Delivery.objects.filter(pk__in=[r.pk for r in send]).update(
            outcome=Delivery.Outcome.SENT, processed_at=now
        )
        Delivery.objects.filter(pk__in=[r.pk for r in skip]).update(
            outcome=Delivery.Outcome.SKIPPED, processed_at=now
        )
        for row in send:
            with translation.override(recipient_language(row.user)):
                email_enqueue(group_announcement_email(announcement=announcement, user=row.user))
    return len(send)
