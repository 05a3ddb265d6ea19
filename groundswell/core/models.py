"""What every app shares: the audit log and idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One row per state-changing use case, written in the same transaction as the change.

    `actor` is who did it (null for the system or an anonymous visitor); `subject_type` and
    `subject_id` name what it was done to, loosely (no FK), so the entry outlives the subject.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}:{self.subject_id}"
        )


class IdempotencyKey(models.Model):
    """The first result of a request sent with a client's idempotency key (decision 0021).

    One row per (scope, key): `scope` names who sent the key and what for (an API token's
    owner and the path, or a use case such as RSVPs), so two clients' keys never meet.
    `fingerprint` is the SHA-256 of the request the key was first used with: the same key
    with another request is refused, not replayed. A row is `in_flight` while its work runs
    (two-phase use) and `done` with its `result` after. `attempt` grows by one each time a
    stale claim is taken over, so only the current holder can complete or release it.
    Pruned after IDEMPOTENCY_RETENTION_HOURS (`core.idempotency.idempotency_keys_delete_expired`).
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("in flight")
        DONE = "done", _("done")

    scope = models.CharField(max_length=200)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State, default=State.IN_FLIGHT)
    attempt = models.PositiveIntegerField(default=1)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the current attempt claimed the key: the lease runs from here.
    claimed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} ({self.state})"
