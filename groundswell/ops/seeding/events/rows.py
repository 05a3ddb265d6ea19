"""Event and shift rows, one chunk of events at a time (the RSVPs of each shift come from
`rsvps.ShiftRsvps`)."""

from __future__ import annotations

import bisect
import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import StepContext
from groundswell.ops.seeding.events.inputs import CAMPAIGN_SHARE, Groups
from groundswell.ops.seeding.events.rsvps import ShiftRsvps
from groundswell.ops.seeding.events.tables import (
    ACCESSIBILITY,
    CYCLE_UNIFORM_SHARE,
    DAY,
    DESCRIPTIONS,
    DURATIONS,
    EVENT_CANCELLED,
    GROUP_SHARE,
    MULTI_SHIFT_SHARE,
    OFFICIAL_SHARE,
    PUBLISHED,
    REPORTED_SHARE,
    SHIFT_MINUTES,
    START_TIMES,
    STATUSES,
    TITLES,
    TYPE_LABELS,
    TYPES,
    UNLIMITED_SHARE,
    UPCOMING_DAYS,
    UPCOMING_SHARE,
    VENUES,
    VIRTUAL_SHARE,
    VIRTUAL_TITLES,
    WEEKEND_PULL,
    Type,
    seconds,
)
from groundswell.ops.seeding.groups import Population
from groundswell.ops.seeding.names import STREET_KINDS, STREETS


class EventRows:
    def __init__(
        self,
        ctx: StepContext,
        pop: Population,
        groups: Groups,
        campaigns: list[tuple[int, str, int, int, str]],
        *,
        anchor: datetime,
        ids: dict[str, int],
    ) -> None:
        self.ctx, self.pop, self.groups, self.campaigns, self.ids = ctx, pop, groups, campaigns, ids
        self.anchor_s = seconds(anchor)
        self.anchor_day = anchor.date().toordinal()
        self.cycle_first = figures.CYCLE_START.date().toordinal()
        self.cycle_last = figures.ELECTION_DAY.date().toordinal()
        # No event before the first members have signed up and had a couple of days.
        first_joined = pop.member_joined(0)
        self.first_joined = first_joined
        self.cycle_first = max(self.cycle_first, self.cycle_first + int(first_joined // DAY) + 2)
        self.zones: dict[str, ZoneInfo] = {}
        self.shift_next = ids["shift_first"]
        self.rsvps = ShiftRsvps(ctx, pop, anchor_s=self.anchor_s, first_id=ids["attendance_first"])
        self.upcoming = 0

    def _zone(self, name: str) -> ZoneInfo:
        zone = self.zones.get(name)
        if zone is None:
            zone = self.zones[name] = ZoneInfo(name)
        return zone

    def _day(self, rng: random.Random) -> int:
        """The local date of an event, as an ordinal."""
        rand = rng.random
        if rand() < UPCOMING_SHARE:
            # Local days 1 to 59 after the anchor: every start is within 60 days of it.
            low, high = self.anchor_day + 1, self.anchor_day + UPCOMING_DAYS - 1
            day = low + int(rand() * (high - low + 1))
        else:
            low, high = self.cycle_first, self.cycle_last
            x = rand()
            if rand() >= CYCLE_UNIFORM_SHARE:
                x = x ** (1 / 3)
            day = min(high, low + int(x * (high - low + 1)))
        weekday = (day - 1) % 7  # date.fromordinal(1) is a Monday
        if weekday < 5 and rand() < WEEKEND_PULL:
            moved = day + (5 - weekday) + (1 if rand() < 0.5 else 0)
            if moved <= high:
                day = moved
        return day

    def build(self, chunk: int, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
        ctx, pop, groups, rng = self.ctx, self.pop, self.groups, self.ctx.rng(chunk)
        rand = rng.random
        ts = ctx.timestamp
        anchor_s = self.anchor_s
        event_rows: list[tuple[Any, ...]] = []
        shift_rows: list[tuple[Any, ...]] = []
        attendance_rows: list[tuple[Any, ...]] = []
        self.shift_id = self.shift_next
        for e in range(start, stop):
            event_id = self.ids["event_first"] + e
            day = self._day(rng)
            local_day = date.fromordinal(day)
            weekend = local_day.weekday() >= 5
            event_type = TYPES[int(rand() * len(TYPES))]
            shift_count = 1
            if rand() < MULTI_SHIFT_SHARE:
                shift_count = 2 if rand() < 0.6 else 3
            if shift_count == 1:
                times = START_TIMES[event_type][weekend]
                first_minute = times[int(rand() * len(times))]
                slots = [(first_minute, first_minute + DURATIONS[int(rand() * len(DURATIONS))])]
            else:
                latest = 19 * 60 - shift_count * SHIFT_MINUTES
                first_minute = 600 + 30 * int(rand() * ((latest - 600) // 30 + 1))
                slots = [
                    (first_minute + i * SHIFT_MINUTES, first_minute + (i + 1) * SHIFT_MINUTES)
                    for i in range(shift_count)
                ]
            lead = int((1 + 44 * rand() ** 2) * DAY)
            # Who may host it is decided at a time safely before its creation (the UTC start
            # isn't known before the zone, which depends on the host).
            day_s = (day - figures.CYCLE_START.date().toordinal()) * DAY
            chosen_at = min(day_s + first_minute * 60 - lead - DAY, anchor_s - DAY)
            chosen_at = max(chosen_at, int(self.first_joined) + 60)

            group_index = -1
            host_user = 0
            zip_index = -1
            if rand() < GROUP_SHARE:
                eligible = bisect.bisect_left(groups.created, chosen_at)
                if eligible:
                    group_index = int(rand() * eligible)
                    candidates = [h for h in groups.hosts[group_index] if h[0] < chosen_at]
                    if candidates:
                        host_user = candidates[
                            0 if rand() < 0.7 else int(rand() * len(candidates))
                        ][1]
                        zip_index = groups.zips[group_index]
                    else:
                        group_index = -1
            if group_index < 0:
                eligible = max(1, pop.members_before(chosen_at))
                k = int(eligible * rand() ** 1.3)  # early members host more
                host_user = pop.user_first + k
                zip_index = pop.member_zip(k)
            where = pop.zips[zip_index if zip_index >= 0 else 0]
            virtual = rand() < VIRTUAL_SHARE.get(event_type, 0.0)
            zone_name = where.time_zone
            zone = self._zone(zone_name)
            shift_times = [
                (
                    seconds(datetime(local_day.year, local_day.month, local_day.day,
                                      begin // 60, begin % 60, tzinfo=zone)),
                    seconds(datetime(local_day.year, local_day.month, local_day.day,
                                      end // 60, end % 60, tzinfo=zone)),
                )
                for begin, end in slots
            ]  # fmt: skip
            starts, ends = shift_times[0][0], shift_times[-1][1]
            if starts > anchor_s:
                self.upcoming += 1
            created = max(min(starts - lead, anchor_s - 60), chosen_at)

            # Status and its times.
            official = rand() < OFFICIAL_SHARE
            status = STATUSES[int(rand() * len(STATUSES))]
            if official and status not in (PUBLISHED, EVENT_CANCELLED):
                status = PUBLISHED  # staff publish at once
            approved = cancelled = None
            if status in (PUBLISHED, EVENT_CANCELLED):
                wait = (
                    0 if rand() < 0.4 else int(rand() * min(2 * DAY, max(0, starts - created - 60)))
                )
                approved = min(created + wait, anchor_s - 1)
                if status == EVENT_CANCELLED:
                    cancelled = approved + int(
                        rand() * max(0, min(starts, anchor_s) - approved - 1)
                    )

            # Campaign, title, place.
            campaign_id = None
            title = ""
            for cid, ctype, first_day, last_day, ctitle in self.campaigns:
                if ctype == event_type and first_day <= day <= last_day and rand() < CAMPAIGN_SHARE:
                    campaign_id, title = cid, ctitle
                    break
            place = where.place_name
            if not title:
                if virtual:
                    title = VIRTUAL_TITLES.get(event_type) or TYPE_LABELS[event_type] + " online"
                elif group_index >= 0 and rand() < 0.5:
                    title = f"{TYPE_LABELS[event_type]} with {groups.names[group_index]}"
                else:
                    options = TITLES[event_type]
                    title = options[int(rand() * len(options))].format(place=place)
            title = " ".join(title.split())[:150]
            venue = address = locality = region = postal_code = virtual_url = ""
            latitude = longitude = None
            hide_address = False
            if virtual:
                virtual_url = f"https://meet.example.org/groundswell-{event_id}"
            else:
                street = f"{STREETS[int(rand() * len(STREETS))]} "
                street += STREET_KINDS[int(rand() * len(STREET_KINDS))]
                venues = VENUES[event_type]
                venue = venues[int(rand() * len(venues))].format(place=place, street=street)
                venue = " ".join(venue.split())[:150]
                if event_type == Type.HOUSE_PARTY.value or rand() < 0.8:
                    address = f"{1 + int(rand() * 9899)} {street}"
                hide_address = event_type == Type.HOUSE_PARTY.value or venue == "A supporter's home"
                locality, region, postal_code = place[:100], where.state[:100], where.code
                latitude, longitude = where.latitude, where.longitude
            accessibility = ACCESSIBILITY[int(rand() * len(ACCESSIBILITY))] if rand() < 0.25 else ""

            # Shifts and RSVPs.
            people_pool = (
                pop.people_by_area[pop.area_of_zip[zip_index]]
                if (zip_index >= 0 and not virtual)
                else None
            )
            open_rsvps = approved is not None
            confirmed_total = 0
            latest_change = max(created, approved or 0, cancelled or 0)
            for shift_start, shift_end in shift_times:
                capacity = None
                if rand() >= UNLIMITED_SHARE and not (
                    event_type == Type.RALLY.value and rand() < 0.7
                ):
                    capacity = (
                        5 * (2 + int(rand() * 7))
                        if event_type == Type.HOUSE_PARTY.value
                        else 5 * (2 + int(rand() * 19))
                    )
                shift_id = self.shift_id
                self.shift_id += 1
                confirmed = waitlisted = 0
                if open_rsvps:
                    confirmed, waitlisted = self.rsvps.add(
                        rng,
                        attendance_rows,
                        event_id=event_id,
                        shift_id=shift_id,
                        event_type=event_type,
                        shift_count=len(shift_times),
                        shift_start=shift_start,
                        capacity=capacity,
                        zone_name=zone_name,
                        opened=approved or created,
                        cancelled=cancelled,
                        pool=people_pool,
                    )
                confirmed_total += confirmed
                shift_rows.append(
                    (shift_id, event_id, ts(shift_start), ts(shift_end), capacity, confirmed,
                     waitlisted)
                )  # fmt: skip

            # The host's report after a past canvass or phone bank.
            reported = doors = calls = None
            notes = ""
            if (
                status == PUBLISHED
                and event_type in (Type.CANVASS.value, Type.PHONE_BANK.value)
                and rand() < REPORTED_SHARE
            ):
                when = ends + int(rand() * 3 * DAY)
                if when < anchor_s:
                    reported = when
                    per_person = 15 + int(rand() * 30)
                    if event_type == Type.CANVASS.value:
                        doors = confirmed_total * per_person
                    else:
                        calls = confirmed_total * per_person * 2
                    if rand() < 0.3:
                        notes = "Great energy. Several new volunteers signed up for next week."
                    latest_change = max(latest_change, when)

            event_rows.append(
                (
                    event_id,
                    title,
                    DESCRIPTIONS[event_type],
                    event_type,
                    status,
                    official,
                    host_user,
                    groups.ids[group_index] if group_index >= 0 else None,
                    campaign_id,
                    zone_name,
                    ts(starts),
                    ts(ends),
                    venue,
                    address,
                    locality,
                    region,
                    postal_code,
                    "US",
                    latitude,
                    longitude,
                    hide_address,
                    virtual,
                    virtual_url,
                    accessibility,
                    ts(created),
                    ts(min(latest_change, anchor_s)),
                    None,
                    ts(approved) if approved is not None else None,
                    ts(cancelled) if cancelled is not None else None,
                    ts(reported) if reported is not None else None,
                    doors,
                    calls,
                    notes,
                )
            )
        self.shift_next = self.shift_id
        return {"event": event_rows, "shift": shift_rows, "attendance": attendance_rows}
