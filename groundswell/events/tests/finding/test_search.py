"""events_search: the place, the dates, the filters, the order, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from groundswell.events.finding.selectors import (
    LONGEST_LISTED_EVENT,
    event_card,
    events_search,
    places_left,
)
from groundswell.events.models import Event, EventCampaign, EventCoHost
from groundswell.events.testing import (
    HOBOKEN,
    NYC,
    PHILADELPHIA,
    STAMFORD,
    make_event,
    offset,
    soon,
)
from groundswell.geo.near import distance_miles
from groundswell.geo.selectors import postal_code_find
from groundswell.groups.models import Group

ANON = AnonymousUser()


def _titles(queryset) -> list[str]:
    return [event.title for event in queryset]


@pytest.fixture
def zip_10001(db):
    found = postal_code_find(country="US", code="10001")
    assert found is not None
    return found


# --- Place ---------------------------------------------------------------------------------


def test_radius_keeps_events_within_it_and_annotates_the_distance(organizer, zip_10001):
    make_event(organizer, at=NYC, title="Manhattan")
    make_event(organizer, at=HOBOKEN, title="Hoboken")
    make_event(organizer, at=STAMFORD, title="Stamford")
    make_event(organizer, at=PHILADELPHIA, title="Philadelphia")

    near_25 = events_search(viewer=ANON, near=zip_10001, radius_miles=25, order="distance")
    assert _titles(near_25) == ["Manhattan", "Hoboken"]
    hoboken = near_25[1]
    expected = distance_miles(zip_10001.latitude, zip_10001.longitude, *HOBOKEN)
    assert hoboken.distance_miles == pytest.approx(expected, rel=1e-9)
    assert 1.5 < hoboken.distance_miles < 2.5

    near_50 = events_search(viewer=ANON, near=zip_10001, radius_miles=50, order="distance")
    assert _titles(near_50) == ["Manhattan", "Hoboken", "Stamford"]
    near_100 = events_search(viewer=ANON, near=NYC, radius_miles=100, order="distance")
    assert _titles(near_100) == ["Manhattan", "Hoboken", "Stamford", "Philadelphia"]


def test_the_circle_not_the_box_decides(organizer):
    """Points just inside/outside the radius due north and east, and one in the box's
    corner (inside the bounding box, outside the circle)."""
    radius = 25.0
    make_event(organizer, at=offset(NYC, miles=radius - 0.05, bearing=0), title="north in")
    make_event(organizer, at=offset(NYC, miles=radius + 0.05, bearing=0), title="north out")
    make_event(organizer, at=offset(NYC, miles=radius - 0.05, bearing=90), title="east in")
    make_event(organizer, at=offset(NYC, miles=radius + 0.05, bearing=90), title="east out")
    make_event(organizer, at=offset(NYC, miles=radius * 1.3, bearing=45), title="corner")

    found = events_search(viewer=ANON, near=NYC, radius_miles=radius)
    assert sorted(_titles(found)) == ["east in", "north in"]
    assert all(event.distance_miles <= radius for event in found)


def test_search_across_the_antimeridian(organizer):
    fiji = (-17.8, 179.95)
    make_event(organizer, at=(-17.8, -179.95), title="just across", time_zone="Pacific/Fiji")
    make_event(organizer, at=(-17.8, 179.0), title="west, too far", time_zone="Pacific/Fiji")
    found = events_search(viewer=ANON, near=fiji, radius_miles=25)
    assert _titles(found) == ["just across"]
    assert found[0].distance_miles == pytest.approx(distance_miles(*fiji, -17.8, -179.95), rel=1e-9)


def test_without_a_place_every_in_person_event_is_listed_without_distance(organizer):
    make_event(organizer, at=NYC, title="Manhattan")
    make_event(organizer, at=PHILADELPHIA, title="Philadelphia", starts_at=soon(1))
    found = events_search(viewer=ANON, order="distance")
    # Distance order needs a place: date order instead.
    assert _titles(found) == ["Philadelphia", "Manhattan"]
    assert all(event.distance_miles is None for event in found)


# --- Online events -------------------------------------------------------------------------


def test_online_events_are_left_out_unless_asked_for(organizer):
    make_event(organizer, at=NYC, title="Manhattan", starts_at=soon(2))
    make_event(organizer, at=None, title="Online phone bank", starts_at=soon(1))
    make_event(organizer, at=PHILADELPHIA, title="Philadelphia", starts_at=soon(3))

    assert _titles(events_search(viewer=ANON)) == ["Manhattan", "Philadelphia"]
    assert _titles(events_search(viewer=ANON, near=NYC)) == ["Manhattan"]
    assert _titles(events_search(viewer=ANON, include_virtual=True)) == [
        "Online phone bank",
        "Manhattan",
        "Philadelphia",
    ]
    # Near a place: the nearby in-person events and every online one, online ones last by
    # distance (they have none).
    by_date = events_search(viewer=ANON, near=NYC, include_virtual=True)
    assert _titles(by_date) == ["Online phone bank", "Manhattan"]
    by_distance = events_search(viewer=ANON, near=NYC, include_virtual=True, order="distance")
    assert _titles(by_distance) == ["Manhattan", "Online phone bank"]
    assert by_distance[1].distance_miles is None


def test_an_online_event_with_coordinates_is_not_an_in_person_event(organizer):
    make_event(organizer, at=NYC, title="Online but geocoded", is_virtual=True)
    assert _titles(events_search(viewer=ANON, near=NYC)) == []
    found = events_search(viewer=ANON, near=NYC, include_virtual=True)
    assert _titles(found) == ["Online but geocoded"]
    assert found[0].distance_miles is None


# --- Dates ---------------------------------------------------------------------------------


def test_past_events_are_left_out_by_default(organizer):
    now = timezone.now()
    make_event(organizer, title="ended", starts_at=now - timedelta(hours=3))
    make_event(organizer, title="under way", starts_at=now - timedelta(hours=1))
    make_event(organizer, title="upcoming", starts_at=now + timedelta(hours=1))
    assert _titles(events_search(viewer=ANON, now=now)) == ["under way", "upcoming"]
    assert _titles(events_search(viewer=ANON, include_past=True, now=now)) == [
        "ended",
        "under way",
        "upcoming",
    ]


def test_a_long_event_is_listed_for_its_first_fortnight(organizer):
    """The index-friendly lower bound on starts_at (the hosting form refuses longer events)."""
    now = timezone.now()
    make_event(
        organizer,
        title="long",
        starts_at=now - LONGEST_LISTED_EVENT + timedelta(hours=1),
        duration=LONGEST_LISTED_EVENT,
    )
    assert _titles(events_search(viewer=ANON, now=now)) == ["long"]
    later = now + timedelta(hours=2)
    assert _titles(events_search(viewer=ANON, now=later)) == []


def test_date_window_bounds_the_start(organizer):
    base = soon(5, hour=12)
    for day in range(4):
        make_event(organizer, title=f"day {day}", starts_at=base + timedelta(days=day))
    found = events_search(
        viewer=ANON, starts_after=base + timedelta(days=1), starts_before=base + timedelta(days=3)
    )
    # starts_after is inclusive, starts_before exclusive.
    assert _titles(found) == ["day 1", "day 2"]


def test_a_window_reaching_into_the_past_still_hides_ended_events(organizer):
    now = timezone.now()
    make_event(organizer, title="ended", starts_at=now - timedelta(days=2))
    make_event(organizer, title="upcoming", starts_at=now + timedelta(days=2))
    found = events_search(viewer=ANON, starts_after=now - timedelta(days=10), now=now)
    assert _titles(found) == ["upcoming"]


# --- Filters -------------------------------------------------------------------------------


def test_type_text_campaign_and_group_filters(organizer):
    campaign = EventCampaign.objects.create(name="Weekend of Action", slug="weekend")
    group = Group.objects.create(name="Chelsea for Change", focus="neighborhood")
    make_event(organizer, title="Door knocking", event_type=Event.Type.CANVASS, campaign=campaign)
    make_event(
        organizer,
        title="Calls for change",
        event_type=Event.Type.PHONE_BANK,
        description="Bring your PHONE and charger",
        group=group,
    )
    make_event(organizer, title="Backyard party", event_type=Event.Type.HOUSE_PARTY)

    assert _titles(events_search(viewer=ANON, event_type="phone_bank")) == ["Calls for change"]
    assert _titles(events_search(viewer=ANON, text="phone charger")) == ["Calls for change"]
    assert _titles(events_search(viewer=ANON, text="BACKYARD")) == ["Backyard party"]
    assert _titles(events_search(viewer=ANON, text="phone party")) == []
    assert _titles(events_search(viewer=ANON, text="chelsea")) == [
        "Door knocking",
        "Calls for change",
        "Backyard party",
    ]  # the venue
    assert _titles(events_search(viewer=ANON, campaign=campaign)) == ["Door knocking"]
    assert _titles(events_search(viewer=ANON, campaign=campaign.pk)) == ["Door knocking"]
    assert _titles(events_search(viewer=ANON, group=group.pk)) == ["Calls for change"]


def test_text_search_does_not_read_a_hidden_venue_or_street(organizer):
    make_event(
        organizer,
        title="House party",
        hide_address=True,
        venue_name="Zanzibar Lounge",
        address_line="12 Secret Lane",
    )
    make_event(organizer, title="Open mic", venue_name="Zanzibar Hall")
    assert _titles(events_search(viewer=ANON, text="Zanzib")) == ["Open mic"]
    assert _titles(events_search(viewer=ANON, text="Secret")) == []
    assert _titles(events_search(viewer=organizer, text="Zanzib")) == ["Open mic"]
    assert _titles(events_search(viewer=ANON, text="house")) == ["House party"]


def test_date_order_breaks_ties_by_id_and_distance_order_by_date(organizer):
    start = soon(4)
    far_early = make_event(organizer, at=STAMFORD, title="far early", starts_at=start)
    near_late = make_event(organizer, at=NYC, title="near late", starts_at=start + timedelta(1))
    near_early = make_event(organizer, at=NYC, title="near early", starts_at=start)
    assert list(events_search(viewer=ANON, near=NYC, radius_miles=50)) == [
        far_early,
        near_early,
        near_late,
    ]
    assert list(events_search(viewer=ANON, near=NYC, radius_miles=50, order="distance")) == [
        near_early,
        near_late,
        far_early,
    ]
    assert list(events_search(viewer=ANON, order="id")) == [far_early, near_late, near_early]


# --- Who sees what -------------------------------------------------------------------------


@pytest.fixture
def statuses(member, organizer):
    """One event in each status, hosted by `member` (a volunteer host)."""
    events = {}
    for index, status in enumerate(Event.Status.values):
        events[status] = make_event(member, title=status, status=status, starts_at=soon(2 + index))
    return events


def test_the_public_sees_published_events_only(statuses, other_member):
    for viewer in (ANON, other_member):
        assert _titles(events_search(viewer=viewer, near=NYC)) == ["published"]


def test_the_host_and_cohosts_also_find_their_own_events_waiting_for_approval(
    statuses, member, other_member
):
    assert _titles(events_search(viewer=member, near=NYC)) == [
        "pending",
        "published",
        "rejected",
    ]
    EventCoHost.objects.create(event=statuses["pending"], user=other_member)
    assert _titles(events_search(viewer=other_member, near=NYC)) == ["pending", "published"]


def test_staff_find_published_events_and_use_the_approval_queue_for_the_rest(statuses, hq):
    assert _titles(events_search(viewer=hq, near=NYC)) == ["published"]
    # The staff API lists everything the policy lets them see.
    assert sorted(_titles(events_search(viewer=hq, include_unlisted=True))) == sorted(
        Event.Status.values
    )


def test_include_unlisted_still_follows_the_policy(statuses, member, other_member):
    assert _titles(events_search(viewer=other_member, include_unlisted=True)) == [
        "published",
        "cancelled",
    ]
    assert _titles(events_search(viewer=ANON, include_unlisted=True)) == [
        "published",
        "cancelled",
    ]


# --- Card figures --------------------------------------------------------------------------


def test_card_figures_come_from_the_upcoming_shifts(organizer):
    now = timezone.now()
    limited = make_event(
        organizer,
        title="limited",
        starts_at=now - timedelta(hours=1),
        duration=timedelta(hours=2),
        shifts=3,
        capacity=10,
        confirmed=4,
    )
    full = make_event(organizer, title="full", capacity=5, confirmed=5)
    unlimited = make_event(organizer, title="unlimited", capacity=None)

    found = {event.title: event for event in events_search(viewer=ANON, now=now)}
    card = event_card(found["limited"], now=now)
    # All three shifts are upcoming (the first is under way): 3 x (10 - 4) places.
    assert card.places_left == 18 and not card.is_full
    assert card.upcoming_shifts == 3
    assert card.next_shift is not None and card.next_shift.event_id == limited.pk
    assert (card.total_confirmed, card.total_capacity) == (12, 30)
    later = now + timedelta(hours=3)  # the first two shifts are over
    assert event_card(found["limited"], now=later).places_left == 6
    assert event_card(found["limited"], now=later).upcoming_shifts == 1

    assert places_left(found["full"], now=now) == 0
    assert event_card(found["full"], now=now).is_full
    assert places_left(found["unlimited"], now=now) is None
    assert event_card(found["unlimited"], now=now).total_capacity is None
    assert {full.pk, unlimited.pk} <= set(found[name].pk for name in found)


def test_a_page_of_results_takes_a_fixed_number_of_queries(organizer, django_assert_num_queries):
    group = Group.objects.create(name="Neighbors", focus="neighborhood")
    for index in range(30):
        make_event(
            organizer,
            at=offset(NYC, miles=index * 0.5, bearing=index * 37),
            title=f"event {index}",
            group=group if index % 2 else None,
            shifts=1 + index % 3,
            capacity=10,
        )
    queryset = events_search(viewer=ANON, near=NYC, radius_miles=25)
    # The count, the page (with its groups) and the page's shifts.
    with django_assert_num_queries(3):
        assert queryset.count() == 30
        page = list(queryset[:20])
        cards = [event_card(event) for event in page]
        names = [event.group.name if event.group else "" for event in page]
    assert len(cards) == 20 and "Neighbors" in names
