"""Hosting, end to end in a real browser: a member creates an event (it waits for approval),
an organizer approves it in a second browser, and the host checks someone in at the door
(htmx swaps the row in place). axe-core checks each page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.accounts.testing import PASSWORD, make_member
from groundswell.events.models import Attendance, Event
from groundswell.events.rsvp.services import attendance_rsvp
from groundswell.geo.models import PostalCode
from groundswell.people.models import Person


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


@pytest.mark.django_db(transaction=True)
def test_create_approve_and_check_in(page, browser, axe_check, live_server):
    PostalCode.objects.get_or_create(
        country="US",
        code="10001",
        defaults={
            "place_name": "New York",
            "admin1": "NY",
            "latitude": 40.75,
            "longitude": -73.99,
            "time_zone": "America/New_York",
        },
    )
    make_member("host@example.org", given_name="Hana", family_name="Host")
    make_member("organizer@example.org", staff_role="organizer")
    day = (timezone.localdate() + timedelta(days=5)).isoformat()

    # A member creates an event: it waits for approval.
    _log_in(page, "host@example.org")
    page.goto("/events/new/")
    axe_check(page)
    page.get_by_label("Type of event").select_option("canvass")
    page.get_by_label("Title").fill("Chelsea doors")
    page.locator("#id_date").fill(day)
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("12:00")
    page.locator("#id_capacity").fill("10")
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_role("button", name="Create the event").click()
    page.wait_for_url(re.compile(r"/events/\d+/manage/$"))
    axe_check(page)
    expect(page.get_by_text("waiting for an organizer's approval").first).to_be_visible()
    event = Event.objects.get(title="Chelsea doors")
    assert event.status == Event.Status.PENDING

    # An organizer approves it, in a second browser.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    organizer_page = context.new_page()
    organizer_page.set_default_timeout(10_000)
    organizer_errors: list[str] = []
    organizer_page.on(
        "console", lambda msg: organizer_errors.append(msg.text) if msg.type == "error" else None
    )
    _log_in(organizer_page, "organizer@example.org")
    organizer_page.goto("/events/approvals/")
    axe_check(organizer_page)
    organizer_page.get_by_role("button", name="Approve Chelsea doors").click()
    organizer_page.wait_for_url(re.compile(r"/events/approvals/$"))
    expect(organizer_page.get_by_text("“Chelsea doors” is published.")).to_be_visible()
    axe_check(organizer_page)
    context.close()
    assert not organizer_errors, organizer_errors
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    # Someone signs up; the host checks them in at the door.
    person = Person.objects.create(email="ana@example.org", given_name="Ana", family_name="Alvarez")
    attendance = attendance_rsvp(event=event, person=person).attendance
    page.goto(f"/events/{event.pk}/manage/")
    axe_check(page)
    expect(page.get_by_text("ana@example.org")).to_be_visible()
    page.get_by_role("link", name="Check people in").first.click()
    page.wait_for_url(re.compile(r"/check-in/$"))
    axe_check(page)
    page.get_by_role("button", name="Check in Ana Alvarez").click()
    row = page.locator(f"#attendance-{attendance.pk}")
    row.get_by_text("Checked in").wait_for()
    assert page.url.endswith(f"/events/{event.pk}/check-in/")  # swapped in place, no reload
    axe_check(page)
    assert Attendance.objects.get(pk=attendance.pk).attended is True
