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
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from groundswell.events.models import Attendance, Event, EventCampaign, Shift
from groundswell.events.services_reminders import (
    REMINDER_DAY_BEFORE,
    REMINDER_DAY_OF,
    reminder_due_times,
)
from groundswell.groups.models import Group, GroupMembership
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import Step, StepContext
from groundswell.ops.seeding.groups import Population, population
from groundswell.ops.seeding.names import STREET_KINDS, STREETS, weighted_table

# Events per chunk (one transaction and random stream each): part of the determinism contract.
EVENT_CHUNK = 5_000
CYCLE_EPOCH = figures.CYCLE_START.timestamp()
DAY = 86_400

UPCOMING_SHARE = 0.15
UPCOMING_DAYS = 60
# Cycle dates: this share uniform, the rest with a density growing as the square of the time.
CYCLE_UNIFORM_SHARE = 0.30
WEEKEND_PULL = 0.45
MULTI_SHIFT_SHARE = 0.10
GROUP_SHARE = 0.30
OFFICIAL_SHARE = 0.05
UNLIMITED_SHARE = 0.40
RSVP_CANCELLED_SHARE = 0.08
REFERRED_SHARE = 0.11  # of RSVPs after the first one of a shift: ~10% of all
CAME_SHARE, NO_SHOW_SHARE = 0.70, 0.20  # of confirmed RSVPs to past events; the rest unmarked
REPORTED_SHARE = 0.40
# RSVPs per shift: log-normal (median ~5.8, mean ~9.5) times the type's factor, capped.
RSVP_MU, RSVP_SIGMA, RSVP_MAX = 1.75, 1.0, 2_000

Type = Event.Type
TYPES = weighted_table(
    (
        (Type.CANVASS.value, 28),
        (Type.PHONE_BANK.value, 26),
        (Type.HOUSE_PARTY.value, 13),
        (Type.MEETING.value, 12),
        (Type.VOTER_REGISTRATION.value, 10),
        (Type.RALLY.value, 5),
        (Type.FUNDRAISER.value, 6),
    )
)
STATUSES = weighted_table(
    (
        (Event.Status.PUBLISHED.value, 90),
        (Event.Status.PENDING.value, 5),
        (Event.Status.CANCELLED.value, 3),
        (Event.Status.REJECTED.value, 2),
    )
)
RSVP_FACTOR = {
    Type.CANVASS.value: 0.9,
    Type.PHONE_BANK.value: 0.7,
    Type.HOUSE_PARTY.value: 1.0,
    Type.MEETING.value: 1.0,
    Type.VOTER_REGISTRATION.value: 0.8,
    Type.RALLY.value: 4.0,
    Type.FUNDRAISER.value: 1.2,
}
# Share of online events per type (about 10% overall).
VIRTUAL_SHARE = {
    Type.PHONE_BANK.value: 0.25,
    Type.MEETING.value: 0.15,
    Type.FUNDRAISER.value: 0.05,
    Type.HOUSE_PARTY.value: 0.03,
}


def _half_hours(first: int, last: int) -> tuple[int, ...]:
    """Local start times in minutes after midnight, every half hour from `first` to `last` h."""
    return tuple(range(first * 60, last * 60 + 1, 30))


# Local start times by type: (weekday, weekend). All between 10:00 and 19:00.
START_TIMES = {
    Type.CANVASS.value: (_half_hours(16, 17), _half_hours(10, 14)),
    Type.PHONE_BANK.value: (_half_hours(17, 19), _half_hours(11, 16)),
    Type.HOUSE_PARTY.value: (_half_hours(18, 19), _half_hours(14, 19)),
    Type.MEETING.value: (_half_hours(18, 19), _half_hours(10, 14)),
    Type.VOTER_REGISTRATION.value: (_half_hours(10, 16), _half_hours(10, 14)),
    Type.RALLY.value: (_half_hours(12, 18), _half_hours(11, 17)),
    Type.FUNDRAISER.value: (_half_hours(17, 19), _half_hours(12, 18)),
}
DURATIONS = (120, 150, 180)
SHIFT_MINUTES = 120

TITLES = {
    Type.CANVASS.value: ("Canvass {place}", "Door knocking in {place}", "Weekend canvass: {place}"),
    Type.PHONE_BANK.value: ("Phone bank in {place}", "Call voters from {place}"),
    Type.HOUSE_PARTY.value: ("House party in {place}", "{place} house party and potluck"),
    Type.MEETING.value: ("{place} volunteer meeting", "Neighborhood team meeting, {place}"),
    Type.VOTER_REGISTRATION.value: (
        "Register voters in {place}",
        "Voter registration drive at the {place} farmers market",
    ),
    Type.RALLY.value: ("Rally in {place}", "Early vote rally, {place}"),
    Type.FUNDRAISER.value: ("Grassroots fundraiser in {place}", "Fundraiser: {place}"),
}
VIRTUAL_TITLES = {
    Type.PHONE_BANK.value: "Virtual phone bank",
    Type.MEETING.value: "Online volunteer meeting",
    Type.FUNDRAISER.value: "Online fundraiser",
    Type.HOUSE_PARTY.value: "Online house party",
}
TYPE_LABELS = {
    Type.CANVASS.value: "Canvass",
    Type.PHONE_BANK.value: "Phone bank",
    Type.HOUSE_PARTY.value: "House party",
    Type.MEETING.value: "Meeting",
    Type.VOTER_REGISTRATION.value: "Voter registration",
    Type.RALLY.value: "Rally",
    Type.FUNDRAISER.value: "Fundraiser",
}
DESCRIPTIONS = {
    Type.CANVASS.value: "We'll pair up, get a short training and a list of doors, and talk "
    "with our neighbors about what's at stake.\n\nWear comfortable shoes. Water provided.",
    Type.PHONE_BANK.value: "Bring a charged phone and a laptop if you have one. First time? "
    "We'll walk you through the script.",
    Type.HOUSE_PARTY.value: "Meet other supporters nearby, hear about the plan for the next "
    "weeks and sign up for a shift. Snacks provided; bring a friend.",
    Type.MEETING.value: "Our regular meeting: results from last week, the plan for this one, "
    "and who does what. Newcomers welcome.",
    Type.VOTER_REGISTRATION.value: "Help eligible neighbors register to vote. We'll bring "
    "forms, clipboards and a table; you bring a smile.",
    Type.RALLY.value: "Come rally with supporters from across the area. Doors open an hour "
    "before the start; expect security screening.",
    Type.FUNDRAISER.value: "A grassroots fundraiser: every gift counts, and every guest can "
    "sign up to volunteer.",
}
VENUES = {
    Type.CANVASS.value: ("Campaign field office", "{street} Park pavilion", "Staging location"),
    Type.PHONE_BANK.value: ("Campaign field office", "Union hall", "{place} Public Library"),
    Type.MEETING.value: ("{place} Public Library", "Community center", "Coffee shop"),
    Type.VOTER_REGISTRATION.value: ("{place} farmers market", "Community college", "Grocery"),
    Type.RALLY.value: ("{street} Park", "High school gym", "Town square"),
    Type.FUNDRAISER.value: ("Restaurant", "A supporter's home", "Community hall"),
    Type.HOUSE_PARTY.value: ("A supporter's home",),
}
ACCESSIBILITY = (
    "Wheelchair accessible entrance on the side of the building.",
    "Step-free access and an accessible restroom.",
    "ASL interpretation on request: tell the host a week ahead.",
    "Seating available for everyone who needs it.",
)
SOURCES = ("email", "facebook", "twitter", "group", "finder", "text")

# National pushes members host events under (a fixed list, not scaled): name, slug, type,
# suggested title, first and last day. Events of the type on those days join it (60%).
CAMPAIGNS = (
    ("Summer Kick-off House Parties", "summer-kickoff-house-parties", Type.HOUSE_PARTY.value,
     "Summer kick-off house party", date(2025, 6, 28), date(2025, 6, 29)),
    ("Weekend of Action", "weekend-of-action", Type.CANVASS.value,
     "Weekend of Action canvass", date(2026, 9, 12), date(2026, 9, 13)),
    ("National Voter Registration Day", "national-voter-registration-day",
     Type.VOTER_REGISTRATION.value, "National Voter Registration Day drive",
     date(2026, 9, 22), date(2026, 9, 22)),
    ("Call for Change Week", "call-for-change-week", Type.PHONE_BANK.value,
     "Call for Change phone bank", date(2026, 10, 5), date(2026, 10, 9)),
    ("Get Out the Vote", "get-out-the-vote", Type.CANVASS.value,
     "Get Out the Vote canvass", date(2026, 10, 31), date(2026, 11, 3)),
)  # fmt: skip
CAMPAIGN_SHARE = 0.60

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

CONFIRMED = Attendance.Status.CONFIRMED.value
WAITLISTED = Attendance.Status.WAITLISTED.value
CANCELLED = Attendance.Status.CANCELLED.value
PUBLISHED = Event.Status.PUBLISHED.value
EVENT_CANCELLED = Event.Status.CANCELLED.value


def upcoming_anchor() -> datetime:
    """Midnight UTC of the day of generation: the events step's "now"."""
    today = timezone.now().astimezone(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def _seconds(value: datetime) -> int:
    return int(value.timestamp() - CYCLE_EPOCH)


@dataclass
class _Groups:
    """The generated groups, by id order (= creation order): what group events need."""

    ids: list[int]
    created: list[int]  # seconds, ascending
    names: list[str]
    zips: list[int]  # zip index
    # (seconds joined, user id) of the leader (first) and co-leaders of each group.
    hosts: list[list[tuple[int, int]]]


def _groups_load(ctx: StepContext, pop: Population) -> _Groups:
    result = ctx.results["groups"]
    first, count = result["group_first"], result["groups"]
    index = {z.code: i for i, z in enumerate(pop.zips)}
    rows = (
        Group.objects.filter(pk__gte=first, pk__lt=first + count)
        .order_by("pk")
        .values_list("pk", "created_at", "name", "postal_code")
    )
    groups = _Groups(ids=[], created=[], names=[], zips=[], hosts=[])
    position = {}
    for pk, created, name, code in rows:
        position[pk] = len(groups.ids)
        groups.ids.append(pk)
        groups.created.append(_seconds(created))
        groups.names.append(name)
        groups.zips.append(index.get(code, -1))
        groups.hosts.append([])
    leaders = (
        GroupMembership.objects.filter(
            group_id__gte=first,
            group_id__lt=first + count,
            role__in=(GroupMembership.Role.LEADER, GroupMembership.Role.CO_LEADER),
        )
        .order_by("group_id", "joined_at", "pk")
        .values_list("group_id", "user_id", "joined_at")
    )
    for group_id, user_id, joined in leaders:
        if group_id in position:
            groups.hosts[position[group_id]].append((_seconds(joined), user_id))
    return groups


def _campaigns_ensure() -> list[tuple[int, str, int, int, str]]:
    """The fixed campaigns (reused when their slug exists): (id, type, first and last day as
    ordinals, suggested title)."""
    found = []
    for name, slug, event_type, title, starts_on, ends_on in CAMPAIGNS:
        campaign = EventCampaign.objects.filter(slug=slug).first()
        if campaign is None:
            campaign = EventCampaign(
                name=name,
                slug=slug,
                event_type=event_type,
                template_title=title,
                description=f"{name}: host or join an event near you.",
                template_description=DESCRIPTIONS[event_type],
                starts_on=starts_on,
                ends_on=ends_on,
            )
            campaign.full_clean(exclude=["created_by"])
            campaign.save()
            # Announced a month ahead, as staff would (created_at is auto_now_add).
            announced = datetime(starts_on.year, starts_on.month, starts_on.day, tzinfo=UTC)
            EventCampaign.objects.filter(pk=campaign.pk).update(
                created_at=announced - timedelta(days=30)
            )
        if campaign.starts_on and campaign.ends_on and campaign.event_type:
            found.append(
                (
                    campaign.pk,
                    campaign.event_type,
                    campaign.starts_on.toordinal(),
                    campaign.ends_on.toordinal(),
                    campaign.template_title or campaign.name,
                )
            )
    return found


def events_run(ctx: StepContext) -> dict[str, Any]:
    pop = population(ctx)
    groups = _groups_load(ctx, pop)
    campaigns = _campaigns_ensure()
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
    builder = _EventRows(ctx, pop, groups, campaigns, anchor=anchor, ids=ids)
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


class _EventRows:
    def __init__(
        self,
        ctx: StepContext,
        pop: Population,
        groups: _Groups,
        campaigns: list[tuple[int, str, int, int, str]],
        *,
        anchor: datetime,
        ids: dict[str, int],
    ) -> None:
        self.ctx, self.pop, self.groups, self.campaigns, self.ids = ctx, pop, groups, campaigns, ids
        self.anchor_s = _seconds(anchor)
        self.anchor_day = anchor.date().toordinal()
        self.cycle_first = figures.CYCLE_START.date().toordinal()
        self.cycle_last = figures.ELECTION_DAY.date().toordinal()
        # No event before the first members have signed up and had a couple of days.
        first_joined = pop.member_joined(0)
        self.first_joined = first_joined
        self.cycle_first = max(self.cycle_first, self.cycle_first + int(first_joined // DAY) + 2)
        self.zones: dict[str, ZoneInfo] = {}
        self.shift_next = ids["shift_first"]
        self.attendance_next = ids["attendance_first"]
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
        self.shift_id, self.attendance_id = self.shift_next, self.attendance_next
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
                    _seconds(datetime(local_day.year, local_day.month, local_day.day,
                                      begin // 60, begin % 60, tzinfo=zone)),
                    _seconds(datetime(local_day.year, local_day.month, local_day.day,
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
                    confirmed, waitlisted = self._attendances(
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
        self.shift_next, self.attendance_next = self.shift_id, self.attendance_id
        return {"event": event_rows, "shift": shift_rows, "attendance": attendance_rows}

    def _attendances(
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
            due_before = _seconds(due[REMINDER_DAY_BEFORE])
            due_of = _seconds(due[REMINDER_DAY_OF])
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


STEP = Step(
    name="events",
    models=("events.EventCampaign", "events.Event", "events.Shift", "events.Attendance"),
    per_scale={"events.Event": figures.EVENTS},
    run=events_run,
    requires=("people", "groups"),
)
