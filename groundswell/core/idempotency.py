"""Idempotency keys kept in the database (decision 0021).

A client sends a key with a write; the first result is stored under (scope, key) and the
same key again returns that result instead of doing the work twice. The same key with a
different request raises `IdempotencyMismatch` (callers answer 422); a key whose first
request is still running raises `IdempotencyInFlight` (409). Rows are deleted after
IDEMPOTENCY_RETENTION_HOURS by the daily prune (`core.tasks.task_results_prune`).

Two ways to use it; a scope uses one of them, never both:

- **One transaction**, for work that only writes the database (RSVPs): `idempotent_run`, or
  by hand `idempotency_lookup` before the write transaction (the fast path for a replay)
  and `idempotency_record` as the *last* statement inside it. Two requests racing with the
  same key both do the work, but only one commits: the other's insert of the key hits the
  unique index, its whole transaction rolls back, and it replays the winner's result.
- **Two phases**, for work that calls out of the database (a payment gateway), which a
  rollback cannot undo: `idempotency_claim` first, in its own transaction (an `in_flight`
  row that others see at once), then the work, then `idempotency_complete` inside the work's
  transaction, so the result commits with the work; `idempotency_release` if the work failed
  in a way the client may retry. A claim left by a killed process is taken over once its
  lease has passed. Pass the same key on to the gateway: if our process dies after the
  gateway charged and before our commit, the retry's call is answered from the gateway's
  own idempotency record instead of charging twice.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from groundswell.core.models import IdempotencyKey

logger = logging.getLogger(__name__)

type JsonObject = dict[str, Any]

KEY_MAX_LENGTH = 255
SCOPE_MAX_LENGTH = 200
# How long a claim is held before another request may take it over. Longer than any request
# runs (statement_timeout is 30 s in production, gateways time out within a minute), short
# enough that a retry after a crash is not refused for long.
DEFAULT_LEASE = dt.timedelta(minutes=5)
# An insert that collides with a row deleted before we could read it tries again this often.
CLAIM_TRIES = 3
# Rows deleted per statement by the prune; each batch commits on its own (SQLite has one
# writer), as the task results prune does (decision 0014).
PRUNE_BATCH_SIZE = 500


class IdempotencyError(Exception):
    """Base of the errors below."""


class IdempotencyKeyInvalid(IdempotencyError, ValueError):
    """The key is empty, longer than KEY_MAX_LENGTH or holds control characters (400)."""


class IdempotencyMismatch(IdempotencyError):
    """The key was first used with a different request (answer 422)."""


class IdempotencyInFlight(IdempotencyError):
    """The key's first request is still running (answer 409; the client retries later)."""


class IdempotencyClaimLost(IdempotencyError):
    """The claim is no longer ours (its lease passed and a retry took it over, or it was
    pruned): the work must not commit. Raised inside the work's transaction, it rolls it back."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """What `idempotency_claim` answers. `replayed`: the key's first request finished, and
    `result` is what it stored; otherwise the key is ours (row `pk`, at `attempt`)."""

    scope: str
    key: str
    fingerprint: str
    replayed: bool
    result: JsonObject | None = None
    pk: int | None = None
    attempt: int = 0


def _json_default(value: Any) -> Any:
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    # A model instance or the like has no stable canonical form: say so rather than guess.
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def request_fingerprint(data: Mapping[str, Any] | bytes) -> str:
    """The SHA-256 (hex) of a request: raw bytes as they are, a mapping as canonical JSON
    (sorted keys, no spaces), so the same data in another key order is the same request.
    UUIDs, decimals, dates and sets are allowed in the mapping; other objects raise TypeError."""
    if isinstance(data, bytes):
        raw = data
    else:
        raw = json.dumps(
            data,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_json_default,
        ).encode()
    return hashlib.sha256(raw).hexdigest()


def _check(*, scope: str, key: str, fingerprint: str) -> None:
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalid(
            f"an idempotency key is 1 to {KEY_MAX_LENGTH} printable characters"
        )
    # The caller's own values, not the client's: a mistake here is a bug, not a bad request.
    if not scope or len(scope) > SCOPE_MAX_LENGTH:
        raise ValueError(f"an idempotency scope is 1 to {SCOPE_MAX_LENGTH} characters")
    if len(fingerprint) != 64:
        raise ValueError("the fingerprint is a SHA-256 in hex (request_fingerprint)")


def _check_result(result: Any) -> None:
    if not isinstance(result, dict):
        raise TypeError("an idempotent result is a JSON object (a dict)")


def _row(*, scope: str, key: str) -> IdempotencyKey | None:
    try:
        return IdempotencyKey.objects.get(scope=scope, key=key)
    except IdempotencyKey.DoesNotExist:
        return None


def _same_request(row: IdempotencyKey, fingerprint: str) -> None:
    if row.fingerprint != fingerprint:
        raise IdempotencyMismatch(f"key {row.key!r} was first used with another request")


# --- Two phases: claim, then complete (or release) ----------------------------------------


def idempotency_claim(
    *, scope: str, key: str, fingerprint: str, lease: dt.timedelta = DEFAULT_LEASE
) -> Claim:
    """Claim the key before doing the work, in a transaction of its own (so it must not be
    called inside another). Answers a `Claim` that is ours, or a replay of the stored result;
    raises IdempotencyMismatch, IdempotencyInFlight (a claim younger than `lease`), or
    IdempotencyKeyInvalid. A claim older than `lease` (its process was killed) is taken over
    by a conditional UPDATE on its attempt number, so two retries cannot both take it."""
    _check(scope=scope, key=key, fingerprint=fingerprint)
    for _try in range(CLAIM_TRIES):
        now = timezone.now()
        try:
            with transaction.atomic(durable=True):
                row = IdempotencyKey.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    state=IdempotencyKey.State.IN_FLIGHT,
                    created_at=now,
                    claimed_at=now,
                )
            return Claim(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                replayed=False,
                pk=row.pk,
                attempt=row.attempt,
            )
        except IntegrityError:
            pass  # the key exists: read it below
        existing = _row(scope=scope, key=key)
        if existing is None:
            continue  # released or pruned between our insert and the read: insert again
        _same_request(existing, fingerprint)
        if existing.state == IdempotencyKey.State.DONE:
            return Claim(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                replayed=True,
                result=existing.result,
                pk=existing.pk,
                attempt=existing.attempt,
            )
        if existing.claimed_at > now - lease:
            raise IdempotencyInFlight(f"key {key!r} is in flight")
        taken = IdempotencyKey.objects.filter(
            pk=existing.pk,
            state=IdempotencyKey.State.IN_FLIGHT,
            attempt=existing.attempt,
            claimed_at__lte=now - lease,
        ).update(attempt=F("attempt") + 1, claimed_at=now)
        if taken:
            return Claim(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                replayed=False,
                pk=existing.pk,
                attempt=existing.attempt + 1,
            )
        # Another retry took it over, or its holder completed it, after our read: look again.
    raise IdempotencyInFlight(f"key {key!r} is in flight")


def idempotency_complete(*, claim: Claim, result: JsonObject) -> None:
    """Store the result of a claimed key. Call it inside the work's transaction, as its last
    write, so the result commits with the work. Raises IdempotencyClaimLost (rolling the
    work back) if the claim was taken over or pruned meanwhile."""
    if claim.replayed or claim.pk is None:
        raise ValueError("a replayed claim has nothing to complete")
    _check_result(result)
    completed = IdempotencyKey.objects.filter(
        pk=claim.pk, state=IdempotencyKey.State.IN_FLIGHT, attempt=claim.attempt
    ).update(state=IdempotencyKey.State.DONE, result=result, completed_at=timezone.now())
    if completed != 1:
        raise IdempotencyClaimLost(f"key {claim.key!r} is no longer claimed by this attempt")


def idempotency_release(*, claim: Claim) -> bool:
    """Drop a claim whose work failed in a way the client may retry (the retry then runs
    again, even with another request body). False if the claim was no longer ours."""
    if claim.replayed or claim.pk is None:
        return False
    deleted, _counts = IdempotencyKey.objects.filter(
        pk=claim.pk, state=IdempotencyKey.State.IN_FLIGHT, attempt=claim.attempt
    ).delete()
    return deleted == 1


# --- One transaction: look up, then record with the work ---------------------------------


def idempotency_lookup(*, scope: str, key: str, fingerprint: str) -> JsonObject | None:
    """The result stored for this key, or None if the key is new. Raises
    IdempotencyMismatch, or IdempotencyInFlight if a two-phase claim holds the key."""
    _check(scope=scope, key=key, fingerprint=fingerprint)
    row = _row(scope=scope, key=key)
    if row is None:
        return None
    _same_request(row, fingerprint)
    if row.state != IdempotencyKey.State.DONE:
        raise IdempotencyInFlight(f"key {key!r} is in flight")
    return row.result


def idempotency_record(*, scope: str, key: str, fingerprint: str, result: JsonObject) -> None:
    """Store the key as done with its result: the last statement inside the work's
    transaction. If another request with the same key committed first, the insert raises
    IntegrityError; let it roll the whole transaction back, then `idempotency_lookup` again
    and replay (`idempotent_run` does all of this). No savepoint: after the error, PostgreSQL
    accepts no statement until the rollback, and none is needed."""
    _check(scope=scope, key=key, fingerprint=fingerprint)
    _check_result(result)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("idempotency_record belongs inside the work's transaction")
    now = timezone.now()
    IdempotencyKey.objects.create(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        state=IdempotencyKey.State.DONE,
        result=result,
        created_at=now,
        claimed_at=now,
        completed_at=now,
    )


def idempotent_run[T](
    *,
    scope: str,
    key: str | None,
    fingerprint: str,
    work: Callable[[], T],
    to_result: Callable[[T], JsonObject],
    from_result: Callable[[JsonObject], T],
) -> T:
    """Run `work` once per key, in one transaction that records its result; a replay
    returns `from_result(stored)` without running it. Without a key, `work` just runs in a
    transaction. `work` must write only the database (nothing a rollback cannot undo: send
    mail and tasks on commit). Opens `transaction.atomic()`, not a durable one: nested in a
    caller's transaction it is a savepoint, and the key commits or rolls back with the rest.

    An IntegrityError from the work itself is re-raised unless the key was meanwhile
    recorded by someone else (then theirs is replayed), so callers may keep their own retry
    for their own races. Raises IdempotencyMismatch and IdempotencyInFlight."""
    if not key:
        with transaction.atomic():
            return work()
    stored = idempotency_lookup(scope=scope, key=key, fingerprint=fingerprint)
    if stored is not None:
        return from_result(stored)
    try:
        with transaction.atomic():
            value = work()
            idempotency_record(
                scope=scope, key=key, fingerprint=fingerprint, result=to_result(value)
            )
    except IntegrityError:
        stored = idempotency_lookup(scope=scope, key=key, fingerprint=fingerprint)
        if stored is None:
            raise
        return from_result(stored)
    return value


# --- Retention ----------------------------------------------------------------------------


def idempotency_keys_delete_expired(*, now: dt.datetime | None = None) -> int:
    """Delete keys created more than IDEMPOTENCY_RETENTION_HOURS ago: done ones, and claims
    whose holder last claimed them before then too (a claim taken over recently stays).
    Called by the daily `core.tasks.task_results_prune`; running it twice deletes nothing
    more."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=max(settings.IDEMPOTENCY_RETENTION_HOURS, 0))
    expired = (
        IdempotencyKey.objects.filter(created_at__lt=cutoff)
        .filter(Q(state=IdempotencyKey.State.DONE) | Q(claimed_at__lt=cutoff))
        .order_by()
    )
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:PRUNE_BATCH_SIZE]):
        # Re-filtered: a claim taken over since the batch was read is not deleted.
        count, _counts = expired.filter(pk__in=batch).delete()
        if not count:
            break
        deleted += count
    logger.info("idempotency keys pruned: %s", deleted)
    return deleted
