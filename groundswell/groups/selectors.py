"""Reads on groups, each in a fixed number of queries whatever the number of rows.

Group pages show the place of the group's home postal code (city and state, annotated as
`place_name` / `place_region`), never anything finer.

The group page lists the group's upcoming events through the reverse relation `group.events`
(events sits above groups in the import layers, so groups can't import its models or
policy). Only published events are listed, and the events policy shows published events to
everyone, so this is always a subset of `events_visible_to(viewer)`; a test pins that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from groundswell.accounts.policies import profiles_visible_to
from groundswell.geo.models import PostalCode
from groundswell.geo.near import near
from groundswell.geo.selectors import postal_code_find, postal_code_normalize
from groundswell.groups.models import (
    Group,
    GroupAnnouncement,
    GroupMembership,
    GroupPost,
)
from groundswell.groups.policies import MANAGER_ROLES, group_for_viewer

Role = GroupMembership.Role
EVENT_PUBLISHED = "published"  # events.models.Event.Status.PUBLISHED (pinned by a test)
RADIUS_CHOICES = (5, 10, 25, 50, 100, 250)
DEFAULT_RADIUS = 25
MAX_RADIUS = 500


def _place(prefix: str = "") -> dict[str, Subquery]:
    place = PostalCode.objects.filter(
        country=OuterRef(f"{prefix}country"), code=OuterRef(f"{prefix}postal_code")
    )
    return {
        "place_name": Subquery(place.values("place_name")[:1]),
        "place_region": Subquery(place.values("admin1")[:1]),
    }


def _role_order(field: str = "role") -> Case:
    return Case(
        When(**{field: Role.LEADER}, then=Value(0)),
        When(**{field: Role.CO_LEADER}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _visible_user_ids(viewer: Any) -> QuerySet:
    return profiles_visible_to(viewer).values("user_id")


# --- Finding groups ------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSearch:
    groups: QuerySet[Group]
    origin: PostalCode | None


def group_find(
    *,
    near_code: str = "",
    country: str = "US",
    radius_miles: float = DEFAULT_RADIUS,
    focus: str = "",
    text: str = "",
) -> GroupSearch:
    """Active groups, filtered by focus and text; with `near_code`, those within the radius
    of its centroid, nearest first, annotated `distance_miles`; without it, the largest
    first. An unknown postal code raises ValidationError({"near": ...}). Lazy: the caller
    pages it (one COUNT and one page query)."""
    groups = Group.objects.filter(archived_at__isnull=True)
    if focus:
        groups = groups.filter(focus=focus)
    text = " ".join(text.split())
    if text:
        groups = groups.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(meeting_area__icontains=text)
        )
    origin = None
    if near_code.strip():
        origin = postal_code_find(country=country, code=near_code)
        if origin is None:
            raise ValidationError(
                {
                    "near": _("We don't know the postal code “%(code)s”. Check it and try again.")
                    % {"code": postal_code_normalize(country=country or "US", code=near_code)}
                },
                code="unknown_postal_code",
            )
        groups = near(
            groups,
            latitude=origin.latitude,
            longitude=origin.longitude,
            radius_miles=radius_miles,
        )
    else:
        groups = groups.order_by("-member_count", "pk")
    return GroupSearch(groups=groups.annotate(**_place()), origin=origin)


def group_list(
    *, near_code: str = "", country: str = "US", radius_miles: float = DEFAULT_RADIUS
) -> QuerySet[Group]:
    """For the API: every group in id order (archived included, so a sync sees them), or
    with `near_code` the active ones within the radius, nearest first."""
    if near_code:
        return group_find(near_code=near_code, country=country, radius_miles=radius_miles).groups
    return Group.objects.annotate(**_place()).order_by("pk")


def group_get(*, group_id: int) -> Group | None:
    return (
        Group.objects.select_related("created_by").annotate(**_place()).filter(pk=group_id).first()
    )


# --- One group -----------------------------------------------------------------------------


def group_page(*, viewer: Any, group_id: int) -> Group:
    """The group for its page (place annotated), or the policy's 404."""
    return group_for_viewer(viewer, group_id, queryset=Group.objects.annotate(**_place()))


@dataclass(frozen=True)
class GroupPeople:
    leaders: list[GroupMembership]
    members: list[GroupMembership]
    total: int
    listed_members: int  # members (not leaders) whose profile the viewer may see
    hidden: int  # members counted but not listed


def _with_names(memberships: QuerySet[GroupMembership]) -> QuerySet[GroupMembership]:
    return memberships.select_related("user__profile", "user__person")


def group_people(*, viewer: Any, group: Group, limit: int = 12) -> GroupPeople:
    """Who is in the group, as the viewer may see it: leaders and co-leaders always (a group
    says who runs it), other members only when their profile is visible to the viewer;
    the rest are counted. Three queries."""
    memberships = GroupMembership.objects.filter(group=group)
    visible = _visible_user_ids(viewer)
    leaders = list(
        _with_names(memberships.filter(role__in=MANAGER_ROLES)).order_by(
            _role_order(), "joined_at", "pk"
        )
    )
    members = list(
        _with_names(memberships.filter(role=Role.MEMBER, user_id__in=visible)).order_by(
            "joined_at", "pk"
        )[:limit]
    )
    counts = memberships.aggregate(
        total=Count("pk"),
        listed=Count("pk", filter=Q(role=Role.MEMBER, user_id__in=visible)),
    )
    total, listed = counts["total"], counts["listed"]
    return GroupPeople(
        leaders=leaders,
        members=members,
        total=total,
        listed_members=listed,
        hidden=total - listed - len(leaders),
    )


def group_member_list(*, viewer: Any, group: Group) -> QuerySet[GroupMembership]:
    """The group's public member list (to page): leaders, then members the viewer may see."""
    return _with_names(
        GroupMembership.objects.filter(group=group).filter(
            Q(role__in=MANAGER_ROLES) | Q(user_id__in=_visible_user_ids(viewer))
        )
    ).order_by(_role_order(), "joined_at", "pk")


def group_members_for_manager(*, group: Group) -> QuerySet[GroupMembership]:
    """Every member with their public name, for the leaders' page (to page)."""
    return _with_names(GroupMembership.objects.filter(group=group)).order_by(
        _role_order(), "joined_at", "pk"
    )


def group_membership_get(*, group: Group, user_id: int) -> GroupMembership | None:
    return _with_names(GroupMembership.objects.filter(group=group, user_id=user_id)).first()


def group_upcoming_events(*, group: Group, now: datetime, limit: int = 10) -> list[Any]:
    """The group's next published events, soonest first (one query)."""
    return list(
        group.events.filter(status=EVENT_PUBLISHED, starts_at__gte=now)
        .only(
            "pk",
            "title",
            "event_type",
            "starts_at",
            "time_zone",
            "locality",
            "region",
            "is_virtual",
            "group_id",
            "status",
        )
        .order_by("starts_at", "pk")[:limit]
    )


def group_board(*, group: Group) -> QuerySet[GroupPost]:
    """The board's threads, newest first (to page; replies come prefetched, oldest first).

    A removed post still shows (as "removed") while it has visible replies; otherwise it
    drops out. Paged: one COUNT, one page query, one query for the replies."""
    live_replies = GroupPost.objects.filter(parent=OuterRef("pk"), removed_at__isnull=True)
    replies = (
        GroupPost.objects.filter(removed_at__isnull=True)
        .select_related("author__profile", "author__person")
        .order_by("created_at", "pk")
    )
    return (
        GroupPost.objects.filter(group=group, parent__isnull=True)
        .filter(Q(removed_at__isnull=True) | Exists(live_replies))
        .select_related("author__profile", "author__person")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("-created_at", "-pk")
    )


def group_post_get(*, group: Group, post_id: int) -> GroupPost | None:
    if not 0 < post_id <= 2**63 - 1:
        return None
    return GroupPost.objects.select_related("group").filter(group=group, pk=post_id).first()


# --- A member's groups ---------------------------------------------------------------------


def groups_of_member(*, user: Any) -> QuerySet[GroupMembership]:
    """The member's memberships with their groups (active first, by name), to page."""
    return (
        GroupMembership.objects.filter(user=user)
        .select_related("group")
        .annotate(**_place("group__"))
        .order_by(
            Case(
                When(group__archived_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "group__name",
            "group_id",
        )
    )


def groups_led_by(*, user: Any) -> QuerySet[Group]:
    """Active groups the member leads or co-leads (e.g. to offer when hosting an event)."""
    return Group.objects.filter(
        archived_at__isnull=True,
        memberships__user=user,
        memberships__role__in=MANAGER_ROLES,
    ).order_by("name", "pk")


# --- Download my data ----------------------------------------------------------------------


def group_export_for_member(*, user: Any) -> dict[str, Any]:
    """The member's groups section of "Download my data" (three queries)."""
    memberships = GroupMembership.objects.filter(user=user).select_related("group").order_by("pk")
    posts = GroupPost.objects.filter(author=user).order_by("pk")
    announcements = GroupAnnouncement.objects.filter(sender=user).order_by("pk")
    return {
        "memberships": [
            {
                "group_id": m.group_id,
                "group_name": m.group.name,
                "role": m.role,
                "joined_at": m.joined_at,
                "announcements_muted": m.announcements_muted,
            }
            for m in memberships
        ],
        "posts": [
            {
                "id": p.pk,
                "group_id": p.group_id,
                "reply_to": p.parent_id,
                "body_html": p.body,
                "created_at": p.created_at,
                "edited_at": p.edited_at,
                "removed_at": p.removed_at,
            }
            for p in posts
        ],
        "announcements_sent": [
            {
                "id": a.pk,
                "group_id": a.group_id,
                "subject": a.subject,
                "body": a.body,
                "created_at": a.created_at,
                "recipient_count": a.recipient_count,
            }
            for a in announcements
        ],
    }
