"""The public event finder at /events/: the shareable query string, the list, the errors."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from groundswell.accounts.models import Profile
from groundswell.events.models import Event
from groundswell.events.testing import (
    HOBOKEN,
    NYC,
    PHILADELPHIA,
    STAMFORD,
    make_event,
    offset,
    soon,
)
from groundswell.groups.models import Group

FINDER = "/events/"


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _result_titles(response) -> list[str]:
    html = _html(response)
    results = html.split('id="event-results"', 1)
    if len(results) == 1:
        return []
    return re.findall(r'id="event-\d+-title"><a href="/events/\d+/">([^<]+)</a>', results[1])


@pytest.fixture
def nearby(organizer):
    return {
        "manhattan": make_event(organizer, at=NYC, title="Manhattan canvass", starts_at=soon(3)),
        "hoboken": make_event(
            organizer,
            at=HOBOKEN,
            title="Hoboken phone bank",
            event_type=Event.Type.PHONE_BANK,
            starts_at=soon(2),
            locality="Hoboken",
            region="NJ",
            capacity=8,
            confirmed=3,
        ),
        "stamford": make_event(organizer, at=STAMFORD, title="Stamford rally", starts_at=soon(1)),
        "philadelphia": make_event(organizer, at=PHILADELPHIA, title="Philly meeting"),
    }


# --- Authorization: who sees what ----------------------------------------------------------


@pytest.fixture
def hidden(member):
    """A member's own event waiting for approval, and events nobody should find."""
    return {
        "pending": make_event(member, title="Waiting house party", status=Event.Status.PENDING),
        "rejected": make_event(member, title="Rejected house party", status=Event.Status.REJECTED),
        "cancelled": make_event(member, title="Cancelled rally", status=Event.Status.CANCELLED),
    }


@pytest.mark.parametrize("persona", ["anonymous", "other_member", "organizer", "hq"])
def test_everyone_finds_published_events_only(request, client, nearby, hidden, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    titles = _result_titles(client.get(FINDER, {"near": "10001", "radius": 50}))
    assert titles == ["Stamford rally", "Hoboken phone bank", "Manhattan canvass"]


def test_the_host_also_finds_their_events_waiting_for_approval(member_client, nearby, hidden):
    response = member_client.get(FINDER, {"near": "10001", "radius": 5})
    assert _result_titles(response) == [
        "Hoboken phone bank",
        "Manhattan canvass",
        "Waiting house party",
        "Rejected house party",
    ]
    html = response.content.decode()
    assert "Waiting for approval" in html and "Not approved" in html
    assert "Cancelled rally" not in html


def test_only_get_and_head_are_allowed(client, db):
    assert client.post(FINDER).status_code == 405
    assert client.head(FINDER).status_code == 200


# --- The shareable URL ---------------------------------------------------------------------


def test_near_and_radius_in_the_url(client, nearby):
    response = client.get(FINDER, {"near": "10001", "radius": 25})
    assert _result_titles(response) == ["Hoboken phone bank", "Manhattan canvass"]
    html = response.content.decode()
    assert "2 events within 25 miles of 10001 (New York, NY), soonest first" in html
    assert 'value="10001"' in html


def test_any_radius_from_a_shared_url_is_kept(client, nearby):
    response = client.get(FINDER, {"near": "10001", "radius": 40})
    assert _result_titles(response) == [
        "Stamford rally",
        "Hoboken phone bank",
        "Manhattan canvass",
    ]
    assert '<option value="40" selected>40 miles</option>' in response.content.decode()


def test_sort_by_distance_shows_the_distance(client, nearby):
    response = client.get(FINDER, {"near": "10001", "radius": 50, "sort": "distance"})
    assert _result_titles(response) == [
        "Manhattan canvass",
        "Hoboken phone bank",
        "Stamford rally",
    ]
    html = response.content.decode()
    assert "nearest first" in html
    assert re.search(r"1\.\d miles away", html)  # Hoboken


def test_type_and_text_filters(client, nearby):
    assert _result_titles(client.get(FINDER, {"near": "10001", "type": "phone_bank"})) == [
        "Hoboken phone bank"
    ]
    assert _result_titles(client.get(FINDER, {"near": "10001", "q": "MANHATTAN"})) == [
        "Manhattan canvass"
    ]


def test_dates_are_days_in_the_searched_place(client, organizer):
    zone = ZoneInfo("America/New_York")
    day = (timezone.now() + timedelta(days=10)).astimezone(zone).date()
    late = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=23, minutes=30)
    early_next = late + timedelta(hours=1)
    make_event(organizer, title="late that day", starts_at=late)
    make_event(organizer, title="early next day", starts_at=early_next)
    response = client.get(FINDER, {"near": "10001", "start": day.isoformat(), "end": day})
    assert _result_titles(response) == ["late that day"]
    after = client.get(FINDER, {"near": "10001", "start": (day + timedelta(days=1)).isoformat()})
    assert _result_titles(after) == ["early next day"]


@pytest.mark.parametrize(
    "params",
    [
        {"end": "9999-12-31"},
        {"start": "9999-12-31"},
        {"start": "0001-01-01"},
        {"near": "10001", "start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_days_at_the_calendars_ends_are_refused_not_a_500(client, nearby, params):
    response = client.get(FINDER, params)
    assert response.status_code == 200
    assert "Choose a day between" in _html(response)
    assert _result_titles(response) == []


@override_settings(EVENT_MAX_YEARS_AHEAD=2)
def test_days_within_the_horizon_are_searched(client, nearby):
    today = timezone.localdate()
    inside = today.replace(year=today.year + 2, day=min(today.day, 28)).isoformat()
    outside = today.replace(year=today.year + 3, day=min(today.day, 28)).isoformat()
    assert "Choose a day between" not in _html(client.get(FINDER, {"end": inside}))
    assert "Choose a day between" in _html(client.get(FINDER, {"end": outside}))


def test_online_events_with_the_checkbox(client, organizer, nearby):
    make_event(organizer, at=None, title="Online training", starts_at=soon(1, hour=1))
    assert "Online training" not in _result_titles(client.get(FINDER, {"near": "10001"}))
    titles = _result_titles(client.get(FINDER, {"near": "10001", "virtual": "on"}))
    assert titles[0] == "Online training"


def test_past_events_are_not_shown(client, organizer):
    make_event(organizer, title="Last week", starts_at=timezone.now() - timedelta(days=7))
    make_event(organizer, title="Next week", starts_at=timezone.now() + timedelta(days=7))
    assert _result_titles(client.get(FINDER, {"near": "10001"})) == ["Next week"]
    past_window = (timezone.now() - timedelta(days=8)).date().isoformat()
    assert _result_titles(client.get(FINDER, {"near": "10001", "start": past_window})) == [
        "Next week"
    ]


def test_without_a_place_everything_upcoming_is_listed(client, nearby):
    titles = _result_titles(client.get(FINDER))
    assert set(titles) == {e.title for e in nearby.values()}
    assert "4 upcoming events, soonest first" in _html(client.get(FINDER))


# --- Defaults, errors, empty state ---------------------------------------------------------


def test_a_members_profile_zip_is_the_default_place(member_client, member, nearby):
    Profile.objects.filter(user=member).update(postal_code="07030")
    response = member_client.get(FINDER)
    assert _result_titles(response) == ["Hoboken phone bank", "Manhattan canvass"]
    html = response.content.decode()
    assert "near the ZIP code in your profile" in html
    assert "of 07030 (Hoboken, NJ)" in html
    # An explicit empty `near` searches everywhere.
    assert len(_result_titles(member_client.get(FINDER, {"near": ""}))) == 4


def test_an_unknown_zip_is_a_form_error(client, nearby):
    response = client.get(FINDER, {"near": "00000"})
    html = _html(response)
    assert "We don&#x27;t know the ZIP code “00000”" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_near_error"' in html
    assert _result_titles(response) == []
    assert "events within" not in html


def test_end_before_start_is_a_form_error(client, db):
    html = _html(client.get(FINDER, {"start": "2030-05-02", "end": "2030-05-01"}))
    assert "The end date is before the start date." in html


@pytest.mark.parametrize(
    "query", [{"radius": "lots"}, {"type": "picnic"}, {"start": "tomorrow"}, {"page": "x"}]
)
def test_bad_parameters_never_crash(client, nearby, query):
    assert client.get(FINDER, {"near": "10001", **query}).status_code == 200


def test_empty_state_invites_to_host(client, nearby):
    html = _html(client.get(FINDER, {"near": "19103", "radius": 5, "type": "rally"}))
    assert "No events match your search near you yet." in html
    assert 'href="/events/new/"' in html
    assert "0 events within 5 miles of 19103" in html


# --- The card ------------------------------------------------------------------------------


def test_card_shows_type_time_in_the_events_zone_places_and_group(client, organizer):
    group = Group.objects.create(name="West Coast Neighbors", focus="neighborhood")
    start = soon(4, hour=17)  # 17:00 UTC
    make_event(
        organizer,
        at=(34.05, -118.24),
        title="LA phone bank",
        event_type=Event.Type.PHONE_BANK,
        time_zone="America/Los_Angeles",
        locality="Los Angeles",
        region="CA",
        starts_at=start,
        capacity=1,
        confirmed=1,
        group=group,
        is_official=True,
    )
    html = _html(client.get(FINDER, {"near": "90012"}))
    local = timezone.localtime(start, ZoneInfo("America/Los_Angeles"))
    assert local.strftime("%Z") in html  # PDT or PST, not the site's zone
    assert "Phone bank" in html and "Official event" in html
    assert "Full: waitlist open" in html
    assert "With West Coast Neighbors" in html
    assert 'href="/events/' in html


def test_hidden_addresses_stay_hidden_on_the_card(client, organizer):
    make_event(organizer, title="House party", hide_address=True, venue_name="Ana's place")
    html = _html(client.get(FINDER, {"near": "10001"}))
    assert "House party" in html
    assert "Ana" not in html and "303 W 23rd St" not in html


# --- Pages and queries ---------------------------------------------------------------------


def test_results_are_paginated_by_20_with_shareable_page_links(client, organizer):
    for index in range(45):
        make_event(
            organizer, title=f"Event {index:02d}", starts_at=soon(1) + timedelta(hours=index)
        )
    first = client.get(FINDER, {"near": "10001", "radius": 25})
    assert len(_result_titles(first)) == 20
    html = first.content.decode()
    assert "Page 1 of 3" in html
    assert 'href="?near=10001&amp;radius=25&amp;page=2"' in html
    last = client.get(FINDER, {"near": "10001", "radius": 25, "page": 3})
    assert _result_titles(last) == [f"Event {index}" for index in range(40, 45)]


def test_the_list_takes_a_fixed_number_of_queries(
    client, organizer, member, django_assert_num_queries
):
    group = Group.objects.create(name="Neighbors", focus="neighborhood")
    for index in range(40):
        make_event(
            organizer,
            at=offset(NYC, miles=index * 0.3, bearing=index * 41),
            title=f"Event {index}",
            group=group if index % 2 else None,
            shifts=1 + index % 3,
            capacity=20,
        )
    # Postal code, count, page (with groups) and the page's shifts.
    with django_assert_num_queries(4):
        assert len(_result_titles(client.get(FINDER, {"near": "10001"}))) == 20
    Profile.objects.filter(user=member).update(postal_code="10001")
    client.force_login(member)
    # + session, user, the profile (its ZIP is the default) and the member's own unlisted
    # events; the postal code was found by the first request and is kept in the process.
    with django_assert_num_queries(7):
        assert len(_result_titles(client.get(FINDER))) == 20


# --- The map -------------------------------------------------------------------------------


@override_settings(TILE_SERVER_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_map_data_for_the_page_with_the_tile_server(client, nearby):
    html = _html(client.get(FINDER, {"near": "10001", "radius": 50}))
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "groundswell/map.js" in html and "vendor/leaflet/leaflet.js" in html
    data = json.loads(
        re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["center"] == pytest.approx([40.7484, -73.9967], abs=0.01)
    assert {marker["title"] for marker in data["markers"]} == {
        "Manhattan canvass",
        "Hoboken phone bank",
        "Stamford rally",
    }
    assert all(marker["url"].startswith("/events/") for marker in data["markers"])
    # No inline script runs: the only <script> without src is the inert JSON block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline)


def test_no_map_assets_without_markers(client, db):
    html = _html(client.get(FINDER, {"near": "10001"}))
    assert "leaflet.js" not in html and 'data-map="map-data"' not in html
