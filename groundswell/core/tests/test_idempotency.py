"""Idempotency keys in the database (decision 0021): claims, replays, races and pruning.

The work in these tests writes an AuditEntry, a core row, so a run that should not have
happened (or should have rolled back) shows up as a row.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from groundswell.core import idempotency
from groundswell.core.idempotency import (
    Claim,
    IdempotencyClaimLost,
    IdempotencyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyMismatch,
    idempotency_claim,
    idempotency_complete,
    idempotency_keys_delete_expired,
    idempotency_lookup,
    idempotency_record,
    idempotency_release,
    idempotent_run,
    request_fingerprint,
)
from groundswell.core.models import AuditEntry, IdempotencyKey
from groundswell.core.tasks import task_results_prune

SCOPE = "test:donations"
BODY = request_fingerprint({"amount": 2500, "currency": "USD"})
OTHER_BODY = request_fingerprint({"amount": 9900, "currency": "USD"})


def _work(label: str = "work") -> int:
    return AuditEntry.objects.create(action=label, subject_type="test", subject_id="1").pk


def _run(key: str | None, *, fingerprint: str = BODY, work: Callable[[], int] = _work) -> int:
    return idempotent_run(
        scope=SCOPE,
        key=key,
        fingerprint=fingerprint,
        work=work,
        to_result=lambda pk: {"entry": pk},
        from_result=lambda stored: stored["entry"],
    )


# --- Fingerprints and keys ----------------------------------------------------------------


def test_fingerprint_is_canonical_json():
    assert request_fingerprint({"a": 1, "b": {"x": 1, "y": [1, 2]}}) == request_fingerprint(
        {"b": {"y": [1, 2], "x": 1}, "a": 1}
    )
    assert request_fingerprint({"a": 1}) == request_fingerprint(b'{"a":1}')
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})
    assert request_fingerprint({"a": [1, 2]}) != request_fingerprint({"a": [2, 1]})
    assert len(request_fingerprint(b"")) == 64


def test_fingerprint_takes_plain_values_and_refuses_objects():
    value = uuid.uuid4()
    assert request_fingerprint({"k": value}) == request_fingerprint({"k": str(value)})
    assert request_fingerprint({"d": dt.date(2026, 1, 2), "m": Decimal("1.50")}) == (
        request_fingerprint({"d": "2026-01-02", "m": "1.50"})
    )
    with pytest.raises(TypeError):
        request_fingerprint({"k": object()})


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "nul\x00"])
def test_bad_keys_are_refused(key):
    with pytest.raises(IdempotencyKeyInvalid):
        idempotency_claim(scope=SCOPE, key=key, fingerprint=BODY)
    with pytest.raises(IdempotencyKeyInvalid):
        idempotency_lookup(scope=SCOPE, key=key, fingerprint=BODY)
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_key_of_255_characters_is_fine():
    claim = idempotency_claim(scope=SCOPE, key="k" * 255, fingerprint=BODY)
    assert not claim.replayed


# --- Two phases ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_result_is_replayed():
    claim = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    assert not claim.replayed
    with transaction.atomic():
        idempotency_complete(claim=claim, result={"donation": 7})

    again = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)

    assert again.replayed
    assert again.result == {"donation": 7}
    row = IdempotencyKey.objects.get()
    assert row.state == IdempotencyKey.State.DONE and row.completed_at is not None


@pytest.mark.django_db
def test_keys_are_per_scope():
    idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    other = idempotency_claim(scope="test:other", key="k1", fingerprint=OTHER_BODY)
    assert not other.replayed
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
def test_same_key_with_another_request_is_a_mismatch():
    claim = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    with pytest.raises(IdempotencyMismatch):
        idempotency_claim(scope=SCOPE, key="k1", fingerprint=OTHER_BODY)  # in flight
    idempotency_complete(claim=claim, result={"donation": 7})
    with pytest.raises(IdempotencyMismatch):
        idempotency_claim(scope=SCOPE, key="k1", fingerprint=OTHER_BODY)  # done


@pytest.mark.django_db
def test_a_key_in_flight_is_refused_until_its_lease_passes():
    idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    with pytest.raises(IdempotencyInFlight):
        idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    with pytest.raises(IdempotencyInFlight):
        idempotency_lookup(scope=SCOPE, key="k1", fingerprint=BODY)
    assert IdempotencyKey.objects.get().attempt == 1


def _make_stale(minutes: int = 10) -> None:
    IdempotencyKey.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=minutes))


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over_once_and_its_old_holder_cannot_complete():
    first = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    _make_stale()

    second = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    assert not second.replayed and second.attempt == first.attempt + 1
    with pytest.raises(IdempotencyInFlight):  # the new holder's lease is fresh
        idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)

    # The killed process comes back: its result must not commit, and its work rolls back.
    with pytest.raises(IdempotencyClaimLost), transaction.atomic():
        _work("late")
        idempotency_complete(claim=first, result={"donation": 1})
    assert not AuditEntry.objects.filter(action="late").exists()
    assert idempotency_release(claim=first) is False

    idempotency_complete(claim=second, result={"donation": 2})
    assert idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY).result == {"donation": 2}


@pytest.mark.django_db
def test_two_retries_that_both_saw_the_stale_claim_take_it_over_once(monkeypatch):
    """Both retries read the row before either updated it: the conditional UPDATE on the
    attempt lets only the first through. (The threaded version is below, on PostgreSQL.)"""
    idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    _make_stale()
    stale = IdempotencyKey.objects.get()
    monkeypatch.setattr(idempotency, "_row", lambda *, scope, key: copy.copy(stale))

    winner = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    with pytest.raises(IdempotencyInFlight):
        idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)

    assert winner.attempt == 2
    assert IdempotencyKey.objects.get().attempt == 2


@pytest.mark.django_db
def test_a_released_claim_runs_again_even_with_another_body():
    claim = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    assert idempotency_release(claim=claim) is True
    assert not IdempotencyKey.objects.exists()

    again = idempotency_claim(scope=SCOPE, key="k1", fingerprint=OTHER_BODY)
    assert not again.replayed


@pytest.mark.django_db
def test_a_replay_cannot_be_completed_or_released():
    claim = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    idempotency_complete(claim=claim, result={"donation": 7})
    replay = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    with pytest.raises(ValueError):
        idempotency_complete(claim=replay, result={"donation": 8})
    assert idempotency_release(claim=replay) is False
    assert IdempotencyKey.objects.get().result == {"donation": 7}


@pytest.mark.django_db
def test_a_claim_deleted_under_us_is_inserted_again(monkeypatch):
    """The row seen by the failed insert was released before we read it: try again."""
    reads: list[int] = []
    real_row = idempotency._row

    def released_once(*, scope: str, key: str):
        reads.append(1)
        if len(reads) == 1:
            IdempotencyKey.objects.all().delete()
            return None
        return real_row(scope=scope, key=key)

    idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    monkeypatch.setattr(idempotency, "_row", released_once)

    claim = idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)

    assert not claim.replayed and claim.pk == IdempotencyKey.objects.get().pk


# --- One transaction ----------------------------------------------------------------------


@pytest.mark.django_db
def test_record_then_lookup_replays():
    assert idempotency_lookup(scope=SCOPE, key="k1", fingerprint=BODY) is None
    with transaction.atomic():
        idempotency_record(scope=SCOPE, key="k1", fingerprint=BODY, result={"rsvp": 3})
    assert idempotency_lookup(scope=SCOPE, key="k1", fingerprint=BODY) == {"rsvp": 3}
    with pytest.raises(IdempotencyMismatch):
        idempotency_lookup(scope=SCOPE, key="k1", fingerprint=OTHER_BODY)


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_a_bug():
    with pytest.raises(RuntimeError):
        idempotency_record(scope=SCOPE, key="k1", fingerprint=BODY, result={"rsvp": 3})
    with pytest.raises(TypeError), transaction.atomic():
        idempotency_record(scope=SCOPE, key="k1", fingerprint=BODY, result=None)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_run_does_the_work_once_per_key():
    first = _run("k1")
    again = _run("k1")
    assert first == again
    assert AuditEntry.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        _run("k1", fingerprint=OTHER_BODY)
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_run_without_a_key_just_runs():
    assert _run(None) != _run(None)
    assert AuditEntry.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def _lookup_misses_once(monkeypatch) -> None:
    """The fast path finds nothing once, as if the other request committed the key just
    after it looked: the work then runs and the key's insert hits the unique index."""
    real_lookup = idempotency.idempotency_lookup
    calls: list[int] = []

    def lookup(**kwargs: Any):
        calls.append(1)
        return None if len(calls) == 1 else real_lookup(**kwargs)

    monkeypatch.setattr(idempotency, "idempotency_lookup", lookup)


# On both databases, with real transactions (no test transaction around them): the insert
# of the key fails as the last statement of the work's transaction, which rolls back whole.
@pytest.mark.django_db(transaction=True)
def test_a_key_recorded_by_someone_else_first_rolls_the_work_back_and_replays(monkeypatch):
    winner = _run("k1", work=lambda: _work("winner"))
    _lookup_misses_once(monkeypatch)

    loser = _run("k1", work=lambda: _work("loser"))

    assert loser == winner
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["winner"]
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_replay_works_inside_a_callers_transaction(monkeypatch):
    """Nested, the work is a savepoint: the caller's transaction stays usable after the
    unique violation (on PostgreSQL it would be aborted without the savepoint)."""
    winner = _run("k1", work=lambda: _work("winner"))
    _lookup_misses_once(monkeypatch)

    with transaction.atomic():
        loser = _run("k1", work=lambda: _work("loser"))
        _work("after")

    assert loser == winner
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["after", "winner"]


@pytest.mark.django_db(transaction=True)
def test_the_works_own_integrity_error_is_not_a_replay():
    def failing() -> int:
        _work("half")
        raise IntegrityError("the work's own unique index")

    with pytest.raises(IntegrityError, match="own unique index"):
        _run("k1", work=failing)
    assert not AuditEntry.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert _run("k1") == AuditEntry.objects.get().pk  # the key is still free


# --- Retention ----------------------------------------------------------------------------


def _key(key: str, *, state: str, created_hours_ago: float, claimed_hours_ago: float) -> None:
    now = timezone.now()
    IdempotencyKey.objects.create(
        scope=SCOPE,
        key=key,
        fingerprint=BODY,
        state=state,
        result={"x": 1} if state == IdempotencyKey.State.DONE else None,
        created_at=now - dt.timedelta(hours=created_hours_ago),
        claimed_at=now - dt.timedelta(hours=claimed_hours_ago),
    )


@pytest.mark.django_db
def test_prune_deletes_keys_past_the_retention(settings):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    done, in_flight = IdempotencyKey.State.DONE, IdempotencyKey.State.IN_FLIGHT
    _key("old-done", state=done, created_hours_ago=25, claimed_hours_ago=25)
    _key("new-done", state=done, created_hours_ago=23, claimed_hours_ago=23)
    _key("old-claim", state=in_flight, created_hours_ago=25, claimed_hours_ago=25)
    _key("taken-over-lately", state=in_flight, created_hours_ago=25, claimed_hours_ago=1)

    assert idempotency_keys_delete_expired() == 2
    assert idempotency_keys_delete_expired() == 0
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {
        "new-done",
        "taken-over-lately",
    }


@pytest.mark.django_db
def test_prune_follows_the_setting_and_runs_in_batches(settings, monkeypatch):
    settings.IDEMPOTENCY_RETENTION_HOURS = 1
    monkeypatch.setattr(idempotency, "PRUNE_BATCH_SIZE", 2)
    for index in range(5):
        _key(f"k{index}", state="done", created_hours_ago=2, claimed_hours_ago=2)
    _key("fresh", state="done", created_hours_ago=0.5, claimed_hours_ago=0.5)

    assert idempotency_keys_delete_expired() == 5
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.django_db
def test_the_daily_prune_deletes_expired_keys(settings):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    _key("old", state="done", created_hours_ago=30, claimed_hours_ago=30)

    counts = task_results_prune.call()

    assert counts["idempotency_keys"] == 1
    assert not IdempotencyKey.objects.exists()


# --- Races on PostgreSQL (real row locks and concurrent transactions) ---------------------


def _in_threads(count: int, call: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            results[index] = call(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# Skipped on other databases by the root conftest.
ON_POSTGRES = pytest.mark.postgres("needs concurrent transactions (PostgreSQL)")


def _held_work(barrier: threading.Barrier) -> Callable[[], int]:
    """Work that waits, inside its transaction, until every thread is inside its own."""

    def work() -> int:
        pk = _work("concurrent")
        barrier.wait()
        return pk

    return work


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_control_without_a_key_both_requests_do_the_work():
    barrier = threading.Barrier(2, timeout=10)
    results = _in_threads(2, lambda _i: _run(None, work=_held_work(barrier)))
    assert all(isinstance(result, int) for result in results), results
    assert AuditEntry.objects.count() == 2


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_commit_one_result():
    barrier = threading.Barrier(2, timeout=10)
    results = _in_threads(2, lambda _i: _run("k1", work=_held_work(barrier)))
    assert all(isinstance(result, int) for result in results), results
    assert results[0] == results[1] == AuditEntry.objects.get().pk
    assert IdempotencyKey.objects.count() == 1


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_retries_taking_over_a_stale_claim_at_the_same_moment(monkeypatch):
    idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY)
    _make_stale()
    barrier = threading.Barrier(2, timeout=10)
    real_row = idempotency._row

    def row_then_wait(*, scope: str, key: str):
        row = real_row(scope=scope, key=key)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()  # both have read the stale claim before either updates it
        return row

    waited = threading.local()
    monkeypatch.setattr(idempotency, "_row", row_then_wait)

    results = _in_threads(2, lambda _i: idempotency_claim(scope=SCOPE, key="k1", fingerprint=BODY))

    claims = [result for result in results if isinstance(result, Claim)]
    refused = [result for result in results if isinstance(result, IdempotencyInFlight)]
    assert len(claims) == 1 and len(refused) == 1, results
    assert claims[0].attempt == 2 == IdempotencyKey.objects.get().attempt
