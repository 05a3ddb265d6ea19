"""Who may see a member's profile: one policy, as a point check and as a queryset.

- public: anyone, signed in or not;
- members: any signed-in member;
- private: only the member and staff.

A deactivated member's profile is hidden from everyone but staff. Views fetch through
`profile_for_viewer`, which answers the same 404 for a missing member and a hidden one, so
the page never confirms that an account exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from groundswell.accounts.models import Profile
from groundswell.core.policies import is_staff

# SQLite and PostgreSQL bigint: a larger id can't exist and would overflow the query.
_MAX_ID = 2**63 - 1


def profile_visible_to(viewer: Any, profile: Profile) -> bool:
    """Point check; agrees with `profiles_visible_to` (a test pins that)."""
    if is_staff(viewer):
        return True
    if getattr(viewer, "is_authenticated", False) and viewer.pk == profile.user_id:
        return True
    if not profile.user.is_active:
        return False
    if profile.privacy == Profile.Privacy.PUBLIC:
        return True
    return profile.privacy == Profile.Privacy.MEMBERS and getattr(viewer, "is_authenticated", False)


def profiles_visible_to(
    viewer: Any, queryset: QuerySet[Profile] | None = None
) -> QuerySet[Profile]:
    """The profiles `viewer` may see, narrowing `queryset` (all profiles by default)."""
    queryset = Profile.objects.all() if queryset is None else queryset
    if is_staff(viewer):
        return queryset
    if not getattr(viewer, "is_authenticated", False):
        return queryset.filter(privacy=Profile.Privacy.PUBLIC, user__is_active=True)
    return queryset.filter(
        Q(user_id=viewer.pk)
        | Q(
            privacy__in=[Profile.Privacy.PUBLIC, Profile.Privacy.MEMBERS],
            user__is_active=True,
        )
    )


def profile_for_viewer(
    viewer: Any, user_id: int, *, queryset: QuerySet[Profile] | None = None
) -> Profile:
    """The profile of member `user_id` if `viewer` may see it; else the same 404 as missing."""
    if not 0 < user_id <= _MAX_ID:
        raise Http404
    profile = profiles_visible_to(viewer, queryset).filter(user_id=user_id).first()
    if profile is None:
        raise Http404
    return profile
