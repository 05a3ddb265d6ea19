"""What the events step starts from: the generated groups (hosts, ZIPs) and the fixed
campaigns, created once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from groundswell.events.models import EventCampaign
from groundswell.groups.models import Group, GroupMembership
from groundswell.ops.seeding.base import StepContext
from groundswell.ops.seeding.events.tables import DESCRIPTIONS, Type, seconds
from groundswell.ops.seeding.groups import Population

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


@dataclass
class Groups:
    """The generated groups, by id order (= creation order): what group events need."""

    ids: list[int]
    created: list[int]  # seconds, ascending
    names: list[str]
    zips: list[int]  # zip index
    # (seconds joined, user id) of the leader (first) and co-leaders of each group.
    hosts: list[list[tuple[int, int]]]


def groups_load(ctx: StepContext, pop: Population) -> Groups:
    result = ctx.results["groups"]
    first, count = result["group_first"], result["groups"]
    index = {z.code: i for i, z in enumerate(pop.zips)}
    rows = (
        Group.objects.filter(pk__gte=first, pk__lt=first + count)
        .order_by("pk")
        .values_list("pk", "created_at", "name", "postal_code")
    )
    groups = Groups(ids=[], created=[], names=[], zips=[], hosts=[])
    position = {}
    for pk, created, name, code in rows:
        position[pk] = len(groups.ids)
        groups.ids.append(pk)
        groups.created.append(seconds(created))
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
            groups.hosts[position[group_id]].append((seconds(joined), user_id))
    return groups


def campaigns_ensure() -> list[tuple[int, str, int, int, str]]:
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
