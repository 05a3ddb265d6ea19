"""Checks the group services share: cleaning typed text, who is signed in, the group row lock."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from groundswell.groups.models import Group


def text_clean(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
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


def one_line_clean(
    value: str | None, *, field: str, max_length: int, required: bool = False
) -> str:
    return " ".join(
        text_clean(value, field=field, max_length=max_length, required=required).split()
    )


def signed_in_require(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied(_("Sign in first."))


def group_row_lock(group: Group) -> Group:
    """Lock the group row: every change of roles in one group runs one at a time."""
    return Group.objects.select_for_update().get(pk=group.pk)


def not_archived_require(group: Group) -> None:
    if group.archived_at is not None:
        raise ValidationError(_("This group is archived."), code="archived")
