"""Capacity holds under concurrent RSVPs (PostgreSQL, real row locks, one connection per
thread).

The control test proves the race: with the shift read without its lock, every thread sees
an empty shift and confirms; the database's capacity check then rejects the overflow, so
those RSVPs are lost (nobody is waitlisted). The real test shows the lock makes it exact:
the first five confirmed, everyone else waitlisted, the counters equal to the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections
from django.utils import timezone

from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp import services as rsvp_services
from groundswell.events.rsvp.services import RsvpResult, attendance_rsvp
from groundswell.events.testing import counts_match
from groundswell.people.models import Person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CAPACITY = 5
PEOPLE = 20


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks and concurrent transactions (PostgreSQL)")


@pytest.fixture
def shift(member) -> Shift:
    start = timezone.now() + timedelta(days=2)
    event = Event.objects.create(
        host=member,
        title="Five places",
        event_type=Event.Type.PHONE_BANK,
        status=Event.Status.PUBLISHED,
        time_zone="America/Chicago",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    return Shift.objects.create(
        event=event, starts_at=start, ends_at=start + timedelta(hours=2), capacity=CAPACITY
    )


def _run_all(calls: list[Callable[[], object]]) -> list[object]:
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as exc:  # the control test expects these
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _people(count: int) -> list[Person]:
    return [Person.objects.create(email=f"racer{i}@example.org") for i in range(count)]


def test_control_without_the_lock_the_race_overbooks(monkeypatch, shift):
    people = _people(PEOPLE)
    barrier = threading.Barrier(PEOPLE, timeout=20)

    def unlocked_read(shift_id: int, **kwargs) -> Shift:
        # The service's read without FOR UPDATE; everyone reads before anyone writes.
        row = Shift.objects.get(pk=shift_id)
        barrier.wait()
        row.event = kwargs["event"]
        return row

    monkeypatch.setattr(rsvp_services, "shift_lock", unlocked_read)
    event = shift.event
    results = _run_all(
        [lambda p=p: attendance_rsvp(event=event, person=p, shift=shift) for p in people]
    )
    # Every thread saw room and tried to confirm; the capacity check caught the overflow.
    confirmed = [r for r in results if isinstance(r, RsvpResult)]
    lost = [r for r in results if isinstance(r, IntegrityError)]
    assert len(confirmed) == CAPACITY
    assert all(not r.waitlisted for r in confirmed)
    assert len(lost) == PEOPLE - CAPACITY  # RSVPs lost instead of waitlisted
    assert Attendance.objects.filter(status="waitlisted").count() == 0


def test_concurrent_rsvps_never_exceed_capacity(monkeypatch, shift):
    people = _people(PEOPLE)
    barrier = threading.Barrier(PEOPLE, timeout=20)
    original = rsvp_services.shift_lock

    def start_together(shift_id: int, **kwargs) -> Shift:
        barrier.wait()  # all threads ask for the lock at the same moment
        return original(shift_id, **kwargs)

    monkeypatch.setattr(rsvp_services, "shift_lock", start_together)
    event = shift.event
    results = _run_all(
        [lambda p=p: attendance_rsvp(event=event, person=p, shift=shift) for p in people]
    )
    assert all(isinstance(r, RsvpResult) for r in results), results
    assert sum(not r.waitlisted for r in results) == CAPACITY
    assert sum(r.waitlisted for r in results) == PEOPLE - CAPACITY
    assert Attendance.objects.filter(status="confirmed").count() == CAPACITY
    assert Attendance.objects.filter(status="waitlisted").count() == PEOPLE - CAPACITY
    shift.refresh_from_db()
    assert (shift.confirmed_count, shift.waitlist_count) == (CAPACITY, PEOPLE - CAPACITY)
    assert counts_match(shift)


def test_the_same_rsvp_sent_four_times_at_once_is_one_attendance(monkeypatch, shift):
    person = Person.objects.create(email="eager@example.org")
    barrier = threading.Barrier(4, timeout=20)
    original = rsvp_services.shift_lock

    def start_together(shift_id: int, **kwargs) -> Shift:
        barrier.wait()
        return original(shift_id, **kwargs)

    monkeypatch.setattr(rsvp_services, "shift_lock", start_together)
    event = shift.event
    results = _run_all(
        [lambda: attendance_rsvp(event=event, person=person, shift=shift) for _ in range(4)]
    )
    assert all(isinstance(r, RsvpResult) for r in results), results
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.attendance.pk for r in results}) == 1
    assert Attendance.objects.count() == 1
    shift.refresh_from_db()
    assert shift.confirmed_count == 1
