"""Journey: a member on a phone finds their own tools from the header, the campaigns from the
finder, and a group's "host for this group" and calendar links; every page checked with axe."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from groundswell.accounts.testing import PASSWORD, make_member
from groundswell.events.campaigns.services import event_campaign_create
from groundswell.events.testing import host_event, next_week_local
from groundswell.geo.testing import postal_codes_put
from groundswell.groups.services import group_create

ZIPS = {
    "10001": ("New York", "NY", 40.7484, -73.9967, "America/New_York"),
    "07102": ("Newark", "NJ", 40.7357, -74.1724, "America/New_York"),
}

TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.mark.django_db(transaction=True)
def test_discoverability_on_a_phone(page, axe_check, live_server, settings):
    tile_host = re.escape(settings.TILE_SERVER_URL.split("/")[2])
    page.route(
        re.compile(rf"https?://{tile_host}/.*"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )
    postal_codes_put(ZIPS)
    organizer = make_member("org@example.org", staff_role="organizer")
    campaign = event_campaign_create(
        actor=organizer, name="Weekend of Action", description="Knock doors."
    )
    host_event(
        organizer,
        publish_as=organizer,
        campaign=campaign,
        title="Newark canvass",
        postal_code="07102",
        starts_at_local=next_week_local(10, days=3),
        ends_at_local=next_week_local(12, days=3),
    )
    host_event(
        organizer,
        publish_as=organizer,
        campaign=campaign,
        title="Chelsea canvass",
        postal_code="10001",
        starts_at_local=next_week_local(10, days=5),
        ends_at_local=next_week_local(12, days=5),
    )
    maya = make_member("maya@example.org", given_name="Maya", postal_code="10001")
    group = group_create(
        creator=maya, name="Chelsea for Change", focus="neighborhood", postal_code="10001"
    )

    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/?next=/events/")
    page.get_by_label("Email").fill("maya@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/events/$"))

    # The header's disclosure, by keyboard.
    summary = page.locator(".nav-menu summary")
    expect(summary).to_be_visible()
    my_groups = page.get_by_role("link", name="My groups")
    expect(my_groups).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(my_groups).to_be_visible()
    box = page.locator(".nav-menu ul").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    axe_check(page)
    page.keyboard.press("Tab")
    expect(my_groups).to_be_focused()
    page.keyboard.press("Escape")
    expect(my_groups).to_be_hidden()
    expect(summary).to_be_focused()
    # A click elsewhere closes it too.
    summary.click()
    expect(my_groups).to_be_visible()
    page.locator("h1").click()
    expect(my_groups).to_be_hidden()
    summary.click()
    page.get_by_role("link", name="Events I host").click()
    page.wait_for_url(re.compile(r"/events/hosting/$"))

    # The finder leads to the campaigns; the campaign page uses the profile ZIP.
    page.goto("/events/")
    page.get_by_role("link", name=re.compile("^Campaigns: join")).click()
    page.wait_for_url(re.compile(r"/events/campaigns/$"))
    axe_check(page)
    page.get_by_role("link", name="See the events of Weekend of Action").click()
    page.wait_for_url(re.compile(r"/events/campaigns/weekend-of-action/$"))
    expect(page.get_by_text("Showing events near the ZIP code in your profile.")).to_be_visible()
    titles = page.locator(".host-event-list h3, .host-event-list h2").all_inner_texts()
    assert [t for t in titles if "canvass" in t] == ["Chelsea canvass", "Newark canvass"], titles
    axe_check(page)

    # The group page: host for it, subscribe to its calendar.
    page.goto(f"/groups/{group.pk}/")
    expect(page.get_by_role("link", name="Subscribe in your calendar")).to_have_attribute(
        "href", f"/events/group/{group.pk}.ics"
    )
    expect(page.get_by_label("Or copy the group's calendar link")).to_have_value(
        re.compile(rf"^http://.+/events/group/{group.pk}\.ics$")
    )
    axe_check(page)
    page.get_by_role("link", name="Host an event for this group").click()
    page.wait_for_url(re.compile(rf"/events/new/\?group={group.pk}$"))
    expect(page.get_by_label("Group", exact=True)).to_have_value(str(group.pk))
    axe_check(page)

    # Wider screen: the menu is a dropdown under its summary.
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto("/events/")
    page.locator(".nav-menu summary").click()
    expect(page.get_by_role("link", name="My groups")).to_be_visible()
