"""The groups step: local groups with a leader, members, co-leaders and a discussion board.

- **Where.** Each group is started by a generated member (its leader) in the leader's own ZIP
  code, so groups follow the members' geography (75% around the big metros, see
  geography.py) and the leader lives exactly where the group meets.
- **When.** Groups are created over the cycle with the same acceleration as sign-ups
  (`joined_seconds`); group ids grow with `created_at`. The leader is drawn among the
  members who had signed up by then.
- **Members.** Sizes follow a long tail (`group_size`): most groups have 5 to 30 members, 3%
  have 100 to 3,000. Members come from the group's area (`Population.area_of_zip`: the metro
  for metro ZIPs, else the 3-digit ZIP prefix), or from anywhere when the area is too small.
  That makes about 27 memberships per group, ~0.5 per member at every scale (figures in
  docs/seeding.md). `member_count` equals the membership rows.
- **Board.** 60% of groups with at least 8 members have 1 to 20 posts with a few replies,
  stored as `group_post_create` stores them (sanitized HTML from `post_html`).

`Population` (the ZIP and area of every generated person, read back from the database once
per run) is shared with the events step.
"""

from __future__ import annotations

import bisect
import math
import random
from array import array
from dataclasses import dataclass
from typing import Any

from groundswell.groups.models import Group, GroupMembership, GroupPost
from groundswell.groups.text import post_html
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import Step, StepContext
from groundswell.ops.seeding.geography import Zip, ZipSampler
from groundswell.ops.seeding.names import STREET_KINDS, STREETS, weighted_table
from groundswell.ops.seeding.people import (
    CYCLE_SECONDS,
    joined_seconds,
    member_number,
    member_person_number,
)
from groundswell.people.models import Person

# Groups per chunk (one transaction and random stream each): part of the determinism contract.
GROUP_CHUNK = 1_000
# Group sizes, leader included: 97% log-normal around a median of 14 (most groups 5 to 30),
# 3% "big" groups from a Pareto tail starting at 100, capped at 3,000.
SIZE_MEDIAN = 14
SIZE_SIGMA = 0.75
BIG_SHARE = 0.03
BIG_MIN = 100
BIG_ALPHA = 1.2
SIZE_MAX = 3_000
# An area needs this many members to hold a group of its own; smaller ones draw from everywhere.
AREA_MIN_MEMBERS = 6
CO_LEADER_ONE, CO_LEADER_TWO = 0.35, 0.10
MUTED_SHARE = 0.03
# Groups with a discussion board in use: this share of those with at least ACTIVE_MIN members.
ACTIVE_MIN = 8
ACTIVE_SHARE = 0.60
EDITED_SHARE, REMOVED_SHARE = 0.05, 0.01

FOCUS = weighted_table(
    (
        (Group.Focus.NEIGHBORHOOD.value, 70),
        (Group.Focus.CONSTITUENCY.value, 12),
        (Group.Focus.CAMPUS.value, 10),
        (Group.Focus.ISSUE.value, 8),
    )
)
NAMES = {
    Group.Focus.NEIGHBORHOOD.value: (
        "{place} for Change",
        "{place} Neighbors for Change",
        "Team {place}",
        "Organize {place}",
        "{place} Grassroots",
        "{place} Volunteers",
    ),
    Group.Focus.CONSTITUENCY.value: tuple(
        f"{who} for Change, {{place}}"
        for who in (
            "Veterans",
            "Latinos",
            "Women",
            "Seniors",
            "People of Faith",
            "Labor",
            "LGBTQ+ Voters",
            "Young Professionals",
            "Parents",
            "Asian Americans",
            "Black Voters",
            "Nurses",
        )
    ),
    Group.Focus.CAMPUS.value: (
        "Students for Change at {place} Community College",
        "{place} Campus Organizers",
        "{place} University Students for Change",
    ),
    Group.Focus.ISSUE.value: (
        "{place} Climate Action",
        "Health Care for All: {place}",
        "Fair Wages {place}",
        "{place} Education Advocates",
        "Voting Rights {place}",
    ),
}
DESCRIPTIONS = (
    "Supporters in and around {place}, {state}. We meet once a month, knock doors on "
    "weekends and make calls on weeknights. Everyone is welcome.",
    "A group for neighbors in {place} who want to help. New volunteers get a buddy for "
    "their first canvass.",
    "We register voters, host house parties and get out the vote in {place}, {state}.",
    "Join us! Monthly potluck meetings, weekly phone banks, and a lot of doors.",
    "Organizing {place} one conversation at a time.\n\nQuestions? Post on the board.",
)
MEETING_AREAS = (
    "{place} Public Library",
    "Community center on {street}",
    "Coffee shop near downtown {place}",
    "Union hall, {place}",
    "Online and around {place}",
    "Church basement on {street}",
)
POST_TEXTS = (
    "Welcome, everyone! Introduce yourself and tell us which neighborhood you're in.",
    "Who can help with the canvass this Saturday? We meet at 10 and finish by 1.",
    "Great turnout last night. Thank you all!\n\nNext meeting is the first Tuesday.",
    "Reminder: the phone bank moved to the library's small room.",
    "I can drive two people to the canvass on Sunday. Reply here if you need a ride.",
    "Does anyone have a folding table we could borrow for the registration drive?",
    "We knocked 412 doors this weekend. Keep it up!",
    "New volunteers: the training is short and we pair you with someone experienced.",
    "Can we add a Spanish-language phone bank? I'm happy to lead it.",
    "Photos from the house party are up. So many new faces!",
    "Early voting starts soon. Let's make a plan to check on our neighbors.",
    "Thanks for the warm welcome. First canvass done, already signed up for the next one.",
)
REPLY_TEXTS = (
    "Count me in.",
    "I'll be there!",
    "Thanks for organizing this.",
    "I can bring snacks.",
    "Can't make it this time, next week for sure.",
    "Same here, see you Saturday.",
    "Great idea. I can help.",
    "Sent you a message about the ride.",
)


def group_size(rng: random.Random) -> int:
    """Members of one group (leader included): a long tail over a typical 5-30."""
    if rng.random() < BIG_SHARE:
        size = BIG_MIN / (1.0 - rng.random()) ** (1 / BIG_ALPHA)
    else:
        size = rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA)
    return max(2, min(SIZE_MAX, round(size)))


# --- Who lives where (shared with the events step) ----------------------------------------------


@dataclass
class Population:
    """The generated people's ZIP codes and areas, for drawing people near a place.

    Arithmetic from the people step's layout (person number `j`, member number `k`), plus
    each person's ZIP read back from the database. `*_by_area[a]` hold the person (member)
    numbers living in area `a`, ascending, hence in order of sign-up.
    """

    people: int
    members: int
    person_first: int
    user_first: int
    zips: list[Zip]
    zip_of: array  # zip index per person number (-1: row gone)
    area_of_zip: list[int]
    people_by_area: list[array]
    members_by_area: list[array]

    def person_zip(self, j: int) -> int:
        return self.zip_of[j]

    def member_zip(self, k: int) -> int:
        return self.zip_of[self.member_person(k)]

    def member_person(self, k: int) -> int:
        return member_person_number(k, members=self.members, people=self.people)

    def member_of_person(self, j: int) -> int | None:
        return member_number(j, members=self.members, people=self.people)

    def person_joined(self, j: int) -> float:
        return joined_seconds(j, self.people)

    def member_joined(self, k: int) -> float:
        return joined_seconds(self.member_person(k), self.people)

    def people_before(self, seconds: float) -> int:
        """How many people (person numbers 0..n-1) had signed up before `seconds`."""
        x = seconds / CYCLE_SECONDS
        n = max(0, min(self.people, math.ceil((x + x * x) / 2 * self.people - 0.5)))
        while n > 0 and joined_seconds(n - 1, self.people) >= seconds:
            n -= 1
        while n < self.people and joined_seconds(n, self.people) < seconds:
            n += 1
        return n

    def members_before(self, seconds: float) -> int:
        """How many members (member numbers 0..n-1) had signed up before `seconds`."""
        return self.people_before(seconds) * self.members // self.people

    def draw(
        self, rng: random.Random, pool: array, below: int, count: int, *, local_min: int = 1
    ) -> list[int]:
        """Up to `count` distinct numbers under `below`: from `pool` (an area's ascending
        numbers) when it holds at least max(count, local_min) of them, else from anywhere."""
        local = bisect.bisect_left(pool, below)
        if local >= max(count, local_min):
            return [pool[i] for i in rng.sample(range(local), count)]
        return rng.sample(range(below), min(count, below))


def population_load(ctx: StepContext) -> Population:
    people_result = ctx.results["people"]
    people, members = people_result["people"], people_result["members"]
    person_first = people_result["person_first"]
    sampler: ZipSampler = ctx.shared_get("zips", ZipSampler)
    index = {z.code: i for i, z in enumerate(sampler.zips)}
    # An area: the (largest) metro a ZIP is near, else its 3-digit prefix (~50 miles across).
    area_of_zip = [-1] * len(sampler.zips)
    for metro, nearby in enumerate(sampler.metro_zips):
        for i in nearby:
            if area_of_zip[i] < 0:
                area_of_zip[i] = metro
    prefixes: dict[str, int] = {}
    for i, z in enumerate(sampler.zips):
        if area_of_zip[i] < 0:
            area_of_zip[i] = prefixes.setdefault(
                z.code[:3], len(sampler.metro_zips) + len(prefixes)
            )
    areas = len(sampler.metro_zips) + len(prefixes)

    zip_of = array("i", [-1]) * people
    quote = ctx.connection.ops.quote_name
    table = quote(Person._meta.db_table)
    with ctx.connection.cursor() as cursor:
        # The table name is the model's, quoted; the bounds are parameters.
        cursor.execute(
            f"SELECT {quote('id')}, {quote('postal_code')} FROM {table} "  # noqa: S608
            f"WHERE {quote('id')} >= %s AND {quote('id')} < %s",
            [person_first, person_first + people],
        )
        while rows := cursor.fetchmany(50_000):
            for pk, code in rows:
                zip_of[pk - person_first] = index.get(code, -1)
    people_by_area = [array("l") for _ in range(areas)]
    members_by_area = [array("l") for _ in range(areas)]
    for j in range(people):
        zi = zip_of[j]
        if zi < 0:
            continue
        area = area_of_zip[zi]
        people_by_area[area].append(j)
        k = member_number(j, members=members, people=people)
        if k is not None:
            members_by_area[area].append(k)
    return Population(
        people=people,
        members=members,
        person_first=person_first,
        user_first=people_result["user_first"],
        zips=sampler.zips,
        zip_of=zip_of,
        area_of_zip=area_of_zip,
        people_by_area=people_by_area,
        members_by_area=members_by_area,
    )


def population(ctx: StepContext) -> Population:
    return ctx.shared_get("population", lambda: population_load(ctx))


# --- The step -----------------------------------------------------------------------------------

GROUP_FIELDS = (
    "id",
    "name",
    "description",
    "focus",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "meeting_area",
    "created_by_id",
    "member_count",
    "created_at",
    "updated_at",
    "archived_at",
)
MEMBERSHIP_FIELDS = ("id", "group_id", "user_id", "role", "joined_at", "announcements_muted")
POST_FIELDS = (
    "id",
    "group_id",
    "parent_id",
    "author_id",
    "body",
    "created_at",
    "edited_at",
    "removed_at",
    "removed_by_id",
)


def group_created_seconds(g: int, groups: int) -> float:
    """When group number `g` was started: the sign-ups' accelerating curve."""
    return joined_seconds(g, groups)


def groups_run(ctx: StepContext) -> dict[str, Any]:
    pop = population(ctx)
    groups = ctx.count(figures.GROUPS)
    ids = {
        "group_first": ctx.next_id(Group),
        "membership_first": ctx.next_id(GroupMembership),
        "post_first": ctx.next_id(GroupPost),
    }
    writers = {
        "group": ctx.writer(Group, GROUP_FIELDS),
        "membership": ctx.writer(GroupMembership, MEMBERSHIP_FIELDS),
        "post": ctx.writer(GroupPost, POST_FIELDS),
    }
    builder = _GroupRows(ctx, pop, groups=groups, ids=ids)
    for chunk, start in enumerate(range(0, groups, GROUP_CHUNK)):
        rows = builder.build(chunk, start, min(start + GROUP_CHUNK, groups))
        with ctx.atomic():
            for name, writer in writers.items():
                writer.write(rows[name])
    memberships = writers["membership"].rows_written
    return {
        **ids,
        "groups": groups,
        "memberships": memberships,
        "posts": writers["post"].rows_written,
        "rows": {writer.table: writer.rows_written for writer in writers.values()},
    }


class _GroupRows:
    def __init__(self, ctx: StepContext, pop: Population, *, groups: int, ids: dict[str, int]):
        self.ctx, self.pop, self.groups, self.ids = ctx, pop, groups, ids
        self.membership_next = ids["membership_first"]
        self.post_next = ids["post_first"]
        # Stored as group_post_create stores a typed message.
        self.posts = [post_html(text) for text in POST_TEXTS]
        self.replies = [post_html(text) for text in REPLY_TEXTS]

    def build(self, chunk: int, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
        ctx, pop, rng = self.ctx, self.pop, self.ctx.rng(chunk)
        rand = rng.random
        ts = ctx.timestamp
        group_rows: list[tuple[Any, ...]] = []
        membership_rows: list[tuple[Any, ...]] = []
        post_rows: list[tuple[Any, ...]] = []
        membership_id, post_id = self.membership_next, self.post_next
        user_first = pop.user_first
        first_member_joined = pop.member_joined(0)
        for g in range(start, stop):
            group_id = self.ids["group_first"] + g
            created = group_created_seconds(g, self.groups)
            eligible = pop.members_before(created)
            if eligible == 0:
                created = first_member_joined + 3600
                eligible = max(1, pop.members_before(created))
            leader = int(rand() * eligible)
            zip_index = pop.member_zip(leader)
            where = pop.zips[zip_index] if zip_index >= 0 else pop.zips[0]
            focus = FOCUS[int(rand() * len(FOCUS))]
            names = NAMES[focus]
            place = where.place_name
            name = " ".join(names[int(rand() * len(names))].format(place=place).split())[:120]
            description = ""
            if rand() < 0.8:
                text = DESCRIPTIONS[int(rand() * len(DESCRIPTIONS))]
                description = text.format(place=place, state=where.state)
            meeting_area = ""
            if rand() < 0.5:
                street = f"{STREETS[int(rand() * len(STREETS))]} "
                street += STREET_KINDS[int(rand() * len(STREET_KINDS))]
                text = MEETING_AREAS[int(rand() * len(MEETING_AREAS))]
                meeting_area = " ".join(text.format(place=place, street=street).split())[:200]

            # Members: from the leader's area (or anywhere when it is too small).
            size = group_size(rng)
            pool = pop.members_by_area[pop.area_of_zip[zip_index]] if zip_index >= 0 else array("l")
            if len(pool) >= AREA_MIN_MEMBERS:
                size = min(size, len(pool))
            others = [
                k
                for k in pop.draw(rng, pool, pop.members, size, local_min=AREA_MIN_MEMBERS)
                if k != leader
            ][: size - 1]
            joined = []
            for k in others:
                base = max(created, pop.member_joined(k))
                joined.append((int(base + (CYCLE_SECONDS - base) * rand() ** 1.5), k))
            joined.sort()
            co_leaders = 0
            if len(joined) >= 4:
                roll = rand()
                co_leaders = 2 if roll < CO_LEADER_TWO else 1 if roll < CO_LEADER_ONE else 0
            co_leader_ks = {k for _, k in rng.sample(joined, co_leaders)} if co_leaders else set()
            leader_user = user_first + leader
            created_int = int(created)
            created_text = ts(created_int)
            # (joined seconds, user id) of everyone, the leader first: authors of posts.
            everyone = [(created_int, leader_user)]
            membership_rows.append(
                (membership_id, group_id, leader_user, GroupMembership.Role.LEADER.value,
                 created_text, False)
            )  # fmt: skip
            membership_id += 1
            for when, k in joined:
                role = (
                    GroupMembership.Role.CO_LEADER
                    if k in co_leader_ks
                    else GroupMembership.Role.MEMBER
                )
                membership_rows.append(
                    (membership_id, group_id, user_first + k, role.value, ts(when),
                     rand() < MUTED_SHARE)
                )  # fmt: skip
                membership_id += 1
                everyone.append((when, user_first + k))
            member_count = len(everyone)
            group_rows.append(
                (
                    group_id,
                    name,
                    description,
                    focus,
                    where.code,
                    "US",
                    where.latitude,
                    where.longitude,
                    meeting_area,
                    leader_user,
                    member_count,
                    created_text,
                    created_text,
                    None,
                )
            )

            # The board.
            if member_count >= ACTIVE_MIN and rand() < ACTIVE_SHARE:
                posts = 1 + int(rand() * 5) + min(15, member_count // 50)
                for _ in range(posts):
                    since, author = everyone[int(rand() * member_count)]
                    posted = int(since + (CYCLE_SECONDS - since) * rand())
                    post_rows.append(
                        self._post(rng, post_id, group_id, None, author, leader_user, posted,
                                   self.posts[int(rand() * len(self.posts))])
                    )  # fmt: skip
                    parent_id = post_id
                    post_id += 1
                    replies = int(rand() * rand() * 4)
                    for _ in range(replies):
                        since, author = everyone[int(rand() * member_count)]
                        base = max(posted, since)
                        replied = int(base + (CYCLE_SECONDS - base) * rand() * 0.2)
                        post_rows.append(
                            self._post(rng, post_id, group_id, parent_id, author, leader_user,
                                       replied, self.replies[int(rand() * len(self.replies))])
                        )  # fmt: skip
                        post_id += 1
        self.membership_next, self.post_next = membership_id, post_id
        return {"group": group_rows, "membership": membership_rows, "post": post_rows}

    def _post(
        self,
        rng: random.Random,
        post_id: int,
        group_id: int,
        parent_id: int | None,
        author: int,
        leader: int,
        posted: int,
        body: str,
    ) -> tuple[Any, ...]:
        ts = self.ctx.timestamp
        roll = rng.random()
        edited = removed = removed_by = None
        if roll < REMOVED_SHARE:
            removed, removed_by = ts(posted + int(rng.random() * 172_800)), leader
        elif roll < REMOVED_SHARE + EDITED_SHARE:
            edited = ts(posted + 60 + int(rng.random() * 7_200))
        return (post_id, group_id, parent_id, author, body, ts(posted), edited, removed, removed_by)


STEP = Step(
    name="groups",
    models=("groups.Group", "groups.GroupMembership", "groups.GroupPost"),
    per_scale={"groups.Group": figures.GROUPS},
    run=groups_run,
    requires=("people",),
)
