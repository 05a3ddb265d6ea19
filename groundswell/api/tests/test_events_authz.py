"""Authorization matrix for the events endpoints: every endpoint against every kind of token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.api.testing import DENIED_TOKENS, ApiClient, token_for
from groundswell.core.models import AuditEntry
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp.services import attendance_rsvp
from groundswell.events.testing import make_event
from groundswell.people.models import Person
from groundswell.people.services import person_match_or_create

START = (timezone.now() + timedelta(days=9)).replace(microsecond=0).isoformat()
END = (timezone.now() + timedelta(days=9, hours=2)).replace(microsecond=0).isoformat()
NEW_EVENT = {
    "title": "Phone bank for the API",
    "start_date": START,
    "end_date": END,
    "location": {"postal_code": "10001"},
    "groundswell:event_type": "phone_bank",
}
RSVP = {"person": {"email_addresses": [{"address": "api-guest@example.org"}]}}

# (method, path, body); {event} and {attendance} come from the `events_world` fixture.
ENDPOINTS = [
    ("get", "/api/v1/events", None),
    ("post", "/api/v1/events", NEW_EVENT),
    ("get", "/api/v1/events/{event}", None),
    ("put", "/api/v1/events/{event}", {"title": "Changed by the API"}),
    ("get", "/api/v1/events/{event}/attendances", None),
    ("get", "/api/v1/events/{event}/attendances/{attendance}", None),
    ("post", "/api/v1/events/{event}/record_attendance_helper", RSVP),
]
WRITES = {"post", "put", "delete"}


@pytest.fixture
def events_world(member):
    event = make_event(member, title="Neighborhood canvass", capacity=10)
    person = person_match_or_create(email="going@example.org").person
    attendance = attendance_rsvp(event=event, person=person).attendance
    return {"event": event.pk, "attendance": attendance.pk}


def _call(api: ApiClient, method: str, path: str, body, events_world):
    path = path.format(**events_world)
    if method in {"post", "put"}:
        return getattr(api, method)(path, body)
    return getattr(api, method)(path)


def _snapshot() -> tuple:
    return (
        Event.objects.count(),
        Shift.objects.count(),
        Attendance.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
        tuple(Event.objects.order_by("pk").values_list("title", "status")),
    )


def _assert_json_error(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


@pytest.mark.parametrize("kind", DENIED_TOKENS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_denied_tokens_get_401_and_change_nothing(
    client, hq, organizer, events_world, kind, method, path, body
):
    api = ApiClient(client, DENIED_TOKENS[kind](hq, organizer))
    before = _snapshot()
    response = _call(api, method, path, body, events_world)
    _assert_json_error(response, 401)
    assert "Neighborhood canvass" not in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_read_token_reads_but_cannot_write(read_api, events_world, method, path, body):
    before = _snapshot()
    response = _call(read_api, method, path, body, events_world)
    if method in WRITES:
        _assert_json_error(response, 403)
        assert _snapshot() == before
    else:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/hal+json; charset=utf-8"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_write_token_may_do_everything(api, events_world, method, path, body):
    response = _call(api, method, path, body, events_world)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] != "get"])
def test_organizer_write_token_works_too(client, organizer, events_world, method, path, body):
    api = ApiClient(client, token_for(organizer))
    assert _call(api, method, path, body, events_world).status_code == 200


def test_a_member_session_is_not_api_authentication(member_client, events_world):
    _assert_json_error(member_client.get("/api/v1/events"), 401)
    _assert_json_error(member_client.get(f"/api/v1/events/{events_world['event']}"), 401)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/events/999999", None),
        ("put", "/api/v1/events/999999", {"title": "x"}),
        ("get", "/api/v1/events/999999/attendances", None),
        ("get", "/api/v1/events/999999/attendances/1", None),
        ("post", "/api/v1/events/999999/record_attendance_helper", RSVP),
    ],
)
def test_unknown_events_are_json_404s(api, events_world, method, path, body):
    before = _snapshot()
    _assert_json_error(_call(api, method, path, body, events_world), 404)
    assert _snapshot() == before


def test_an_attendance_of_another_event_is_a_404(api, events_world, member):
    other = make_event(member, title="Another event")
    _assert_json_error(
        api.get(f"/api/v1/events/{other.pk}/attendances/{events_world['attendance']}"), 404
    )
