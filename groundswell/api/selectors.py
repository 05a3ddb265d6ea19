"""Reads on API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from groundswell.api.models import ApiToken, token_hash


def api_token_authenticate(*, key: str | None) -> ApiToken | None:
    """The live token for this key, if its owner is an active staff member; one query."""
    if not key:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=token_hash(key.strip()),
            revoked_at__isnull=True,
            user__is_active=True,
            user__is_staff=True,
        )
        .first()
    )


def api_token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "created_by").order_by("-created_at", "-id")
