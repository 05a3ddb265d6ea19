"""The shift lock: the scarce resource of an event is a shift's places.

Every write that changes who holds a place (an RSVP, a cancellation, a capacity change, a
walk-in at the door) locks that one Shift row with `shift_lock`, late and once per
transaction, re-reads what it needs under the lock, and moves the counters with F(). Lock
order everywhere: the shift, then its attendances.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from groundswell.events.models import Event, Shift


def shift_lock(
    shift_id: int | None,
    *,
    event_id: int = 0,
    now: datetime | None = None,
    event: Event | None = None,
) -> Shift:
    """The shift row, locked until commit, with its event (not locked) read fresh.

    Without `shift_id`: the event's first shift starting after `now`, found and locked in
    one query (Shift.DoesNotExist when there is none). Given the `event` the caller already
    loaded, only its status is read again (what may change meanwhile and matters here) and
    set on it: building a whole second Event under the lock was a quarter of an RSVP's time
    holding it. The one place RSVP writes take the lock; the concurrency tests replace it
    (as `groundswell.events.rsvp.services.shift_lock`) with an unlocked read to prove the
    race is real.
    """
    locking = Shift.objects.select_for_update(of=("self",))
    if event is None:
        locking = locking.select_related("event")
    else:
        locking = locking.annotate(event_status=F("event__status"))
    if shift_id is not None:
        locked = locking.get(pk=shift_id)
    else:
        first = locking.filter(event_id=event_id, starts_at__gt=now).order_by("starts_at", "pk")
        locked = first[:1].get()
    if event is not None:
        event.status = locked.event_status  # type: ignore[attr-defined]
        locked.event = event
    return locked


def shift_has_room(shift: Shift) -> bool:
    """Whether the (locked) shift has a free place."""
    return shift.capacity is None or shift.confirmed_count < shift.capacity
