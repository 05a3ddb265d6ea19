"""OSDI events, attendances and the record attendance helper, held to Action Network's shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from groundswell.core.models import AuditEntry
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.rsvp.services import attendance_cancel, attendance_rsvp
from groundswell.events.testing import HOBOKEN, NYC, PHILADELPHIA, STAMFORD, make_event
from groundswell.groups.models import Group
from groundswell.people.models import Person
from groundswell.people.services import person_match_or_create

BASE = "http://testserver/api/v1"
NEW_YORK = ZoneInfo("America/New_York")


def _future(days: int = 10, hour: int = 10) -> datetime:
    """A naive local time `days` ahead, at `hour` o'clock in New York."""
    day = (timezone.now() + timedelta(days=days)).astimezone(NEW_YORK).date()
    return datetime(day.year, day.month, day.day, hour)


def _ids(body: dict) -> list[str]:
    return [event["identifiers"][0] for event in body["_embedded"]["osdi:events"]]


def _id(event: Event) -> str:
    return f"groundswell:{event.pk}"


# --- The collection ------------------------------------------------------------------------


def test_list_is_a_paged_collection_of_every_event_in_id_order(api, member):
    past = make_event(member, title="Last month", starts_at=timezone.now() - timedelta(days=30))
    pending = make_event(member, title="Pending", status=Event.Status.PENDING)
    cancelled = make_event(member, title="Cancelled", status=Event.Status.CANCELLED)
    online = make_event(member, at=None, title="Online")
    more = [make_event(member, title=f"Event {index}") for index in range(24)]

    response = api.get("/api/v1/events")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    body = response.json()
    assert (body["page"], body["per_page"], body["total_records"], body["total_pages"]) == (
        1,
        25,
        28,
        2,
    )
    assert _ids(body)[:4] == [_id(past), _id(pending), _id(cancelled), _id(online)]
    assert body["_links"]["next"]["href"] == f"{BASE}/events?page=2"
    assert body["_links"]["osdi:events"][0]["href"] == f"{BASE}/events/{past.pk}"
    second = api.get(body["_links"]["next"]["href"]).json()
    assert _ids(second) == [_id(more[-3]), _id(more[-2]), _id(more[-1])]


def test_list_takes_a_fixed_number_of_queries(api, member, django_assert_num_queries):
    group = Group.objects.create(name="Neighbors", focus="neighborhood")
    campaign = EventCampaign.objects.create(name="Weekend", slug="weekend")
    for index in range(30):
        make_event(
            member,
            title=f"Event {index}",
            shifts=1 + index % 3,
            capacity=10,
            group=group if index % 2 else None,
            campaign=campaign if index % 3 else None,
        )
    api.get("/api/v1/")  # the token's last_used_at is written once a minute
    # The token, the count, the page (with hosts and campaigns) and the page's shifts.
    with django_assert_num_queries(4):
        body = api.get("/api/v1/events", {"per_page": 30}).json()
    assert len(body["_embedded"]["osdi:events"]) == 30
    with django_assert_num_queries(5):  # + the postal code
        body = api.get("/api/v1/events", {"near": "10001", "per_page": 30}).json()
    assert len(body["_embedded"]["osdi:events"]) == 30


def test_event_resource_has_the_osdi_fields(api, member):
    campaign = EventCampaign.objects.create(name="Weekend of Action", slug="weekend-of-action")
    group = Group.objects.create(name="Chelsea for Change", focus="neighborhood")
    start = datetime(2030, 7, 4, 14, 0, tzinfo=NEW_YORK)
    event = make_event(
        member,
        title="Canvass Chelsea",
        description="Knock on doors.",
        starts_at=start,
        shifts=2,
        capacity=10,
        campaign=campaign,
        group=group,
        hide_address=True,
        accessibility_notes="Step-free entrance",
    )
    for index in range(3):
        person = person_match_or_create(email=f"a{index}@example.org").person
        attendance_rsvp(event=event, person=person)

    body = api.get(f"/api/v1/events/{event.pk}").json()
    assert body["identifiers"] == [_id(event)]
    assert body["origin_system"] == "Groundswell"
    assert body["title"] == body["name"] == "Canvass Chelsea"
    assert body["description"] == "Knock on doors."
    assert body["browser_url"] == f"http://testserver/events/{event.pk}/"
    assert (body["type"], body["status"], body["groundswell:status"]) == (
        "open",
        "confirmed",
        "published",
    )
    # In the event's own zone, with its offset (EDT in July).
    assert body["start_date"] == "2030-07-04T14:00:00-04:00"
    assert body["end_date"] == "2030-07-04T18:00:00-04:00"
    # The API is staff-only: the hidden address is given in full.
    assert body["location"] == {
        "venue": "Chelsea Library",
        "address_lines": ["303 W 23rd St"],
        "locality": "New York",
        "region": "NY",
        "postal_code": "10001",
        "country": "US",
        "location": {"latitude": NYC[0], "longitude": NYC[1], "accuracy": "Approximate"},
    }
    assert (body["capacity"], body["total_accepted"]) == (20, 3)
    assert body["groundswell:event_type"] == "canvass"
    assert body["groundswell:time_zone"] == "America/New_York"
    assert body["groundswell:hide_address"] is True
    assert body["groundswell:accessibility_notes"] == "Step-free entrance"
    assert body["groundswell:group"] == group.pk
    assert body["groundswell:campaign"] == "weekend-of-action"
    shifts = body["groundswell:shifts"]
    assert [shift["start_date"] for shift in shifts] == [
        "2030-07-04T14:00:00-04:00",
        "2030-07-04T16:00:00-04:00",
    ]
    assert [(s["capacity"], s["total_accepted"], s["total_waitlisted"]) for s in shifts] == [
        (10, 3, 0),
        (10, 0, 0),
    ]
    links = body["_links"]
    assert links["self"]["href"] == f"{BASE}/events/{event.pk}"
    assert links["osdi:attendances"]["href"] == f"{BASE}/events/{event.pk}/attendances"
    assert (
        links["osdi:record_attendance_helper"]["href"]
        == f"{BASE}/events/{event.pk}/record_attendance_helper"
    )
    assert links["osdi:organizer"]["href"] == f"{BASE}/people/{member.person_id}"
    assert links["curies"][0]["name"] == "osdi"


def test_statuses_and_unlimited_capacity(api, member):
    pending = make_event(member, status=Event.Status.PENDING)
    rejected = make_event(member, status=Event.Status.REJECTED)
    cancelled = make_event(member, status=Event.Status.CANCELLED)
    for event, osdi in ((pending, "tentative"), (rejected, "cancelled"), (cancelled, "cancelled")):
        body = api.get(f"/api/v1/events/{event.pk}").json()
        assert (body["status"], body["groundswell:status"]) == (osdi, event.status)
        assert body["capacity"] is None


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def placed(member):
    return {
        "manhattan": make_event(member, at=NYC, title="Manhattan"),
        "hoboken": make_event(member, at=HOBOKEN, title="Hoboken", event_type="phone_bank"),
        "stamford": make_event(member, at=STAMFORD, title="Stamford"),
        "philadelphia": make_event(member, at=PHILADELPHIA, title="Philadelphia"),
        "online": make_event(member, at=None, title="Online"),
    }


def test_near_and_radius_nearest_first_with_the_distance(api, placed):
    body = api.get("/api/v1/events", {"near": "10001", "radius": 50}).json()
    assert _ids(body) == [_id(placed[name]) for name in ("manhattan", "hoboken", "stamford")]
    distances = [e["groundswell:distance_miles"] for e in body["_embedded"]["osdi:events"]]
    assert distances == sorted(distances) and 1.5 < distances[1] < 2.5
    default = api.get("/api/v1/events", {"near": "10001"}).json()
    assert _ids(default) == [_id(placed["manhattan"]), _id(placed["hoboken"])]


def test_osdi_near_filter(api, placed):
    body = api.get("/api/v1/events", {"filter": "near('10001', '25 miles')"}).json()
    assert _ids(body) == [_id(placed["manhattan"]), _id(placed["hoboken"])]
    km = api.get("/api/v1/events", {"filter": "NEAR('10001','100 km')"}).json()
    assert _ids(km) == [_id(placed[name]) for name in ("manhattan", "hoboken", "stamford")]


def test_start_filters_and_odata_start_date(api, member):
    soon = make_event(member, title="soon", starts_at=timezone.now() + timedelta(days=2))
    later = make_event(member, title="later", starts_at=timezone.now() + timedelta(days=20))
    cutoff = (timezone.now() + timedelta(days=10)).date().isoformat()
    assert _ids(api.get("/api/v1/events", {"start_after": cutoff}).json()) == [_id(later)]
    assert _ids(api.get("/api/v1/events", {"start_before": cutoff}).json()) == [_id(soon)]
    odata = api.get("/api/v1/events", {"filter": f"start_date gt '{cutoff}'"}).json()
    assert _ids(odata) == [_id(later)]
    both = api.get(
        "/api/v1/events",
        {"filter": f"start_date lt '{cutoff}' and near('10001', '5 miles')"},
    ).json()
    assert _ids(both) == [_id(soon)]


def test_type_and_group_filters(api, placed, member):
    group = Group.objects.create(name="Jersey", focus="neighborhood")
    Event.objects.filter(pk=placed["stamford"].pk).update(group=group)
    assert _ids(api.get("/api/v1/events", {"type": "phone_bank"}).json()) == [
        _id(placed["hoboken"])
    ]
    assert _ids(api.get("/api/v1/events", {"group": group.pk}).json()) == [_id(placed["stamford"])]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"near": "00000"}, "near"),
        ({"start_after": "next tuesday"}, "start_after"),
        ({"filter": "near(10001)"}, "filter"),
        ({"filter": "title eq 'x'"}, "title"),
        ({"filter": "start_date gt 'soon'"}, "start_date"),
    ],
)
def test_bad_filters_are_400s_naming_the_field(api, db, query, field):
    response = api.get("/api/v1/events", query)
    assert response.status_code == 400, response.content
    assert response.json()["details"] == {"field": field}


@pytest.mark.parametrize("query", [{"radius": "0"}, {"radius": "501"}, {"type": "picnic"}])
def test_bad_query_parameters_are_400s(api, db, query):
    assert api.get("/api/v1/events", query).status_code == 400


# --- Create and update ---------------------------------------------------------------------


def _new_event(**extra) -> dict:
    body = {
        "title": "Phone bank downtown",
        "description": "Calls to swing states.",
        "start_date": _future(10, 18).isoformat(),
        "end_date": _future(10, 20).isoformat(),
        "location": {"venue": "Union Hall", "address_lines": ["1 Main St"], "postal_code": "10001"},
        "capacity": 12,
        "groundswell:event_type": "phone_bank",
    }
    body.update(extra)
    return body


def test_create_makes_an_official_published_event_through_the_service(api, hq):
    response = api.post("/api/v1/events", _new_event())
    assert response.status_code == 200, response.content
    body = response.json()
    event = Event.objects.get(pk=body["identifiers"][0].split(":")[1])
    assert (event.title, event.event_type, event.status) == (
        "Phone bank downtown",
        "phone_bank",
        Event.Status.PUBLISHED,
    )
    assert event.is_official and event.host == hq
    # A naive time is read in the ZIP code's zone; the ZIP is geocoded.
    assert event.time_zone == "America/New_York"
    assert timezone.localtime(event.starts_at, NEW_YORK).hour == 18
    assert (event.locality, event.region) == ("New York", "NY")
    assert event.shifts.get().capacity == 12
    assert body["start_date"].endswith(("-04:00", "-05:00"))
    assert body["capacity"] == 12 and body["groundswell:official"] is True
    assert AuditEntry.objects.filter(action="event.create", subject_id=str(event.pk)).exists()


def test_create_an_online_event_with_an_explicit_offset(api):
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    body = {
        "name": "Online training",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(hours=1)).isoformat(),
        "groundswell:virtual": True,
        "groundswell:virtual_url": "https://meet.example.org/training",
        "groundswell:time_zone": "America/Chicago",
    }
    response = api.post("/api/v1/events", body)
    assert response.status_code == 200, response.content
    created = response.json()
    assert created["title"] == "Online training"
    assert created["groundswell:event_type"] == "meeting"  # the default type
    assert created["groundswell:virtual"] is True and created["location"] is None
    event = Event.objects.get(title="Online training")
    assert event.starts_at == start and event.time_zone == "America/Chicago"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"location": {"postal_code": "00000"}}, "location.postal_code"),
        ({"location": {}}, "location.postal_code"),
        ({"end_date": _future(10, 17).isoformat()}, "end_date"),
        (
            {"start_date": _future(-3).isoformat(), "end_date": _future(-3, 12).isoformat()},
            "start_date",
        ),
        ({"capacity": -1}, "capacity"),
        ({"groundswell:time_zone": "Mars/Olympus"}, "groundswell:time_zone"),
        ({"groundswell:group": 999999}, "groundswell:group"),
        ({"groundswell:campaign": "nope"}, "groundswell:campaign"),
    ],
)
def test_create_reports_errors_by_their_json_names(api, db, changes, field):
    before = Event.objects.count()
    response = api.post("/api/v1/events", _new_event(**changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["details"], response.json()
    assert Event.objects.count() == before


def test_create_checks_the_body_shape(api, db):
    response = api.post("/api/v1/events", _new_event(start_date="whenever"))
    assert response.status_code == 422
    assert "start_date" in response.json()["details"]
    assert api.post("/api/v1/events", "title=x", content_type="text/plain").status_code == 415


def test_update_is_partial_and_goes_through_the_service(api, member):
    event = make_event(member, title="Old title", capacity=5)
    response = api.put(
        f"/api/v1/events/{event.pk}",
        {"title": "New title", "location": {"venue": "Town Hall"}, "capacity": 8},
    )
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.title, event.venue_name, event.address_line) == (
        "New title",
        "Town Hall",
        "303 W 23rd St",
    )
    assert event.shifts.get().capacity == 8
    assert response.json()["capacity"] == 8
    assert AuditEntry.objects.filter(subject_id=str(event.pk), action__startswith="event.").exists()


def test_update_moves_the_time(api, member):
    event = make_event(member)
    start = (timezone.now() + timedelta(days=12)).replace(microsecond=0)
    response = api.put(
        f"/api/v1/events/{event.pk}",
        {"start_date": start.isoformat(), "end_date": (start + timedelta(hours=3)).isoformat()},
    )
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at) == (start, start + timedelta(hours=3))


def test_update_errors_are_422s(api, member):
    event = make_event(member, shifts=2)
    start = timezone.now() + timedelta(days=12)
    response = api.put(
        f"/api/v1/events/{event.pk}",
        {"start_date": start.isoformat(), "end_date": (start + timedelta(hours=1)).isoformat()},
    )
    assert response.status_code == 422
    assert "groundswell:shifts" in response.json()["details"]
    assert api.put(f"/api/v1/events/{event.pk}", {"title": " "}).status_code == 422


def test_status_cancelled_cancels_and_confirmed_approves(api, member):
    waiting = make_event(member, status=Event.Status.PENDING)
    response = api.put(f"/api/v1/events/{waiting.pk}", {"status": "confirmed"})
    assert response.json()["status"] == "confirmed"
    waiting.refresh_from_db()
    assert waiting.status == Event.Status.PUBLISHED

    response = api.put(f"/api/v1/events/{waiting.pk}", {"status": "cancelled"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == Event.Status.CANCELLED and waiting.cancelled_at is not None
    # A cancelled event can't be edited any more.
    assert api.put(f"/api/v1/events/{waiting.pk}", {"title": "Back"}).status_code == 422


# --- Attendances ---------------------------------------------------------------------------


def test_attendances_list_and_detail(api, member):
    event = make_event(member, capacity=1)
    referrer = person_match_or_create(email="friend@example.org").person
    going = person_match_or_create(email="going@example.org").person
    waiting = person_match_or_create(email="waiting@example.org").person
    leaving = person_match_or_create(email="leaving@example.org").person
    first = attendance_rsvp(event=event, person=going, referred_by=referrer, source="flyer")
    second = attendance_rsvp(event=event, person=waiting)
    other = make_event(member, title="Other")
    left = attendance_rsvp(event=other, person=leaving).attendance
    attendance_cancel(attendance=left)

    body = api.get(f"/api/v1/events/{event.pk}/attendances").json()
    assert body["total_records"] == 2
    items = body["_embedded"]["osdi:attendances"]
    assert [item["identifiers"][0] for item in items] == [
        f"groundswell:{first.attendance.pk}",
        f"groundswell:{second.attendance.pk}",
    ]
    accepted, tentative = items
    assert (accepted["status"], accepted["groundswell:waitlisted"]) == ("accepted", False)
    assert (tentative["status"], tentative["groundswell:waitlisted"]) == ("tentative", True)
    assert accepted["referrer_data"] == {
        "source": "flyer",
        "referrer": f"groundswell:{referrer.pk}",
    }
    assert accepted["attended"] is None
    assert accepted["_links"]["osdi:person"]["href"] == f"{BASE}/people/{going.pk}"
    assert accepted["_links"]["osdi:event"]["href"] == f"{BASE}/events/{event.pk}"

    detail = api.get(f"/api/v1/events/{other.pk}/attendances/{left.pk}").json()
    assert detail["status"] == "declined"
    assert detail["_links"]["self"]["href"] == f"{BASE}/events/{other.pk}/attendances/{left.pk}"


def test_attendances_list_takes_a_fixed_number_of_queries(api, member, django_assert_num_queries):
    event = make_event(member)
    for index in range(30):
        person = person_match_or_create(email=f"p{index}@example.org").person
        attendance_rsvp(event=event, person=person)
    api.get("/api/v1/")
    # The token, the event, the count and the page.
    with django_assert_num_queries(4):
        body = api.get(f"/api/v1/events/{event.pk}/attendances", {"per_page": 30}).json()
    assert len(body["_embedded"]["osdi:attendances"]) == 30


# --- The record attendance helper ----------------------------------------------------------


def _record(api, event: Event, email: str = "ana@example.org", **extra):
    body = {
        "person": {
            "given_name": "Ana",
            "family_name": "Lopez",
            "email_addresses": [{"address": email}],
            "postal_addresses": [{"postal_code": "10001"}],
        },
        **extra,
    }
    return api.post(f"/api/v1/events/{event.pk}/record_attendance_helper", body)


def test_record_attendance_creates_the_person_and_the_rsvp(api, member):
    event = make_event(member, capacity=5)
    response = _record(api, event, referrer_data={"source": "partner-site"})
    assert response.status_code == 200, response.content
    body = response.json()
    person = Person.objects.get(email="ana@example.org")
    assert (person.given_name, person.family_name, person.postal_code) == ("Ana", "Lopez", "10001")
    attendance = Attendance.objects.get(person=person)
    assert body["identifiers"] == [f"groundswell:{attendance.pk}"]
    assert (body["status"], body["groundswell:waitlisted"]) == ("accepted", False)
    assert body["referrer_data"]["source"] == "partner-site"
    assert body["_links"]["osdi:person"]["href"] == f"{BASE}/people/{person.pk}"
    assert event.shifts.get().confirmed_count == 1


def test_recording_the_same_person_twice_is_one_attendance(api, member):
    event = make_event(member, capacity=5)
    first = _record(api, event).json()
    again = _record(api, event, email="ANA@example.org")
    assert again.status_code == 200
    assert again.json()["identifiers"] == first["identifiers"]
    assert Person.objects.filter(email__iexact="ana@example.org").count() == 1
    assert Attendance.objects.filter(event=event).count() == 1
    assert event.shifts.get().confirmed_count == 1


def test_a_full_event_puts_the_person_on_the_waitlist_and_says_so(api, member):
    event = make_event(member, capacity=1)
    assert _record(api, event, email="first@example.org").json()["status"] == "accepted"
    body = _record(api, event, email="second@example.org").json()
    assert (body["status"], body["groundswell:waitlisted"]) == ("tentative", True)
    shift = event.shifts.get()
    assert (shift.confirmed_count, shift.waitlist_count) == (1, 1)


def test_declined_cancels_the_rsvp(api, member):
    event = make_event(member, capacity=1)
    _record(api, event)
    response = _record(api, event, status="declined")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    assert event.shifts.get().confirmed_count == 0
    nobody = _record(api, event, email="nobody@example.org", status="declined")
    assert nobody.status_code == 422
    assert "status" in nobody.json()["details"]


def test_record_attendance_to_a_chosen_shift(api, member):
    event = make_event(member, shifts=2)
    second = event.shifts.order_by("starts_at")[1]
    body = _record(api, event, **{"groundswell:shift_id": second.pk}).json()
    assert body["groundswell:shift_id"] == second.pk
    other = make_event(member)
    response = _record(api, event, **{"groundswell:shift_id": other.shifts.get().pk})
    assert response.status_code == 422
    assert "groundswell:shift_id" in response.json()["details"]


@pytest.mark.parametrize(
    "status", [Event.Status.CANCELLED, Event.Status.PENDING, Event.Status.REJECTED]
)
def test_record_attendance_refuses_events_not_open(api, member, status):
    event = make_event(member, status=status)
    response = _record(api, event)
    assert response.status_code == 422
    assert "event" in response.json()["details"]
    assert not Attendance.objects.exists()


def test_record_attendance_refuses_past_events(api, member):
    event = make_event(member, starts_at=timezone.now() - timedelta(days=1))
    assert _record(api, event).status_code == 422


def test_record_attendance_needs_an_email(api, member):
    event = make_event(member)
    response = api.post(
        f"/api/v1/events/{event.pk}/record_attendance_helper",
        {"person": {"given_name": "No email"}},
    )
    assert response.status_code == 422
    assert "person.email_addresses" in response.json()["details"]
    bad = _record(api, event, email="not-an-email")
    assert bad.status_code == 422


def test_entry_point_links_the_events_collection(api, db):
    links = api.get("/api/v1/").json()["_links"]
    assert links["osdi:events"]["href"] == f"{BASE}/events"


def test_browser_url_is_the_public_event_page(api, client, member):
    event = make_event(member)
    url = api.get(f"/api/v1/events/{event.pk}").json()["browser_url"]
    assert client.get(url.replace("http://testserver", "")).status_code == 200
    assert quote(str(event.pk)) in url
