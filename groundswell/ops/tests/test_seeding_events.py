"""`groundswell seed --scale`: the generated groups and events are valid, shaped like a
campaign's, deterministic, and the product's pages work over them."""

from __future__ import annotations

import statistics
import zoneinfo
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, F, Q
from django.urls import reverse

from groundswell.accounts.models import User
from groundswell.accounts.services import time_zones_available
from groundswell.events.finding.selectors import events_search
from groundswell.events.hosting.services.validation import ShiftSpec, _validate_and_build
from groundswell.events.models import Attendance, Event, EventCampaign, Shift
from groundswell.geo.selectors import postal_code_find
from groundswell.groups.models import Group, GroupMembership, GroupPost
from groundswell.groups.text import post_html, post_text
from groundswell.ops.models import SeedRun
from groundswell.ops.seeding import events as events_step
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.events.inputs import CAMPAIGNS
from groundswell.ops.seeding.runner import seed_generate
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

Role = GroupMembership.Role


def _generate(scale: float, seed: int = 2008):
    return seed_generate(scale=scale, seed=seed)


def _sample(queryset, size: int = 40):
    """Rows spread over the whole id range (first, last and evenly in between)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // size)
    return list(queryset.filter(pk__in=[*ids[::step], ids[-1]]).order_by("pk"))


def _anchor(run: SeedRun) -> datetime:
    return datetime.fromisoformat(run.steps["events"]["upcoming_from"])


def _shift_counters_wrong():
    """Shifts whose counters disagree with their attendances, or that are over capacity."""
    confirmed = Count("attendances", filter=Q(attendances__status=Attendance.Status.CONFIRMED))
    waitlisted = Count("attendances", filter=Q(attendances__status=Attendance.Status.WAITLISTED))
    shifts = Shift.objects.annotate(confirmed=confirmed, waitlisted=waitlisted)
    return shifts.filter(
        ~Q(confirmed_count=F("confirmed"))
        | ~Q(waitlist_count=F("waitlisted"))
        | Q(capacity__isnull=False, confirmed_count__gt=F("capacity"))
        # A waitlist only forms once the shift is full.
        | Q(waitlist_count__gt=0, capacity__isnull=True)
        | Q(waitlist_count__gt=0, confirmed_count__lt=F("capacity"))
    )


def test_groups_and_events_follow_the_figures_and_a_campaigns_shape():
    outcome = _generate(0.005)
    run = outcome.run
    assert outcome.ran == ["people", "tags", "groups", "events"]
    groups, events = round(figures.GROUPS * 0.005), round(figures.EVENTS * 0.005)
    assert (Group.objects.count(), Event.objects.count()) == (groups, events) == (175, 1000)
    assert run.counts["groups_group"] == groups
    assert run.counts["groups_groupmembership"] == GroupMembership.objects.count()
    assert run.counts["events_event"] == events
    assert run.counts["events_shift"] == Shift.objects.count()
    assert run.counts["events_attendance"] == Attendance.objects.count()

    # Groups: a long tail of sizes, mostly neighborhood groups.
    sizes = sorted(Group.objects.values_list("member_count", flat=True))
    assert 8 <= statistics.median(sizes) <= 20
    assert sum(5 <= s <= 30 for s in sizes) > 0.65 * groups
    assert sizes[-1] >= 60
    focus = Counter(Group.objects.values_list("focus", flat=True))
    assert focus.most_common(1)[0][0] == Group.Focus.NEIGHBORHOOD
    assert focus[Group.Focus.NEIGHBORHOOD] > 0.55 * groups
    assert GroupPost.objects.filter(parent__isnull=True).exists()
    assert GroupPost.objects.filter(parent__isnull=False).exists()

    # Events: the type mix, statuses, official/online/group shares.
    types = Counter(Event.objects.values_list("event_type", flat=True))
    assert {t for t, _ in types.most_common(2)} == {"canvass", "phone_bank"}
    assert set(types) == set(Event.Type.values)
    statuses = Counter(Event.objects.values_list("status", flat=True))
    assert 0.85 * events < statuses["published"] < 0.95 * events
    assert statuses["pending"] and statuses["cancelled"]
    assert 0.02 * events < Event.objects.filter(is_official=True).count() < 0.09 * events
    assert 0.06 * events < Event.objects.filter(is_virtual=True).count() < 0.15 * events
    assert 0.22 * events < Event.objects.filter(group__isnull=False).count() < 0.38 * events
    # A handful of national campaigns; events of their type on their days join them.
    assert EventCampaign.objects.count() == len(CAMPAIGNS)
    for event in Event.objects.filter(campaign__isnull=False).select_related("campaign"):
        assert event.event_type == event.campaign.event_type

    # When: in the cycle with more towards election day, on weekends, 10:00-19:00 local;
    # ~15% in the 60 days after the generation day.
    anchor = _anchor(run)
    # Midnight UTC of the day of generation.
    assert (anchor.hour, anchor.minute, anchor.second) == (0, 0, 0)
    assert timedelta(0) <= datetime.now(UTC) - anchor < timedelta(days=1, minutes=5)
    upcoming = Event.objects.filter(starts_at__gt=anchor, starts_at__lt=anchor + timedelta(days=60))
    assert 0.11 * events < upcoming.count() < 0.20 * events
    assert run.steps["events"]["upcoming"] >= upcoming.count()
    in_cycle = Event.objects.filter(starts_at__lt=figures.ELECTION_DAY + timedelta(days=1))
    assert in_cycle.count() >= 0.78 * events
    midpoint = figures.CYCLE_START + (figures.ELECTION_DAY - figures.CYCLE_START) / 2
    assert (
        in_cycle.filter(starts_at__gte=midpoint).count()
        > 2 * in_cycle.filter(starts_at__lt=midpoint).count()
    )
    local = [
        start.astimezone(zoneinfo.ZoneInfo(zone))
        for start, zone in Event.objects.values_list("starts_at", "time_zone")
    ]
    assert all(10 <= t.hour < 19 or (t.hour, t.minute) == (19, 0) for t in local)
    assert sum(t.weekday() >= 5 for t in local) > 0.5 * events

    # Shifts and RSVPs.
    multi = Event.objects.annotate(n=Count("shifts")).filter(n__gt=1).count()
    assert 0.05 * events < multi < 0.15 * events
    shifts = Shift.objects.count()
    assert 0.33 * shifts < Shift.objects.filter(capacity__isnull=True).count() < 0.47 * shifts
    capacities = Shift.objects.filter(capacity__isnull=False).values_list("capacity", flat=True)
    assert all(10 <= c <= 100 for c in capacities)
    attendances = Attendance.objects.count()
    assert 6 * events < attendances < 11 * events
    per_event = sorted(Event.objects.annotate(n=Count("attendances")).values_list("n", flat=True))
    assert per_event[len(per_event) // 2] < attendances / events  # a long tail
    assert per_event[-1] > 40
    assert Attendance.objects.filter(status=Attendance.Status.WAITLISTED).exists()
    referred = Attendance.objects.filter(referred_by__isnull=False).count()
    assert 0.06 * attendances < referred < 0.14 * attendances
    past = Attendance.objects.filter(
        status=Attendance.Status.CONFIRMED,
        shift__starts_at__lt=anchor,
        event__status=Event.Status.PUBLISHED,
    )
    came = past.filter(attended=True).count()
    assert 0.62 * past.count() < came < 0.78 * past.count()
    assert past.filter(reminder_day_before_sent_at__isnull=False).count() > 0.5 * past.count()
    # Nothing was sent or marked for events still to come.
    future = Attendance.objects.filter(shift__starts_at__gt=anchor + timedelta(days=2))
    assert future.exists()
    assert not future.filter(
        Q(reminder_day_before_sent_at__isnull=False)
        | Q(reminder_day_of_sent_at__isnull=False)
        | Q(attended__isnull=False)
    ).exists()


def test_generated_groups_and_events_pass_the_products_validation(hq):
    outcome = _generate(0.002)
    anchor = _anchor(outcome.run)
    zones = time_zones_available()

    # Counters that must equal rows, for every group and shift (not a sample).
    wrong_counts = Group.objects.annotate(n=Count("memberships")).exclude(member_count=F("n"))
    assert not wrong_counts.exists()
    leaders = Counter(
        GroupMembership.objects.filter(role=Role.LEADER).values_list("group_id", flat=True)
    )
    assert set(leaders) == set(Group.objects.values_list("pk", flat=True))
    assert set(leaders.values()) == {1}
    assert not _shift_counters_wrong().exists()
    assert not Event.objects.filter(ends_at__lte=F("starts_at")).exists()
    assert not Shift.objects.filter(ends_at__lte=F("starts_at")).exists()
    # Nothing created after the generation day.
    assert not Event.objects.filter(created_at__gt=anchor).exists()
    assert not Attendance.objects.filter(created_at__gt=anchor).exists()

    for group in _sample(Group.objects.select_related("created_by__profile")):
        group.full_clean()
        found = postal_code_find(country="US", code=group.postal_code)
        assert found is not None
        assert (group.latitude, group.longitude) == (found.latitude, found.longitude)
        leader = group.memberships.get(role=Role.LEADER)
        assert leader.user_id == group.created_by_id
        assert leader.joined_at == group.created_at
        # The leader lives where the group meets.
        assert group.created_by.profile.postal_code == group.postal_code
        assert group.created_by.date_joined <= group.created_at
    for membership in _sample(GroupMembership.objects.select_related("group", "user")):
        membership.full_clean()
        assert membership.joined_at >= membership.group.created_at
        assert membership.joined_at >= membership.user.date_joined
    for post in _sample(GroupPost.objects.select_related("parent")):
        post.full_clean()
        # Stored exactly as group_post_create stores the text a member typed.
        assert post_html(post_text(post.body)) == post.body
        assert GroupMembership.objects.filter(group=post.group_id, user=post.author_id).exists()
        if post.parent is not None:
            assert post.parent.parent_id is None
            assert post.parent.group_id == post.group_id
            assert post.created_at >= post.parent.created_at
    for campaign in EventCampaign.objects.all():
        campaign.full_clean(exclude=["created_by"])  # staff made it; none generated

    events = Event.objects.select_related("host__profile", "group", "campaign")
    for event in _sample(events, size=60):
        event.full_clean()
        assert event.time_zone in zones
        shifts = list(event.shifts.order_by("starts_at"))
        assert (event.starts_at, event.ends_at) == (shifts[0].starts_at, shifts[-1].ends_at)
        local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
        assert (10, 0) <= (local.hour, local.minute) <= (19, 0)
        if len(shifts) == 1:
            assert timedelta(hours=2) <= event.ends_at - event.starts_at <= timedelta(hours=3)
        assert event.host.is_active and event.host.date_joined <= event.created_at
        assert event.created_at < event.starts_at
        if event.approved_at is not None:
            assert event.created_at <= event.approved_at <= anchor
        if event.status == Event.Status.CANCELLED:
            assert event.cancelled_at is not None and event.cancelled_at <= event.starts_at
        if event.is_virtual:
            assert event.virtual_url.startswith("https://meet.example.org/")
            assert not event.postal_code and event.latitude is None
            assert event.time_zone == event.host.profile.time_zone or event.group_id
        else:
            found = postal_code_find(country="US", code=event.postal_code)
            assert found is not None and found.time_zone == event.time_zone
            if event.group is not None:
                assert event.postal_code == event.group.postal_code
            else:
                assert event.postal_code == event.host.profile.postal_code
        if event.group is not None:
            membership = event.group.memberships.get(user=event.host_id)
            assert membership.role in (Role.LEADER, Role.CO_LEADER)
            assert membership.joined_at <= event.created_at
        # The hosting form's own checks, as of when the event was created: no errors, and
        # the same place it would have geocoded.
        check = Event(
            host=event.host,
            title=event.title,
            event_type=event.event_type,
            description=event.description,
            venue_name=event.venue_name,
            address_line=event.address_line,
            postal_code=event.postal_code,
            is_virtual=event.is_virtual,
            virtual_url=event.virtual_url,
            accessibility_notes=event.accessibility_notes,
            group=event.group,
            campaign=event.campaign,
            is_official=event.is_official,
        )
        errors, _built = _validate_and_build(
            event=check,
            host=event.host,
            actor=hq if event.is_official else event.host,
            shifts=[ShiftSpec(s.starts_at, s.ends_at, s.capacity) for s in shifts],
            changed_shift_keys=None,
            time_zone="",
            now=event.created_at,
        )
        assert errors == {}, (event.pk, errors)
        assert (check.time_zone, check.title) == (event.time_zone, event.title)
        assert (check.locality, check.region) == (event.locality, event.region)
        assert (check.latitude, check.longitude) == (event.latitude, event.longitude)
    for shift in _sample(Shift.objects.all()):
        shift.full_clean()
    attendances = Attendance.objects.select_related("event", "shift", "person", "user")
    for attendance in _sample(attendances, size=80):
        attendance.full_clean()
        assert attendance.shift.event_id == attendance.event_id
        assert attendance.event.status in (Event.Status.PUBLISHED, Event.Status.CANCELLED)
        assert attendance.person.created_at <= attendance.created_at < attendance.shift.starts_at
        if attendance.user is not None:
            assert attendance.user.person_id == attendance.person_id
        assert attendance.referred_by_id != attendance.person_id
        status = attendance.status
        assert (attendance.confirmed_at is not None) == (status != Attendance.Status.WAITLISTED)
        assert (attendance.waitlisted_at is not None) == (status == Attendance.Status.WAITLISTED)
        assert (attendance.cancelled_at is not None) == (status == Attendance.Status.CANCELLED)
        if attendance.attended is not None:
            assert status == Attendance.Status.CONFIRMED
            assert attendance.shift.starts_at <= anchor
        if attendance.attended:
            assert attendance.checked_in_at >= attendance.shift.starts_at
        for sent in (attendance.reminder_day_before_sent_at, attendance.reminder_day_of_sent_at):
            if sent is not None:
                assert attendance.created_at <= sent <= min(anchor, attendance.shift.starts_at)
    # Persons and people the rows point at are the generated ones.
    people = outcome.run.steps["people"]
    last_person = people["person_first"] + people["people"]
    assert not Attendance.objects.filter(person_id__gte=last_person).exists()
    assert Person.objects.filter(attendances__isnull=False, user__isnull=True).exists()


def test_the_capacity_check_can_fail():
    """The invariant query above catches a shift whose counters drifted."""
    _generate(0.0005)
    assert not _shift_counters_wrong().exists()
    shift = Shift.objects.filter(confirmed_count__gt=0).order_by("pk").first()
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
    assert list(_shift_counters_wrong()) == [shift]


def test_groups_and_events_are_deterministic_and_the_window_follows_the_day(monkeypatch):
    def snapshot():
        groups = Group.objects.order_by("pk").values_list(
            "name", "postal_code", "created_by_id", "member_count", "created_at"
        )
        events = Event.objects.order_by("pk").values_list(
            "title", "host_id", "group_id", "status", "starts_at", "postal_code"
        )
        attendances = Attendance.objects.order_by("pk").values_list(
            "shift_id", "person_id", "status", "created_at"
        )
        return list(groups), list(events), list(attendances)

    def wipe():
        Event.objects.all().delete()
        EventCampaign.objects.all().delete()
        Group.objects.all().delete()
        User.objects.all().delete()
        Person.objects.all().delete()
        SeedRun.objects.all().delete()

    day = datetime(2027, 3, 1, tzinfo=UTC)
    monkeypatch.setattr(events_step, "upcoming_anchor", lambda: day)
    _generate(0.001, seed=7)
    first = snapshot()
    assert len(first[1]) == 200
    upcoming = Event.objects.filter(starts_at__gt=day, starts_at__lt=day + timedelta(days=60))
    assert 15 < upcoming.count() < 50
    wipe()
    _generate(0.001, seed=7)
    assert snapshot() == first
    wipe()
    _generate(0.001, seed=8)
    other = snapshot()
    assert other[0] != first[0] and other[1] != first[1]


def test_pages_and_selectors_work_over_generated_groups_and_events(client):
    outcome = _generate(0.002)
    anchor = _anchor(outcome.run)
    group = Group.objects.order_by("-member_count", "pk").first()
    response = client.get(reverse("groups:detail", args=[group.pk]))
    assert response.status_code == 200
    assert group.name in response.content.decode()
    members = client.get(reverse("groups:members", args=[group.pk]))
    assert members.status_code in (200, 302)

    event = (
        Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=anchor, is_virtual=False)
        .order_by("pk")
        .first()
    )
    response = client.get(reverse("event_detail", args=[event.pk]))
    assert response.status_code == 200
    assert event.title in response.content.decode()
    # The finder near an upcoming event's ZIP lists events in the next 60 days.
    near = postal_code_find(country="US", code=event.postal_code)
    found = events_search(
        viewer=None, near=near, radius_miles=25, starts_before=anchor + timedelta(days=60)
    )
    assert event in list(found[:200])
    response = client.get(reverse("event_finder"), {"near": event.postal_code, "radius": 25})
    assert response.status_code == 200
