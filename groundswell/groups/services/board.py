"""The discussion board: posts and replies, edits, removal, the new-member link brake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.groups.models import Group, GroupMembership, GroupPost
from groundswell.groups.policies import (
    group_can_manage,
    group_can_post,
    group_post_can_edit,
    group_post_can_remove,
    membership_of,
)
from groundswell.groups.services.common import signed_in_require
from groundswell.groups.text import post_html, post_link_count

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
    signed_in_require(author)
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
