"""Who may manage API tokens: HQ staff (and superusers). Tokens read and write every person
in the CRM, which is wider than an organizer's region, so organizers may not mint them."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from groundswell.accounts.models import User
from groundswell.api.models import ApiToken


def api_tokens_manage_allowed(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.staff_role == User.StaffRole.HQ)
    )


def api_token_for_manager(user: Any, token_id: int) -> ApiToken:
    """The token, or the same 404 whether it is missing or the user may not manage tokens."""
    if not api_tokens_manage_allowed(user):
        raise Http404
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token
