"""The events step: events with their shifts and RSVPs (attendances), and a few campaigns.

- **When.** 85% of events fall in the two-year cycle, more towards election day (30%
  uniformly, 70% with a density growing as the square of the time) and on weekends (45% of
  weekday draws move to the next Saturday or Sunday). The other `UPCOMING_SHARE` (15%) fall
  in the `UPCOMING_DAYS` (60) days after the day the data is generated (`upcoming_anchor()`,
  midnight UTC), so benchmarks run at wall-clock time always find upcoming events. That day
  is the step's "now": whatever is before it happened (reminders sent, attendance marked,
  reports), nothing is created after it. It is recorded as `upcoming_from` in
  `SeedRun.steps["events"]`. The same seed and scale give the same rows on the same day.
- **Local times.** A start between 10:00 and 19:00 local time, in the time zone of the
  event's ZIP, by type (phone banks in the evening on weekdays...), converted to UTC; one
  shift of 2 to 3 hours, or (10%) 2-3 consecutive 2-hour shifts.
- **Who and where.** Hosts are generated members who had signed up before the event was
  created (earlier members host more). 30% of events belong to a group (created by then):
  the group's leader or a co-leader hosts it at the group's ZIP (the product only lets
  members tie an event to their group). The others take place in the host's ZIP. About 9%
  are online (no address; the time zone of the host's or the group's ZIP).
- **RSVPs.** About 8 per event with a long tail (rallies most), from people (members or
  not) living in the event's area who had signed up by then; 8% cancelled; confirmed while
  the shift has room, then waitlisted, so `confirmed_count <= capacity` and the counters equal
  the rows. Past events: reminders sent at their due time, attendance marked (70% came).

The step's modules: `tables` (the figures and words events are drawn from), `inputs` (the
groups and campaigns it starts from), `rows` (events and shifts, chunk by chunk) and `rsvps`
(each shift's attendances).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from groundswell.events.models import Attendance, Event, Shift
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import Step, StepContext
from groundswell.ops.seeding.events.inputs import campaigns_ensure, groups_load
from groundswell.ops.seeding.events.rows import EventRows
from groundswell.ops.seeding.groups import population

# Events per chunk (one transaction and random stream each): part of the determinism contract.
EVENT_CHUNK = 5_000

EVENT_FIELDS = (
    "id",
    "title",
    "description",
    "event_type",
    "status",
    "is_official",
    "host_id",
    "group_id",
    "campaign_id",
    "time_zone",
    "starts_at",
    "ends_at",
    "venue_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "hide_address",
    "is_virtual",
    "virtual_url",
    "accessibility_notes",
    "created_at",
    "updated_at",
    "approved_by_id",
    "approved_at",
    "cancelled_at",
    "reported_at",
    "doors_knocked",
    "calls_made",
    "report_notes",
)
SHIFT_FIELDS = ("id", "event_id", "starts_at", "ends_at", "capacity", "confirmed_count",
                "waitlist_count")  # fmt: skip
ATTENDANCE_FIELDS = (
    "id",
    "event_id",
    "shift_id",
    "person_id",
    "user_id",
    "status",
    "waitlisted_at",
    "referred_by_id",
    "source",
    "created_at",
    "updated_at",
    "cancelled_at",
    "confirmed_at",
    "reminder_reply",
    "reminder_day_before_sent_at",
    "reminder_day_of_sent_at",
    "checked_in_at",
    "attended",
)


def upcoming_anchor() -> datetime:
    """Midnight UTC of the day of generation: the events step's "now"."""
    today = timezone.now().astimezone(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def events_run(ctx: StepContext) -> dict[str, Any]:
    pop = population(ctx)
    groups = groups_load(ctx, pop)
    campaigns = campaigns_ensure()
    anchor = upcoming_anchor()
    events = ctx.count(figures.EVENTS)
    ids = {
        "event_first": ctx.next_id(Event),
        "shift_first": ctx.next_id(Shift),
        "attendance_first": ctx.next_id(Attendance),
    }
    writers = {
        "event": ctx.writer(Event, EVENT_FIELDS),
        "shift": ctx.writer(Shift, SHIFT_FIELDS),
        "attendance": ctx.writer(Attendance, ATTENDANCE_FIELDS),
    }
    builder = EventRows(ctx, pop, groups, campaigns, anchor=anchor, ids=ids)
    for chunk, start in enumerate(range(0, events, EVENT_CHUNK)):
        rows = builder.build(chunk, start, min(start + EVENT_CHUNK, events))
        with ctx.atomic():
            for name, writer in writers.items():
                writer.write(rows[name])
    return {
        **ids,
        "events": events,
        "shifts": writers["shift"].rows_written,
        "attendances": writers["attendance"].rows_written,
        "upcoming_from": anchor.isoformat(),
        "upcoming": builder.upcoming,
        "campaign_ids": [campaign[0] for campaign in campaigns],
        "rows": {writer.table: writer.rows_written for writer in writers.values()},
    }


STEP = Step(
    name="events",
    models=("events.EventCampaign", "events.Event", "events.Shift", "events.Attendance"),
    per_scale={"events.Event": figures.EVENTS},
    run=events_run,
    requires=("people", "groups"),
)
