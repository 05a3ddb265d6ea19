"""Two sign-ups with the same email at the same moment make one Person (PostgreSQL).

The race is forced: both transactions are held after their SELECT found nobody, so both go
on to INSERT. The control test shows the race is real (without the retry, one of them fails
on the unique index); the real test shows the loser retries and matches the winner's row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connections

from groundswell.people import services
from groundswell.people.models import Person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(monkeypatch, emails: list[str], call: Callable[[str], object]) -> list[object]:
    """Run `call(email)` in one thread per email, all held after their first lookup."""
    barrier = threading.Barrier(len(emails), timeout=10)
    waited = threading.local()
    original = services._apply_fields

    def held_apply_fields(person, fields, *, only_blank):
        # Runs right after the SELECT ... FOR UPDATE; hold each thread's first attempt.
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return original(person, fields, only_blank=only_blank)

    monkeypatch.setattr(services, "_apply_fields", held_apply_fields)
    results: list[object] = [None] * len(emails)

    def run(index: int, email: str) -> None:
        try:
            results[index] = call(email)
        except Exception as exc:  # the control test expects one of these
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, e)) for i, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_control_without_the_retry_the_race_hits_the_unique_index(monkeypatch):
    def create_once(email: str):
        # What the service would do with no retry: one attempt, errors propagate.
        email = services.email_normalize(email)
        from django.db import transaction

        with transaction.atomic():
            person = services.person_by_email_qs(email).select_for_update().first()
            services._apply_fields(person or Person(), {}, only_blank=False)
            if person is None:
                Person.objects.create(email=email)
        return "created"

    results = _race(monkeypatch, ["Race@Example.org", "race@example.ORG"], create_once)
    assert sorted(type(r).__name__ for r in results) == ["IntegrityError", "str"]
    assert any(isinstance(r, IntegrityError) for r in results)
    assert Person.objects.filter(email="race@example.org").count() == 1


def test_concurrent_signups_in_different_case_make_one_person(monkeypatch):
    results = _race(
        monkeypatch,
        ["Race@Example.org", "race@example.ORG"],
        lambda email: services.person_signup(email=email, fields={"given_name": email[:4]}),
    )
    assert all(isinstance(r, services.PersonMatch) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.person.pk for r in results}) == 1
    assert Person.objects.filter(email="race@example.org").count() == 1
