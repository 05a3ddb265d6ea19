"""Writes on API tokens. A token is shown once, at creation; only its SHA-256 is stored."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.api.models import ApiToken, token_hash
from groundswell.core.audit import audit_record

TOKEN_PREFIX = "gs_"  # noqa: S105 - marks our tokens (and lets secret scanners spot them)
PREFIX_LENGTH = 10
# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_create(
    *, user: User, scope: str, name: str = "", created_by: Any
) -> tuple[ApiToken, str]:
    """Create a token for an active staff user. Returns the row and the token itself,
    which is never stored and cannot be shown again."""
    if not (user.is_active and user.is_staff):
        raise ValidationError({"user": _("API tokens can only belong to active staff members.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read or write.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=token[:PREFIX_LENGTH],
        key_hash=token_hash(token),
        scope=scope,
        created_by=created_by,
    )
    api_token.full_clean(exclude=["created_by", "user"])
    with transaction.atomic():
        api_token.save()
        audit_record(
            actor=created_by,
            action="api_token.create",
            subject=api_token,
            details={"user_id": user.pk, "scope": scope, "prefix": api_token.prefix},
        )
    return api_token, token


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token (idempotent: revoking twice keeps the first revocation time)."""
    with transaction.atomic():
        now = timezone.now()
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            audit_record(
                actor=actor,
                action="api_token.revoke",
                subject=token,
                details={"prefix": token.prefix},
            )
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute: one conditional UPDATE, skipped while fresh."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
