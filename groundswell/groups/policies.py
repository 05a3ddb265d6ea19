"""Who may see, join, post in and run a group: one policy, as point checks and querysets.

- Every group is visible to everyone, archived ones included (their page says so); the
  finder, "my groups" and the API's `near` search leave archived groups out.
- Managing a group (edit it, manage members, send announcements, remove posts) is for its
  leader, its co-leaders and staff. Some acts are the leader's alone (or staff's): transfer
  leadership, change roles, remove a co-leader, archive.
- The discussion board is read by signed-in members; only the group's members post.
Views fetch through `group_for_viewer` / `group_for_manager`, which answer the same 404 for a
missing group and one the viewer may not manage.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from groundswell.core.policies import is_signed_in, is_staff
from groundswell.groups.models import Group, GroupMembership, GroupPost

Role = GroupMembership.Role
MANAGER_ROLES = (Role.LEADER, Role.CO_LEADER)
# SQLite and PostgreSQL bigint: a larger id can't exist and would overflow the query.
_MAX_ID = 2**63 - 1


def membership_of(viewer: Any, group: Group) -> GroupMembership | None:
    if not is_signed_in(viewer):
        return None
    return GroupMembership.objects.filter(group=group, user=viewer).first()


def group_can_manage(viewer: Any, membership: GroupMembership | None) -> bool:
    """Leader, co-leader or staff. `membership` is the viewer's own in the group (or None)."""
    if is_staff(viewer):
        return True
    return membership is not None and membership.role in MANAGER_ROLES


def group_can_lead(viewer: Any, membership: GroupMembership | None) -> bool:
    """The leader's own powers: transfer leadership, set roles, archive (staff too)."""
    if is_staff(viewer):
        return True
    return membership is not None and membership.role == Role.LEADER


def group_can_read_board(viewer: Any) -> bool:
    return is_signed_in(viewer)


def group_can_post(viewer: Any, group: Group, membership: GroupMembership | None) -> bool:
    return is_signed_in(viewer) and membership is not None and group.archived_at is None


def group_post_can_edit(viewer: Any, post: GroupPost) -> bool:
    """Only the author edits their words (staff remove, they don't rewrite)."""
    return is_signed_in(viewer) and post.author_id == viewer.pk and post.removed_at is None


def group_post_can_remove(viewer: Any, post: GroupPost, membership: GroupMembership | None) -> bool:
    """The author deletes their own post; the group's leaders and staff remove any."""
    if post.removed_at is not None:
        return False
    if is_signed_in(viewer) and post.author_id == viewer.pk:
        return True
    return group_can_manage(viewer, membership)


def group_member_can_remove(
    actor_membership: GroupMembership | None, target: GroupMembership, *, actor: Any
) -> bool:
    """Leaders and co-leaders remove members; only the leader (or staff) removes a
    co-leader; nobody removes the leader (leadership is transferred first)."""
    if target.role == Role.LEADER:
        return False
    if target.role == Role.CO_LEADER:
        return group_can_lead(actor, actor_membership)
    return group_can_manage(actor, actor_membership)


def groups_managed_by(viewer: Any, queryset: QuerySet[Group] | None = None) -> QuerySet[Group]:
    """Queryset form of `group_can_manage` (a test pins that they agree)."""
    queryset = Group.objects.all() if queryset is None else queryset
    if is_staff(viewer):
        return queryset
    if not is_signed_in(viewer):
        return queryset.none()
    return queryset.filter(memberships__user=viewer, memberships__role__in=MANAGER_ROLES)


def _group_get(group_id: int, queryset: QuerySet[Group] | None) -> Group:
    if not 0 < group_id <= _MAX_ID:
        raise Http404
    group = (Group.objects.all() if queryset is None else queryset).filter(pk=group_id).first()
    if group is None:
        raise Http404
    return group


def group_for_viewer(
    viewer: Any, group_id: int, *, queryset: QuerySet[Group] | None = None
) -> Group:
    return _group_get(group_id, queryset)


def group_for_manager(
    viewer: Any, group_id: int, *, queryset: QuerySet[Group] | None = None
) -> tuple[Group, GroupMembership | None]:
    """The group and the viewer's membership, if the viewer may manage it; else 404."""
    group = _group_get(group_id, queryset)
    membership = membership_of(viewer, group)
    if not group_can_manage(viewer, membership):
        raise Http404
    return group, membership
