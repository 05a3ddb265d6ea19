"""The RSVPs (attendances) of each shift: who asks and when, confirmed while the shift has
room then waitlisted, reminders sent and attendance marked for what is past."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from groundswell.events.models import Attendance
from groundswell.events.reminders.services import (
    REMINDER_DAY_BEFORE,
    REMINDER_DAY_OF,
    reminder_due_times,
)
from groundswell.ops.seeding.base import StepContext
from groundswell.ops.seeding.events.tables import CYCLE_EPOCH, DAY, Type, seconds
from groundswell.ops.seeding.groups import Population

RSVP_CANCELLED_SHARE = 0.08
REFERRED_SHARE = 0.11  # of RSVPs after the first one of a shift: ~10% of all
CAME_SHARE, NO_SHOW_SHARE = 0.70, 0.20  # of confirmed RSVPs to past events; the rest unmarked
# RSVPs per shift: log-normal (median ~5.8, mean ~9.5) times the type's factor, capped.
RSVP_MU, RSVP_SIGMA, RSVP_MAX = 1.75, 1.0, 2_000

RSVP_FACTOR = {
    Type.CANVASS.value: 0.9,
    Type.PHONE_BANK.value: 0.7,
    Type.HOUSE_PARTY.value: 1.0,
    Type.MEETING.value: 1.0,
    Type.VOTER_REGISTRATION.value: 0.8,
    Type.RALLY.value: 4.0,
    Type.FUNDRAISER.value: 1.2,
}
SOURCES = ("email", "facebook", "twitter", "group", "finder", "text")

CONFIRMED = Attendance.Status.CONFIRMED.value
WAITLISTED = Attendance.Status.WAITLISTED.value
CANCELLED = Attendance.Status.CANCELLED.value


class ShiftRsvps:
    """Attendance rows, one shift at a time, with consecutive ids from `first_id`."""

    def __init__(self, ctx: StepContext, pop: Population, *, anchor_s: int, first_id: int) -> None:
        self.ctx, self.pop, self.anchor_s = ctx, pop, anchor_s
        self.attendance_id = first_id

    def add(
        self,
        rng: random.Random,
        rows: list[tuple[Any, ...]],
        *,
        event_id: int,
        shift_id: int,
        event_type: str,
        shift_count: int,
        shift_start: int,
        capacity: int | None,
        zone_name: str,
        opened: int,
        cancelled: int | None,
        pool: Any,
    ) -> tuple[int, int]:
        """The RSVPs of one shift, appended to `rows`; returns (confirmed, waitlisted)."""
        pop, ts, rand = self.pop, self.ctx.timestamp, rng.random
        anchor_s = self.anchor_s
        # RSVPs are taken from publication until the start (or the cancellation, or "now").
        closes = min(shift_start, anchor_s, cancelled if cancelled is not None else shift_start) - 1
        if closes <= opened:
            return 0, 0
        wanted = rng.lognormvariate(RSVP_MU, RSVP_SIGMA) * RSVP_FACTOR[event_type]
        if shift_count > 1:
            wanted *= 1.5 / shift_count
        wanted = min(RSVP_MAX, int(wanted))
        if not wanted:
            return 0, 0
        below = pop.people_before(closes)
        if below == 0:
            return 0, 0
        if pool is None:
            chosen = rng.sample(range(below), min(wanted, below))
        else:
            chosen = pop.draw(rng, pool, below, wanted)
        requests = []
        for j in chosen:
            since = max(opened, int(pop.person_joined(j)) + 1)
            requests.append((since + int(rand() * max(0, closes - since)), j))
        requests.sort()
        # Reminders: due times of this shift, sent when due before "now" (published only).
        due_before = due_of = None
        past = shift_start <= anchor_s
        if cancelled is None and shift_start - 2 * DAY <= anchor_s:
            due = reminder_due_times(
                starts_at=datetime.fromtimestamp(CYCLE_EPOCH + shift_start, UTC),
                time_zone=zone_name,
            )
            due_before = seconds(due[REMINDER_DAY_BEFORE])
            due_of = seconds(due[REMINDER_DAY_OF])
        confirmed = waitlisted = 0
        person_first, user_first = pop.person_first, pop.user_first
        earlier: list[int] = []
        for asked, j in requests:
            person_id = person_first + j
            k = pop.member_of_person(j)
            user_id = user_first + k if k is not None else None
            referred_by = None
            source = ""
            if earlier and rand() < REFERRED_SHARE:
                referred_by, source = earlier[int(rand() * len(earlier))], "share"
            elif rand() < 0.2:
                source = SOURCES[int(rand() * len(SOURCES))]
            earlier.append(person_id)
            cancelled_at = waitlisted_at = confirmed_at = None
            reply = before_sent = of_sent = checked_in = attended = None
            updated = asked
            if rand() < RSVP_CANCELLED_SHARE:
                status = CANCELLED
                cancelled_at = asked + int(rand() * max(0, closes - asked))
                confirmed_at = asked
                updated = cancelled_at
            elif capacity is None or confirmed < capacity:
                status = CONFIRMED
                confirmed += 1
                confirmed_at = asked
                if due_before is not None and asked <= due_before <= anchor_s:
                    before_sent = due_before
                    updated = due_before
                    if rand() < 0.3:
                        reply = True
                if due_of is not None and asked <= due_of <= anchor_s:
                    of_sent = due_of
                    updated = max(updated, due_of)
                if past and cancelled is None:
                    roll = rand()
                    if roll < CAME_SHARE:
                        attended = True
                        checked_in = min(shift_start + int(rand() * 1_800), anchor_s)
                        updated = max(updated, checked_in)
                    elif roll < CAME_SHARE + NO_SHOW_SHARE:
                        attended = False
                        updated = max(updated, min(shift_start + 3 * 3_600, anchor_s))
            else:
                status = WAITLISTED
                waitlisted += 1
                waitlisted_at = asked
            rows.append(
                (
                    self.attendance_id,
                    event_id,
                    shift_id,
                    person_id,
                    user_id,
                    status,
                    ts(waitlisted_at) if waitlisted_at is not None else None,
                    referred_by,
                    source,
                    ts(asked),
                    ts(updated),
                    ts(cancelled_at) if cancelled_at is not None else None,
                    ts(confirmed_at) if confirmed_at is not None else None,
                    reply,
                    ts(before_sent) if before_sent is not None else None,
                    ts(of_sent) if of_sent is not None else None,
                    ts(checked_in) if checked_in is not None else None,
                    attended,
                )
            )
            self.attendance_id += 1
        return confirmed, waitlisted
