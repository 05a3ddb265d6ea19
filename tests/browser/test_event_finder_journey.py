"""A visitor finds events near a ZIP, widens the radius, narrows the type and opens an event,
in a real browser, with axe-core on every page (the map included); then the same finder with
JavaScript off still lists the events."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.accounts.testing import make_member
from groundswell.events.models import Event
from groundswell.events.testing import HOBOKEN, NYC, STAMFORD, make_event
from groundswell.geo.testing import postal_codes_put

# A 1x1 transparent PNG: map tiles are answered locally (tests never use the network).
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.mark.django_db(transaction=True)
def test_find_events_near_a_zip(page, browser, axe_check, live_server, settings):
    # A transactional test flushes the ZIP table between tests: put back what we use.
    postal_codes_put({"10001": ("New York", "NY", *NYC, "America/New_York")})
    host = make_member("host@example.org", given_name="Hana", family_name="Host")
    start = (timezone.now() + timedelta(days=3)).replace(hour=16, minute=0, second=0)
    make_event(host, at=NYC, title="Chelsea canvass", starts_at=start, capacity=10)
    make_event(
        host,
        at=HOBOKEN,
        title="Hoboken phone bank",
        event_type=Event.Type.PHONE_BANK,
        starts_at=start + timedelta(days=1),
        locality="Hoboken",
        region="NJ",
    )
    make_event(host, at=STAMFORD, title="Stamford rally", event_type=Event.Type.RALLY)
    make_event(host, title="Secret pending party", status=Event.Status.PENDING)
    tile_host = re.escape(settings.TILE_SERVER_URL.split("/")[2])
    page.route(
        re.compile(rf"https?://{tile_host}/.*"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )

    # The finder, then a search near a ZIP.
    page.goto("/events/")
    axe_check(page)
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_role("combobox", name="Within").select_option("10")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"near=10001"))
    heading = page.get_by_role("heading", name=re.compile("2 events within 10 miles of 10001"))
    expect(heading).to_be_visible()
    results = page.locator("#event-results h3")
    assert results.all_inner_texts() == ["Chelsea canvass", "Hoboken phone bank"]
    expect(page.get_by_text("10 places left")).to_be_visible()
    assert "Secret pending party" not in page.content()
    # The map is drawn from the JSON block, one marker per event on the page.
    page.locator(".map .leaflet-marker-icon").first.wait_for()
    assert page.locator(".map .leaflet-marker-icon").count() == 2
    axe_check(page)

    # A wider radius, sorted by distance.
    page.get_by_role("combobox", name="Within").select_option("50")
    page.get_by_role("combobox", name="Sort by").select_option("distance")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"radius=50"))
    assert results.all_inner_texts() == ["Chelsea canvass", "Hoboken phone bank", "Stamford rally"]
    expect(page.get_by_text(re.compile(r"^1\.\d miles away$"))).to_be_visible()
    page.locator(".map .leaflet-marker-icon").first.wait_for()
    assert page.locator(".map .leaflet-marker-icon").count() == 3
    axe_check(page)

    # Only phone banks: the URL is shareable.
    page.get_by_role("combobox", name="Type of event").select_option("phone_bank")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"type=phone_bank"))
    assert results.all_inner_texts() == ["Hoboken phone bank"]
    shared = page.url
    axe_check(page)

    # An unknown ZIP gets a clear error on the form.
    page.get_by_label("ZIP code").fill("00001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"near=00001"))
    expect(page.get_by_text("We don't know the ZIP code").first).to_be_visible()
    axe_check(page)

    # Nothing of that type near here: the empty state invites to host one.
    page.goto(shared.replace("type=phone_bank", "type=fundraiser"))
    expect(page.get_by_text("No events match your search near you yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Host an event").first).to_be_visible()
    axe_check(page)

    # Open an event from the list.
    page.goto(shared)
    page.get_by_role("link", name="Hoboken phone bank").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    expect(page.get_by_role("heading", name="Hoboken phone bank")).to_be_visible()
    axe_check(page)

    # With JavaScript off the list is the page; the map stays hidden.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(shared.replace("type=phone_bank", "type="))
        assert plain.locator("#event-results h3").all_inner_texts() == [
            "Chelsea canvass",
            "Hoboken phone bank",
            "Stamford rally",
        ]
        assert plain.locator(".map").is_hidden()
    finally:
        context.close()
