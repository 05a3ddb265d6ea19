from __future__ import annotations

from typing import Any

from django.db import models

from groundswell.core.models import AuditEntry


def audit_record(
    *, actor: Any | None, action: str, subject: models.Model, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Write the audit row; call it inside the use case's transaction."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        details=details or {},
    )
