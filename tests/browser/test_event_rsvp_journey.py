"""A guest RSVPs to an event in a real browser: opens the event page, RSVPs with name, email
and ZIP, gets the confirmation (with its .ics) in the mail folder, follows the cancel link
and cancels, without ever logging in."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from groundswell.accounts.testing import make_member
from groundswell.events.models import Attendance, Event, Shift
from groundswell.geo.models import PostalCode
from groundswell.people.models import Person

# A 1x1 transparent PNG served for map tiles: journeys never reach the network.
TILE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000005000127ae3a1c0000000049454e44ae426082"
)


def _mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(mail_dir.glob("*.eml"))
    ]


@pytest.mark.django_db(transaction=True)
def test_guest_rsvps_gets_the_mail_and_cancels_from_the_link(
    page, axe_check, mail_dir, live_server
):
    PostalCode.objects.get_or_create(
        country="US",
        code="60601",
        defaults={"place_name": "Chicago", "admin1": "IL", "latitude": 41.88, "longitude": -87.62},
    )
    host = make_member("host@example.org", given_name="Hana", family_name="Host")
    start = (timezone.now() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        host=host,
        title="Phone bank for the primary",
        description="<p>Bring a phone and a charger.</p>",
        event_type=Event.Type.PHONE_BANK,
        status=Event.Status.PUBLISHED,
        time_zone="America/Chicago",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue_name="Hana's living room",
        address_line="42 Lake Shore Drive",
        locality="Chicago",
        region="IL",
        postal_code="60601",
        latitude=41.88,
        longitude=-87.62,
        hide_address=True,
        accessibility_notes="Step-free entrance.",
    )
    Shift.objects.create(event=event, starts_at=start, ends_at=event.ends_at, capacity=8)

    page.route(
        re.compile(r"tile\.openstreetmap\.org"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG),
    )

    # The event page: the area, not the address; places left; a map; the RSVP form.
    page.goto(f"/events/{event.pk}/")
    axe_check(page)
    expect(page.get_by_role("heading", name="Phone bank for the primary")).to_be_visible()
    expect(page.get_by_text("Near Chicago, IL 60601")).to_be_visible()
    assert page.get_by_text("42 Lake Shore Drive").count() == 0
    expect(page.get_by_text("8 places left").first).to_be_visible()
    page.locator(".map .leaflet-marker-icon").wait_for()

    # A mistake first: an unknown ZIP gets a clear error.
    page.get_by_label("First name").fill("Gus")
    page.get_by_label("Last name").fill("Guest")
    page.get_by_label("Email").fill("gus@example.org")
    page.get_by_label("ZIP code").fill("00000")
    page.get_by_role("button", name="I'm going").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We don't know the ZIP code")).to_be_visible()
    axe_check(page)

    page.get_by_label("ZIP code").fill("60601")
    page.get_by_role("button", name="I'm going").click()
    page.wait_for_url(re.compile(rf"/events/{event.pk}/"))
    expect(page.get_by_text("You're going!")).to_be_visible()
    axe_check(page)

    person = Person.objects.get(email="gus@example.org")
    attendance = Attendance.objects.get(event=event, person=person)
    assert attendance.status == Attendance.Status.CONFIRMED

    # The confirmation in the mail folder: the address, the calendar file, the cancel link.
    messages = _mails(mail_dir)
    assert [m["To"] for m in messages] == ["gus@example.org"]
    message = messages[0]
    assert message["Subject"] == "You're going: Phone bank for the primary"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "42 Lake Shore Drive" in body
    attachment = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    assert calendar.walk("VTIMEZONE") and calendar.walk("VEVENT")
    link = re.search(r"https?://\S+/events/rsvp/\S+/cancel/", body)
    assert link, body
    assert link.group(0).startswith(live_server.url)

    # Follow the link: a page with a button (opening it cancels nothing), then cancel.
    page.goto(link.group(0))
    axe_check(page)
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CONFIRMED
    page.get_by_role("button", name="Cancel my RSVP").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your RSVP is cancelled")).to_be_visible()
    axe_check(page)
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CANCELLED
    shift = event.shifts.get()
    assert shift.confirmed_count == 0
