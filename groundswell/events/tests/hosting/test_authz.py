"""The authorization matrix of every host-tools and organizer page and POST, for anonymous /
member (the host) / other member / co-host / organizer / HQ. A refused POST changes nothing
and sends nothing; event pages answer the same 404 for a missing event and one the viewer
may not manage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from groundswell.accounts.testing import make_member
from groundswell.events.models import Attendance, Event, EventCampaign, EventCoHost, EventMessage
from groundswell.events.testing import (
    first_shift,
    host_event,
    make_person,
    move_to_past,
    next_week_local,
    rsvp,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "host", "other", "cohost", "organizer", "hq")
MANAGERS = {"host", "cohost", "organizer", "hq"}
STAFF = {"organizer", "hq"}


@pytest.fixture
def hosting_world(member, other_member, organizer, hq):
    cohost = make_member("cohost@example.org", given_name="Cora")
    event = host_event(member, publish_as=organizer, capacity=10)
    EventCoHost.objects.create(event=event, user=cohost)
    attendance = rsvp(event, make_person("ana@example.org", "Ana"))
    campaign = EventCampaign.objects.create(name="Weekend of Action", slug="woa")
    users = {
        "host": member,
        "other": other_member,
        "cohost": cohost,
        "organizer": organizer,
        "hq": hq,
    }
    return {"event": event, "attendance": attendance, "campaign": campaign, "users": users}


def _client(hosting_world: dict[str, Any], persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(hosting_world["users"][persona])
    return client


def _expected(persona: str, allowed: set[str]) -> int:
    if persona == "anonymous":
        return 302
    return 200 if persona in allowed else 404


EVENT_PAGES: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("manage", lambda w: f"/events/{w['event'].pk}/manage/"),
    ("edit", lambda w: f"/events/{w['event'].pk}/edit/"),
    ("cancel", lambda w: f"/events/{w['event'].pk}/cancel/"),
    ("check-in", lambda w: f"/events/{w['event'].pk}/check-in/"),
    ("csv", lambda w: f"/events/{w['event'].pk}/attendees.csv"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "url"), EVENT_PAGES, ids=[name for name, _ in EVENT_PAGES])
def test_event_pages(hosting_world, persona, page, url):
    response = _client(hosting_world, persona).get(url(hosting_world))
    assert response.status_code == _expected(persona, MANAGERS)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if response.status_code == 404:
        assert b"ana@example.org" not in response.content


def test_a_missing_event_is_the_same_404(hosting_world):
    client = _client(hosting_world, "other")
    forbidden = client.get(f"/events/{hosting_world['event'].pk}/manage/")
    missing = client.get("/events/999999/manage/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


SITE_PAGES = [
    ("/events/new/", {"host", "other", "cohost", "organizer", "hq"}),
    ("/events/hosting/", {"host", "other", "cohost", "organizer", "hq"}),
    ("/events/approvals/", STAFF),
    # /events/campaigns/ is public (current campaigns; totals for staff): test_discoverability.
    ("/events/campaigns/new/", STAFF),
    ("/events/campaigns/woa/edit/", STAFF),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "allowed"), SITE_PAGES, ids=[url for url, _ in SITE_PAGES])
def test_site_pages(hosting_world, persona, url, allowed):
    assert _client(hosting_world, persona).get(url).status_code == _expected(persona, allowed)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_campaign_page_is_public_and_totals_are_for_staff(hosting_world, persona):
    response = _client(hosting_world, persona).get("/events/campaigns/woa/")
    assert response.status_code == 200
    assert (b"Totals (organizers only)" in response.content) == (persona in STAFF)


# --- POSTs: (url, data, changed?) per endpoint ------------------------------------------------


def _message(w):
    return f"/events/{w['event'].pk}/message/", {"message-subject": "Hi", "message-body": "Hello"}


def _message_done(w):
    return EventMessage.objects.filter(event=w["event"]).exists()


def _cohost_add(w):
    make_member("new@example.org")
    return f"/events/{w['event'].pk}/cohosts/", {"cohost-email": "new@example.org"}


def _cohost_add_done(w):
    return EventCoHost.objects.filter(event=w["event"], user__email="new@example.org").exists()


def _cohost_remove(w):
    return f"/events/{w['event'].pk}/cohosts/{w['users']['cohost'].pk}/remove/", {}


def _cohost_remove_done(w):
    return not EventCoHost.objects.filter(event=w["event"]).exists()


def _cancel(w):
    return f"/events/{w['event'].pk}/cancel/", {}


def _cancel_done(w):
    return Event.objects.get(pk=w["event"].pk).status == Event.Status.CANCELLED


def _check_in(w):
    return f"/events/{w['event'].pk}/check-in/{w['attendance'].pk}/", {}


def _check_in_done(w):
    return Attendance.objects.get(pk=w["attendance"].pk).attended is True


def _walk_in(w):
    data = {
        "walkin-given_name": "Walt",
        "walkin-family_name": "Walker",
        "walkin-email": "walt@example.org",
        "walkin-postal_code": "10001",
    }
    return f"/events/{w['event'].pk}/walk-in/", data


def _walk_in_done(w):
    return Attendance.objects.filter(person__email="walt@example.org").exists()


def _edit(w):
    day = next_week_local(10).date().isoformat()
    data = {
        "event_type": "canvass",
        "title": "Renamed canvass",
        "date": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "capacity": "10",
        "postal_code": "10001",
        "first_shift_id": str(first_shift(w["event"]).pk),
        "form-TOTAL_FORMS": "0",
        "form-INITIAL_FORMS": "0",
    }
    return f"/events/{w['event'].pk}/edit/", data


def _edit_done(w):
    return Event.objects.get(pk=w["event"].pk).title == "Renamed canvass"


POSTS = [
    ("message", _message, _message_done, MANAGERS),
    ("cohost-add", _cohost_add, _cohost_add_done, MANAGERS),
    ("cohost-remove", _cohost_remove, _cohost_remove_done, MANAGERS),
    ("cancel", _cancel, _cancel_done, MANAGERS),
    ("check-in", _check_in, _check_in_done, MANAGERS),
    ("walk-in", _walk_in, _walk_in_done, MANAGERS),
    ("edit", _edit, _edit_done, MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "build", "done", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_event_posts(
    hosting_world, persona, name, build, done, allowed, django_capture_on_commit_callbacks
):
    url, data = build(hosting_world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(hosting_world, persona).post(url, data)
    if persona in allowed:
        assert response.status_code == 302, response.content[:2000]
        assert done(hosting_world)
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert not done(hosting_world)
        assert mail.outbox == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_after_the_event_posts(hosting_world, persona):
    move_to_past(hosting_world["event"])
    client = _client(hosting_world, persona)
    event_id, attendance_id = hosting_world["event"].pk, hosting_world["attendance"].pk
    report = client.post(f"/events/{event_id}/report/", {"report-doors_knocked": "40"})
    mark = client.post(
        f"/events/{event_id}/attendees/{attendance_id}/attended/", {"attended": "yes"}
    )
    event = Event.objects.get(pk=event_id)
    attendance = Attendance.objects.get(pk=attendance_id)
    if persona in MANAGERS:
        assert (report.status_code, mark.status_code) == (302, 302)
        assert event.doors_knocked == 40 and attendance.attended is True
    else:
        expected = 302 if persona == "anonymous" else 404
        assert (report.status_code, mark.status_code) == (expected, expected)
        assert event.doors_knocked is None and attendance.attended is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_is_for_staff(hosting_world, persona, django_capture_on_commit_callbacks):
    pending = host_event(hosting_world["users"]["host"], title="Waiting")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(hosting_world, persona).post(
            f"/events/{pending.pk}/review/", {"decision": "approve"}
        )
    pending.refresh_from_db()
    if persona in STAFF:
        assert response.status_code == 302
        assert pending.status == Event.Status.PUBLISHED
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert pending.status == Event.Status.PENDING
        assert mail.outbox == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_campaign_writes_are_for_staff(hosting_world, persona):
    client = _client(hosting_world, persona)
    created = client.post("/events/campaigns/new/", {"name": "Day of Action", "slug": "doa"})
    edited = client.post("/events/campaigns/woa/edit/", {"name": "Renamed", "slug": "woa"})
    names = set(EventCampaign.objects.values_list("name", flat=True))
    if persona in STAFF:
        assert (created.status_code, edited.status_code) == (302, 302)
        assert names == {"Day of Action", "Renamed"}
    else:
        expected = 302 if persona == "anonymous" else 404
        assert (created.status_code, edited.status_code) == (expected, expected)
        assert names == {"Weekend of Action"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_is_for_members(hosting_world, persona):
    day = next_week_local(10).date().isoformat()
    data = {
        "event_type": "meeting",
        "title": "Kitchen table meeting",
        "date": day,
        "start_time": "18:00",
        "end_time": "19:30",
        "postal_code": "10001",
        "form-TOTAL_FORMS": "0",
        "form-INITIAL_FORMS": "0",
    }
    response = _client(hosting_world, persona).post("/events/new/", data)
    exists = Event.objects.filter(title="Kitchen table meeting").exists()
    if persona == "anonymous":
        assert response.status_code == 302 and not exists
    else:
        assert response.status_code == 302 and exists
