"""Calendars: /events/<id>.ics, the private "my events" feed and a group's feed are valid
RFC 5545 (parsed by icalendar without errors) with a VTIMEZONE, stable UIDs, a SEQUENCE that
grows with time changes, STATUS:CANCELLED, and hidden addresses kept hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.events.models import CalendarFeed, Event, Shift
from groundswell.events.reminders.services import event_reminders_reschedule
from groundswell.events.rsvp.services import attendance_rsvp, calendar_feed_regenerate
from groundswell.events.testing import PLACE_CHICAGO, make_event, make_person
from groundswell.groups.models import Group

pytestmark = pytest.mark.django_db


def parse(body: bytes) -> Calendar:
    """Parse strictly enough: no component may carry a parse error."""
    calendar = Calendar.from_ical(body)
    errors = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert not errors, errors
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    return calendar


def vevents(calendar: Calendar) -> list:
    return calendar.walk("VEVENT")


def test_event_ics_is_valid_with_a_vtimezone_and_one_entry_per_shift(client, member):
    event = make_event(member, place=PLACE_CHICAGO, shifts=2, time_zone="America/Los_Angeles")
    response = client.get(reverse("event_ics", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert reverse("event_ics", args=[event.pk]) == f"/events/{event.pk}.ics"
    calendar = parse(response.content)
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["America/Los_Angeles"]
    entries = vevents(calendar)
    assert len(entries) == 2
    shifts = list(event.shifts.order_by("starts_at"))
    for entry, shift in zip(entries, shifts, strict=True):
        assert entry.start == shift.starts_at
        assert entry.end == shift.ends_at
        assert entry["DTSTART"].params["TZID"] == "America/Los_Angeles"
        assert str(entry["STATUS"]) == "CONFIRMED"
        assert int(entry["SEQUENCE"]) == 0
        assert str(entry["URL"]).endswith(f"/events/{event.pk}/")
    assert len({str(entry["UID"]) for entry in entries}) == 2
    # UIDs are stable: the same file fetched again names the same entries.
    again = vevents(parse(client.get(reverse("event_ics", args=[event.pk])).content))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in entries]


def test_sequence_grows_when_times_change_and_cancelled_events_say_so(client, member):
    event = make_event(member, place=PLACE_CHICAGO)
    url = reverse("event_ics", args=[event.pk])
    first = vevents(parse(client.get(url).content))[0]
    shift = event.shifts.get()
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=shift.starts_at + timedelta(hours=1), ends_at=shift.ends_at + timedelta(hours=1)
    )
    event_reminders_reschedule(event=event)
    moved = vevents(parse(client.get(url).content))[0]
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert str(moved["UID"]) == str(first["UID"])
    assert moved.start == shift.starts_at + timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    cancelled = vevents(parse(client.get(url).content))[0]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == int(moved["SEQUENCE"]) + 1


def test_virtual_event_ics_without_an_address(client, member):
    event = make_event(member, at=None, virtual_url="https://meet.example.org/room")
    entry = vevents(parse(client.get(reverse("event_ics", args=[event.pk])).content))[0]
    assert str(entry["LOCATION"]) == "Online"
    assert "meet.example.org" not in entry.to_ical().decode()


# --- "My events" feed ----------------------------------------------------------------------------


def test_calendar_page_needs_login(client):
    response = client.get(reverse("calendar_settings"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("calendar_settings")).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_member_gets_and_regenerates_a_private_feed_link(client, member):
    client.force_login(member)
    page = client.get(reverse("calendar_settings")).content.decode()
    assert "Get my calendar link" in page
    assert not CalendarFeed.objects.exists()  # GET creates nothing
    client.post(reverse("calendar_settings"))
    feed = CalendarFeed.objects.get(user=member)
    assert len(feed.token) == 43
    url = reverse("calendar_feed", args=[feed.token])
    assert url in client.get(reverse("calendar_settings")).content.decode()
    client.logout()  # calendar apps don't log in
    assert client.get(url).status_code == 200
    client.force_login(member)
    client.post(reverse("calendar_settings"))
    assert client.get(url).status_code == 404  # the old link stopped working
    assert client.get(reverse("calendar_feed", args=["x" * 43])).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "other_member", "staff"])
def test_feed_is_the_owners_whoever_fetches_it(client, member, other_member, organizer, persona):
    going = make_event(
        other_member, place=PLACE_CHICAGO, title="Going", hide_address=True, capacity=1
    )
    waiting_event = make_event(
        other_member, place=PLACE_CHICAGO, title="Waiting", hide_address=True, capacity=1
    )
    hosted = make_event(member, place=PLACE_CHICAGO, title="Hosted", hide_address=True)
    make_event(other_member, place=PLACE_CHICAGO, title="Not mine")
    attendance_rsvp(event=going, person=member.person, user=member)
    attendance_rsvp(event=waiting_event, person=make_person("first@example.org"))
    attendance_rsvp(event=waiting_event, person=member.person, user=member)
    feed = calendar_feed_regenerate(user=member)
    if persona == "other_member":
        client.force_login(other_member)
    elif persona == "staff":
        client.force_login(organizer)
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    entries = {str(e["SUMMARY"]): e for e in vevents(parse(response.content))}
    assert set(entries) == {"Going", "Waiting", "Hosted"}
    assert str(entries["Going"]["STATUS"]) == "CONFIRMED"
    assert "123 Maple Street" in str(entries["Going"]["LOCATION"])
    assert str(entries["Waiting"]["STATUS"]) == "TENTATIVE"
    assert "123 Maple Street" not in str(entries["Waiting"]["LOCATION"])
    assert "123 Maple Street" in str(entries["Hosted"]["LOCATION"])
    assert hosted.pk


def test_feed_of_a_deactivated_member_is_gone(client, member):
    feed = calendar_feed_regenerate(user=member)
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404


def test_empty_feed_is_still_valid(client, member):
    feed = calendar_feed_regenerate(user=member)
    calendar = parse(client.get(reverse("calendar_feed", args=[feed.token])).content)
    assert vevents(calendar) == []
    assert calendar.walk("VTIMEZONE")


# --- A group's feed --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "member", "other_member", "staff"])
def test_group_feed_lists_its_public_events(client, member, other_member, organizer, persona):
    group = Group.objects.create(name="Maple Street Neighbors", postal_code="60601")
    other_group = Group.objects.create(name="Elsewhere", postal_code="60601")
    make_event(member, place=PLACE_CHICAGO, title="Published", group=group, hide_address=True)
    make_event(
        member, place=PLACE_CHICAGO, title="Called off", group=group, status=Event.Status.CANCELLED
    )
    make_event(
        member, place=PLACE_CHICAGO, title="Pending", group=group, status=Event.Status.PENDING
    )
    make_event(member, place=PLACE_CHICAGO, title="Other group", group=other_group)
    make_event(
        member,
        place=PLACE_CHICAGO,
        title="Long ago",
        group=group,
        starts_at=timezone.now() - timedelta(days=90),
    )
    users = {"member": member, "other_member": other_member, "staff": organizer}
    if persona in users:
        client.force_login(users[persona])
    response = client.get(reverse("group_events_ics", args=[group.pk]))
    assert response.status_code == 200
    calendar = parse(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Maple Street Neighbors"
    entries = {str(e["SUMMARY"]): e for e in vevents(calendar)}
    assert set(entries) == {"Published", "Cancelled: Called off"}
    assert "123 Maple Street" not in str(entries["Published"]["LOCATION"])
    assert str(entries["Cancelled: Called off"]["STATUS"]) == "CANCELLED"
    assert calendar.walk("VTIMEZONE")


def test_group_feed_of_a_missing_group_is_404(client):
    assert client.get(reverse("group_events_ics", args=[123456])).status_code == 404
    assert client.get(f"/events/group/{2**70}.ics").status_code == 404


@pytest.mark.parametrize("persona", ["other_member", "staff"])
def test_calendar_page_shows_only_your_own_link(client, member, other_member, organizer, persona):
    feed = calendar_feed_regenerate(user=member)
    client.force_login({"other_member": other_member, "staff": organizer}[persona])
    page = client.get(reverse("calendar_settings")).content.decode()
    assert feed.token not in page
    assert "Get my calendar link" in page
    client.post(reverse("calendar_settings"))
    feed.refresh_from_db()  # theirs is new; the member's is untouched
    assert CalendarFeed.objects.count() == 2
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 200
