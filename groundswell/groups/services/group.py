"""Starting a group, changing its details, archiving it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.geo.selectors import postal_code_find, postal_code_normalize
from groundswell.groups.models import Group, GroupMembership
from groundswell.groups.policies import group_can_lead, group_can_manage, membership_of
from groundswell.groups.services.common import (
    group_row_lock,
    one_line_clean,
    signed_in_require,
    text_clean,
)

Role = GroupMembership.Role


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
    signed_in_require(creator)
    group = Group(
        name=one_line_clean(name, field="name", max_length=120, required=True),
        description=text_clean(description, field="description", max_length=5000),
        focus=_focus(focus),
        meeting_area=one_line_clean(meeting_area, field="meeting_area", max_length=200),
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
        group = group_row_lock(group)
        if not group_can_manage(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leaders can change it."))
        before = {f: getattr(group, f) for f in _GROUP_FIELDS}
        if name is not None:
            group.name = one_line_clean(name, field="name", max_length=120, required=True)
        if description is not None:
            group.description = text_clean(description, field="description", max_length=5000)
        if focus is not None:
            group.focus = _focus(focus)
        if meeting_area is not None:
            group.meeting_area = one_line_clean(meeting_area, field="meeting_area", max_length=200)
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
        group = group_row_lock(group)
        if not group_can_lead(actor, membership_of(actor, group)):
            raise PermissionDenied(_("Only the group's leader can archive it."))
        if group.archived_at is None:
            group.archived_at = timezone.now()
            group.save(update_fields=["archived_at", "updated_at"])
            audit_record(actor=actor, action="group.archive", subject=group)
    return group
