"""Membership: joining, leaving, roles, and ending an erased account's memberships.

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
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.groups.models import (
    Group,
    GroupAnnouncement,
    GroupAnnouncementDelivery,
    GroupMembership,
    GroupPost,
)
from groundswell.groups.policies import group_can_lead, group_member_can_remove, membership_of
from groundswell.groups.services.common import group_row_lock, signed_in_require

Role = GroupMembership.Role
Delivery = GroupAnnouncementDelivery


@dataclass(frozen=True)
class GroupJoin:
    membership: GroupMembership
    created: bool


def group_join(*, group: Group, user: Any) -> GroupJoin:
    """Join as a member. Joining twice (a double click, two tabs, a race) is one membership:
    the unique constraint decides, and the count moves only for the row really created."""
    signed_in_require(user)
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
    signed_in_require(user)
    with transaction.atomic():
        group = group_row_lock(group)
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
        group = group_row_lock(group)
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
        group = group_row_lock(group)
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
        group = group_row_lock(group)
        target = _target(group, user)
        if not group_member_can_remove(membership_of(actor, group), target, actor=actor):
            raise PermissionDenied(_("You can't remove this member."))
        _membership_end(
            group=group, membership=target, actor=actor, action="group.member_remove", force=False
        )


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
