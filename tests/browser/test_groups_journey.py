"""A member finds groups near a ZIP, opens one, joins it and talks on its board, in a real
browser, with axe-core on every page (the map included)."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from groundswell.accounts.testing import PASSWORD, make_member
from groundswell.geo.testing import postal_codes_put
from groundswell.groups.models import GroupMembership, GroupPost
from groundswell.groups.services import group_create

# A 1x1 transparent PNG: map tiles are answered locally (tests never use the network).
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
ZIPS = {
    "10001": ("New York", "NY", 40.7484, -73.9967),
    "10011": ("New York", "NY", 40.7402, -73.9996),
    "11201": ("Brooklyn", "NY", 40.6940, -73.9903),
    "60601": ("Chicago", "IL", 41.8858, -87.6181),
}


@pytest.mark.django_db(transaction=True)
def test_find_join_and_post(page, axe_check, live_server, settings):
    postal_codes_put(ZIPS)
    leader = make_member("lead@example.org", given_name="Lee", family_name="Leader")
    for name, code in [
        ("Brooklyn Heights Votes", "11201"),
        ("Chelsea for Change", "10011"),
        ("Chicago Loop", "60601"),
    ]:
        group_create(
            creator=leader,
            name=name,
            focus="neighborhood",
            postal_code=code,
            description=f"{name} knocks doors every weekend.",
        )
    member = make_member("maya@example.org", given_name="Maya", family_name="Member")
    tile_host = re.escape(settings.TILE_SERVER_URL.split("/")[2])
    page.route(
        re.compile(rf"https?://{tile_host}/.*"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )

    # Sign in.
    page.goto("/accounts/login/?next=/groups/")
    axe_check(page)
    page.get_by_label("Email").fill("maya@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/groups/$"))
    axe_check(page)

    # Find groups near a ZIP.
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_label("Within").select_option("10")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"near=10001"))
    heading = page.get_by_role("heading", name=re.compile("2 groups within 10 miles of 10001"))
    expect(heading).to_be_visible()
    results = page.locator("#group-results h3")
    assert results.all_inner_texts() == ["Chelsea for Change", "Brooklyn Heights Votes"]
    expect(page.get_by_text("0.6 miles away")).to_be_visible()
    # The map is drawn from the JSON block, one marker per group on the page.
    page.locator(".map .leaflet-marker-icon").first.wait_for()
    assert page.locator(".map .leaflet-marker-icon").count() == 2
    axe_check(page)

    # An unknown ZIP gets a clear error on the form.
    page.get_by_label("ZIP code").fill("00001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"near=00001"))
    expect(page.get_by_text("We don't know the postal code").first).to_be_visible()
    axe_check(page)
    page.go_back()

    # Open a group and join it.
    page.get_by_role("link", name="Chelsea for Change").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    axe_check(page)
    page.get_by_role("button", name="Join this group").click()
    expect(page.get_by_text("Welcome to Chelsea for Change!")).to_be_visible()
    expect(page.get_by_role("button", name="Leave group")).to_be_visible()
    axe_check(page)
    assert GroupMembership.objects.filter(user=member, group__name="Chelsea for Change").exists()

    # Post on the board (htmx swaps the board in place).
    page.get_by_label("Message").fill("Who's coming on Saturday?\n\nWe meet at 10.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.get_by_text("Your post is on the board.").wait_for()
    assert (
        page.locator("#board .post-body").first.inner_text().startswith("Who's coming on Saturday?")
    )
    axe_check(page)

    # Reply to it.
    page.get_by_text("Reply", exact=True).click()
    page.get_by_label("Your reply").fill("Count me in!")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is on the board.").wait_for()
    expect(page.locator("#board .replies").get_by_text("Count me in!")).to_be_visible()
    axe_check(page)

    posts = GroupPost.objects.filter(author=member).order_by("pk")
    assert [p.parent_id is None for p in posts] == [True, False]
    assert posts[0].body == "<p>Who's coming on Saturday?</p><p>We meet at 10.</p>"

    # My groups lists it.
    page.goto("/groups/mine/")
    expect(page.get_by_role("link", name="Chelsea for Change")).to_be_visible()
    axe_check(page)
