"""The staff policy every app shares: who counts as staff, and what staff may reach.

Apps keep their own policies (who may see an event, manage a group...) and ask this module
the one question they all share. Two families of helpers, named by what they answer:

- `*_or_404` for pages and API reads: a refusal looks exactly like a missing thing, so
  nobody learns that a staff page or an object exists.
- `*_or_403` for services: the caller already knows the object (it holds it), so a refusal
  is a plain PermissionDenied that views translate as they see fit.

`staff_scope` is the queryset form. It fails closed: anything but an active staff user gets
an empty queryset. Organizer regions (a later issue) narrow it here, in one place.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404


def is_signed_in(viewer: Any) -> bool:
    """An authenticated, active user (an anonymous visitor or a deactivated login is not)."""
    return bool(getattr(viewer, "is_authenticated", False) and getattr(viewer, "is_active", False))


def is_staff(viewer: Any) -> bool:
    """Organizers and HQ: an active login with the staff flag."""
    return is_signed_in(viewer) and bool(getattr(viewer, "is_staff", False))


def staff_or_404(viewer: Any) -> None:
    """For staff pages: anyone else sees the same 404 as for a page that does not exist."""
    if not is_staff(viewer):
        raise Http404


def staff_or_403(viewer: Any) -> None:
    """For services acting on something the caller already holds."""
    if not is_staff(viewer):
        raise PermissionDenied


def staff_scope[M: Model](viewer: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` as far as `viewer` may reach it as staff: all of it for staff, nothing for
    anyone else (fails closed)."""
    if not is_staff(viewer):
        return queryset.none()
    return queryset
