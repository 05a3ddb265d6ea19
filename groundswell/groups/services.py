"""Writes on groups: creating and running them, membership and roles, the discussion board,
announcements. One function per use case; each validates, authorizes, opens its transaction,
writes its audit row inside it and sends mail or tasks only after commit.

Not `durable=True`: demo seeding and the account eraser call these inside their own
transactions (the same choice as accounts.services).

Role rules (see docs/groups.md):
- a group has exactly one leader while it has members; the creator is the first;
- leaving as the leader hands leadership to the longest-serving co-leader; with no co-leader
  and other members left, the leader must transfer leadership first; the last member
  leaving archives the group;
- leaders and co-leaders remove members; only the leader (or staff) removes a co-leader,
  changes roles or transfers leadership; nobody removes the leader.
`member_count` moves with F() in the same transaction as the membership row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, parseaddr
from functools import partial
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.mail import email_enqueue, recipient_language
from groundswell.geo.selectors import postal_code_find, postal_code_normalize
from groundswell.groups.models import (
    Group,
    GroupAnnouncement,
    GroupAnnouncementDelivery,
    GroupMembership,
    GroupPost,
)
from groundswell.groups.policies import (
    group_can_lead,
    group_can_manage,
    group_can_post,
    group_member_can_remove,
    group_post_can_edit,
    group_post_can_remove,
    membership_of,
)
from groundswell.groups.text import post_html, post_link_count
from groundswell.groups.tokens import mute_token_make

Role = GroupMembership.Role
Delivery = GroupAnnouncementDelivery

# One task per this many recipients of an announcement.
ANNOUNCEMENT_BATCH_SIZE = 500
# A group sends at most this many announcements in any 24 hours (a brake on mistakes and spam).
ANNOUNCEMENTS_PER_DAY = 5
# People whose mail bounces or who reported spam get no group mail (suppression).
SUPPRESSED_EMAIL_STATUSES = ("bouncing", "spam complaint")


# --- Validation helpers --------------------------------------------------------------------


def _text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("Keep this to %(max)d characters or fewer (it has %(count)d).")
                % {"max": max_length, "count": len(value)}
            }
        )
    return value


def _one_line(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    return " ".join(_text(value, field=field, max_length=max_length, required=required).split())


def _focus(value: str) -> str:
    if value not in Group.Focus.values:
        raise ValidationError({"focus": _("Choose a focus from the list.")})
    return value


def _geocode(group: Group, *, postal_code: str, country: str) -> None:
    """Set the group's home postal code and its centroid; unknown codes are refused."""
    country = (country or "US").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError({"country": _("Enter a two-letter country code, such as US.")})
    if not (postal_code or "").strip():
        raise ValidationError({"postal_code": _("Enter the ZIP code where the group meets.")})
    found = postal_code_find(country=country, code=postal_code)
    if found is None:
        raise ValidationError(
            {
                "postal_code": _(
                    "We don't know the postal code “%(code)s”. Check it and try again."
                )
                % {"code": postal_code.strip()[:20]}
            },
            code="unknown_postal_code",
        )
    group.postal_code = postal_code_normalize(country=country, code=postal_code)
    group.country = country
    group.latitude, group.longitude = found.latitude, found.longitude


def _signed_in(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied(_("Sign in first."))


def _locked_group(group: Group) -> Group:
    """Lock the group row: every change of roles in one group runs one at a time."""
    return Group.objects.select_for_update().get(pk=group.pk)


def _not_archived(group: Group) -> None:
    if group.archived_at is not None:
        raise ValidationError(_("This group is archived."), code="archived")


# --- Groups --------------------------------------------------------------------------------


def group_create(
    *,
    creator: Any,
    name: str,
    focus: str,
    postal_code: str,
    country: str = "US",
    description: str = "",
    meeting_area: str = "",
) -> Group:
    """Start a group; the creator becomes its leader (and its first member)."""
    _signed_in(creator)
    group = Group(
        name=_one_line(name, field="name", max_length=120, required=True),
        description=_text(description, field="description", max_length=5000),
        focus=_focus(focus),
        meeting_area=_one_line(meeting_area, field="meeting_area", max_length=200),
        created_by=creator,
        member_count=1,
    )
    _geocode(group, postal_code=postal_code, country=country)
    group.full_clean(exclude=["created_by"])
    with transaction.atomic():
        group.save()
        GroupMembership.objects.create(group=group, user=creator, role=Role.LEADER)
        audit_record(
            actor=creator,
            action="group.create",
            subject=group,
            details={"postal_code": group.postal_code, "focus": group.focus},
        )
    return group


def group_update(
    *,
    group: Group,
    actor: Any,
    name: str | None = None,
    description: str | None = None,
    focus: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    meeting_area: str | None = None,
) -> Group:
    """Change a group's details (leaders, co-leaders, staff). None leaves a field alone."""
    with transaction.atomic():
        group = _locked_group(group)
        if not group_can_manage(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leaders can change it."))
        before = {f: getattr(group, f) for f in _GROUP_FIELDS}
        if name is not None:
            group.name = _one_line(name, field="name", max_length=120, required=True)
        if description is not None:
            group.description = _text(description, field="description", max_length=5000)
        if focus is not None:
            group.focus = _focus(focus)
        if meeting_area is not None:
            group.meeting_area = _one_line(meeting_area, field="meeting_area", max_length=200)
        if postal_code is not None or country is not None:
            _geocode(
                group,
                postal_code=group.postal_code if postal_code is None else postal_code,
                country=group.country if country is None else country,
            )
        group.full_clean(exclude=["created_by"])
        changed = sorted(f for f in _GROUP_FIELDS if getattr(group, f) != before[f])
        if changed:
            group.save(update_fields=[*changed, "latitude", "longitude", "updated_at"])
            audit_record(
                actor=actor, action="group.update", subject=group, details={"fields": changed}
            )
    return group


_GROUP_FIELDS = ("name", "description", "focus", "postal_code", "country", "meeting_area")


def group_archive(*, group: Group, actor: Any) -> Group:
    """Close a group (the leader or staff): it leaves the finder, takes no new members,
    posts or announcements; its page stays, marked archived. Safe to call twice."""
    with transaction.atomic():
        group = _locked_group(group)
        if not group_can_lead(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leader can archive it."))
        if group.archived_at is None:
            group.archived_at = timezone.now()
            group.save(update_fields=["archived_at", "updated_at"])
            audit_record(actor=actor, action="group.archive", subject=group)
    return group


# --- Membership ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupJoin:
    membership: GroupMembership
    created: bool


def group_join(*, group: Group, user: Any) -> GroupJoin:
    """Join as a member. Joining twice (a double click, two tabs, a race) is one membership:
    the unique constraint decides, and the count moves only for the row really created."""
    _signed_in(user)
    existing = GroupMembership.objects.filter(group=group, user=user).first()
    if existing is not None:
        return GroupJoin(existing, created=False)
    # The caller's copy may be stale: archiving is checked on the row itself.
    if Group.objects.filter(pk=group.pk, archived_at__isnull=False).exists():
        raise ValidationError(_("This group is archived."), code="archived")
    with transaction.atomic():
        try:
            with transaction.atomic():
                membership = GroupMembership.objects.create(group=group, user=user)
        except IntegrityError:
            return GroupJoin(GroupMembership.objects.get(group=group, user=user), created=False)
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
        audit_record(actor=user, action="group.join", subject=group)
    return GroupJoin(membership, created=True)


def _successor(group: Group, leaving: GroupMembership, *, any_member: bool):
    others = GroupMembership.objects.filter(group=group).exclude(pk=leaving.pk)
    roles = (Role.CO_LEADER, Role.MEMBER) if any_member else (Role.CO_LEADER,)
    for role in roles:
        found = others.filter(role=role).order_by("joined_at", "pk").first()
        if found is not None:
            return found
    return None


def _membership_end(
    *, group: Group, membership: GroupMembership, actor: Any, action: str, force: bool
) -> None:
    """Delete a membership inside the caller's transaction (group row locked), keeping one
    leader. `force` (account erasure) promotes any member rather than refusing."""
    details: dict[str, Any] = {"user_id": membership.user_id, "role": membership.role}
    if membership.role == Role.LEADER:
        successor = _successor(group, membership, any_member=force)
        if successor is None and GroupMembership.objects.filter(group=group).count() > 1:
            raise ValidationError(
                _(
                    "You lead this group. Before you leave, make another member its leader "
                    "or a co-leader (on the “Manage members” page)."
                ),
                code="sole_leader",
            )
        membership.delete()  # first: the database allows one leader per group
        if successor is not None:
            successor.role = Role.LEADER
            successor.save(update_fields=["role"])
            details["new_leader_id"] = successor.user_id
        elif group.archived_at is None:
            group.archived_at = timezone.now()
            group.save(update_fields=["archived_at", "updated_at"])
            details["archived"] = True
    else:
        membership.delete()
    Group.objects.filter(pk=group.pk).update(member_count=F("member_count") - 1)
    audit_record(actor=actor, action=action, subject=group, details=details)


def group_leave(*, group: Group, user: Any) -> bool:
    """Leave a group; False when the user was not a member. See the role rules above."""
    _signed_in(user)
    with transaction.atomic():
        group = _locked_group(group)
        membership = GroupMembership.objects.filter(group=group, user=user).first()
        if membership is None:
            return False
        _membership_end(
            group=group, membership=membership, actor=user, action="group.leave", force=False
        )
    return True


def _target(group: Group, user: Any) -> GroupMembership:
    membership = GroupMembership.objects.filter(group=group, user=user).first()
    if membership is None:
        raise ValidationError(_("That person is not a member of this group."), code="not_member")
    return membership


def group_leadership_transfer(*, group: Group, actor: Any, to_user: Any) -> GroupMembership:
    """Make another member the leader (the leader or staff); the old leader stays on as a
    co-leader."""
    with transaction.atomic():
        group = _locked_group(group)
        if not group_can_lead(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leader can hand over leadership."))
        target = _target(group, to_user)
        if target.role == Role.LEADER:
            return target
        old = GroupMembership.objects.filter(group=group, role=Role.LEADER).first()
        if old is not None:
            old.role = Role.CO_LEADER
            old.save(update_fields=["role"])  # first: one leader per group
        target.role = Role.LEADER
        target.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="group.leadership_transfer",
            subject=group,
            details={"from_user_id": old.user_id if old else None, "to_user_id": target.user_id},
        )
    return target


def group_member_role_set(*, group: Group, actor: Any, user: Any, role: str) -> GroupMembership:
    """Promote a member to co-leader or demote a co-leader (the leader or staff)."""
    if role not in (Role.CO_LEADER, Role.MEMBER):
        raise ValidationError({"role": _("Choose co-leader or member.")})
    with transaction.atomic():
        group = _locked_group(group)
        if not group_can_lead(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leader can change roles."))
        target = _target(group, user)
        if target.role == Role.LEADER:
            raise ValidationError(
                _("To change the leader, hand over leadership to another member."),
                code="leader_role",
            )
        if target.role != role:
            before = target.role
            target.role = role
            target.save(update_fields=["role"])
            audit_record(
                actor=actor,
                action="group.role_set",
                subject=group,
                details={"user_id": target.user_id, "from": before, "to": role},
            )
    return target


def group_member_remove(*, group: Group, actor: Any, user: Any) -> None:
    """Remove someone from the group (see the role rules above)."""
    with transaction.atomic():
        group = _locked_group(group)
        target = _target(group, user)
        if not group_member_can_remove(membership_of(actor, group), target, actor=actor):
            raise PermissionDenied(_("You can't remove this member."))
        _membership_end(
            group=group, membership=target, actor=actor, action="group.member_remove", force=False
        )


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


def group_member_erase(*, user: Any, actor: Any) -> None:
    """Account deletion: end the member's memberships (handing leadership on, never refusing)
    and strip their name from what they wrote. Posts stay (a thread keeps its sense) and show
    "deleted member"; their announcements stay without a sender."""
    with transaction.atomic():
        group_ids = list(
            GroupMembership.objects.filter(user=user)
            .order_by("group_id")
            .values_list("group_id", flat=True)
        )
        for group in Group.objects.select_for_update().filter(pk__in=group_ids).order_by("pk"):
            membership = GroupMembership.objects.filter(group=group, user=user).first()
            if membership is not None:
                _membership_end(
                    group=group,
                    membership=membership,
                    actor=actor,
                    action="group.member_erase",
                    force=True,
                )
        GroupPost.objects.filter(author=user).update(author=None)
        GroupAnnouncement.objects.filter(sender=user).update(sender=None)
        Delivery.objects.filter(user=user).delete()


def group_person_erase(*, person: Any, actor: Any) -> None:
    """The eraser registered with people.erasure: the member accounts of `person`."""
    for user in User.objects.filter(person=person):
        group_member_erase(user=user, actor=actor)


# --- Discussion board ----------------------------------------------------------------------

POST_MAX_LENGTH = 10000
# Members who joined a group less than NEW_MEMBER_PERIOD ago post at most this many links.
NEW_MEMBER_PERIOD = timedelta(days=1)
NEW_MEMBER_MAX_LINKS = 3


def _post_body(body: str) -> str:
    raw = (body or "").strip()
    if len(raw) > POST_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep your message to %(max)d characters or fewer.")
                % {"max": POST_MAX_LENGTH}
            }
        )
    cleaned = post_html(raw)
    if not cleaned:
        raise ValidationError({"body": _("Write a message first.")})
    return cleaned


def _new_member_links_check(
    *, author: Any, membership: GroupMembership | None, body_html: str
) -> None:
    """Spam brake (decision 0013): in their first day in a group, a plain member's post may
    hold at most NEW_MEMBER_MAX_LINKS links. Leaders, co-leaders and staff are not held."""
    if membership is None or group_can_manage(author, membership):
        return
    if membership.joined_at <= timezone.now() - NEW_MEMBER_PERIOD:
        return
    if post_link_count(body_html) > NEW_MEMBER_MAX_LINKS:
        message = _(
            "In your first day in a group, a post can have at most %(max)d links. "
            "Remove some links, or post them tomorrow."
        ) % {"max": NEW_MEMBER_MAX_LINKS}
        raise ValidationError({"body": ValidationError(message, code="too_many_links")})


def group_post_create(
    *, group: Group, author: Any, body: str, parent: GroupPost | None = None
) -> GroupPost:
    """A new post on the board, or a reply (replies to a reply join its thread)."""
    _signed_in(author)
    membership = membership_of(author, group)
    if not group_can_post(author, group, membership):
        raise PermissionDenied(_("Join the group to post on its board."))
    if parent is not None:
        if parent.group_id != group.pk:
            raise ValidationError(_("That post is not on this board."), code="wrong_group")
        if parent.parent_id is not None:
            parent = GroupPost.objects.get(pk=parent.parent_id)
        if parent.removed_at is not None:
            raise ValidationError(_("That post was removed."), code="removed")
    body_html = _post_body(body)
    _new_member_links_check(author=author, membership=membership, body_html=body_html)
    with transaction.atomic():
        post = GroupPost.objects.create(group=group, parent=parent, author=author, body=body_html)
        audit_record(
            actor=author,
            action="group.post_create",
            subject=post,
            details={"group_id": group.pk, "parent_id": parent.pk if parent else None},
        )
    return post


def group_post_update(*, post: GroupPost, actor: Any, body: str) -> GroupPost:
    """The author edits their own post."""
    if not group_post_can_edit(actor, post):
        raise PermissionDenied(_("Only the author can edit this post."))
    body_html = _post_body(body)
    _new_member_links_check(
        author=actor, membership=membership_of(actor, post.group), body_html=body_html
    )
    with transaction.atomic():
        post.body = body_html
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "edited_at"])
        audit_record(actor=actor, action="group.post_update", subject=post)
    return post


def group_post_remove(*, post: GroupPost, actor: Any) -> GroupPost:
    """The author deletes their post (its words are erased), or a leader or staff removes it
    (the words are kept for staff review, never shown). Replies stay under "removed"."""
    membership = membership_of(actor, post.group)
    if not group_post_can_remove(actor, post, membership):
        raise PermissionDenied(_("You can't remove this post."))
    by_author = getattr(actor, "pk", None) == post.author_id
    with transaction.atomic():
        post.removed_at = timezone.now()
        post.removed_by = actor
        fields = ["removed_at", "removed_by"]
        if by_author:
            post.body = ""
            fields.append("body")
        post.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="group.post_delete" if by_author else "group.post_remove",
            subject=post,
            details={"group_id": post.group_id},
        )
    return post


# --- Announcements -------------------------------------------------------------------------


def group_announcement_send(
    *, group: Group, sender: Any, subject: str, body: str, now: Any = None
) -> GroupAnnouncement:
    """Email every member who hasn't muted the group: the recipients are fixed now, one
    delivery row each; one task per batch of ANNOUNCEMENT_BATCH_SIZE is enqueued on commit."""
    from groundswell.groups.tasks import group_announcement_batch_send

    now = now or timezone.now()
    subject = _one_line(subject, field="subject", max_length=150, required=True)
    body = _text(body, field="body", max_length=20000, required=True)
    with transaction.atomic():
        group = _locked_group(group)
        if not group_can_manage(sender, membership_of(sender, group)):
            raise PermissionDenied(_("Only the group's leaders can send announcements."))
        _not_archived(group)
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
            transaction.on_commit(
                partial(
                    group_announcement_batch_send.enqueue,
                    announcement_id=announcement.pk,
                    batch=batch,
                )
            )
    return announcement


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _announcement_message(announcement: GroupAnnouncement, user: Any) -> EmailMessage:
    group = announcement.group
    mute_url = _absolute(
        reverse("groups:mute", args=[mute_token_make(group_id=group.pk, user_id=user.pk)])
    )
    context = {
        "announcement": announcement,
        "group": group,
        "group_url": _absolute(reverse("groups:detail", args=[group.pk])),
        "mute_url": mute_url,
        "campaign_name": settings.CAMPAIGN_NAME,
        "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
    }
    body = render_to_string("groups/email/announcement.txt", context)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender_name = _("%(group)s via %(campaign)s") % {
        "group": group.name,
        "campaign": settings.CAMPAIGN_NAME,
    }
    return EmailMessage(
        subject=announcement.subject,
        body=body,
        from_email=formataddr((sender_name, address)),
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: the mail client POSTs to the URL.
            "List-Unsubscribe": f"<{mute_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<group-{group.pk}.{urlparse(settings.SITE_URL).hostname or 'localhost'}>",
        },
    )


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
                email_enqueue(_announcement_message(announcement, row.user))
    return len(send)
