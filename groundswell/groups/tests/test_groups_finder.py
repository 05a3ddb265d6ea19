"""The public finder `/groups/?near=ZIP&radius=MILES&focus=&q=`."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from groundswell.accounts.models import Profile
from groundswell.accounts.testing import make_member
from groundswell.groups.services import group_archive, group_join
from groundswell.groups.testing import UNKNOWN_ZIP, new_group

pytestmark = pytest.mark.django_db

FINDER = reverse("groups:finder")


def _names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/groups/\d+/">([^<]+)</a></h3>', html)


@pytest.fixture
def groups_by_zip(leader):
    """Groups at known distances from ZIP 10001."""
    return {
        code: new_group(leader, name=name, postal_code=code, focus=focus, description=text)
        for code, name, focus, text in [
            ("11201", "Brooklyn Heights Votes", "neighborhood", "Door knocking in Brooklyn"),
            ("10001", "Chelsea for Change", "neighborhood", "Canvass weekends"),
            ("19103", "Philly Phone Bank", "issue", "We call voters"),
            ("07030", "Hoboken Students", "campus", "Campus canvass"),
            ("10011", "West Village Climate", "issue", "Climate action"),
            ("60601", "Chicago Loop", "constituency", "Far away"),
        ]
    }


def test_nearest_first_with_distances(client, groups_by_zip):
    response = client.get(FINDER, {"near": "10001", "radius": "5"})
    html = response.content.decode()
    assert _names(html) == [
        "Chelsea for Change",
        "West Village Climate",
        "Hoboken Students",
        "Brooklyn Heights Votes",
    ]
    assert "4 groups within 5 miles of 10001 (New York, NY)" in html
    assert "0 miles away" in html  # the group in the searched ZIP
    assert "0.6 miles away" in html and "3.8 miles away" in html


def test_radius_widens_the_search(client, groups_by_zip):
    html = client.get(FINDER, {"near": "10001", "radius": "100"}).content.decode()
    assert _names(html)[-1] == "Philly Phone Bank"
    assert "Chicago Loop" not in html
    assert "83 miles away" in html


def test_a_shared_url_with_any_radius_within_bounds_works(client, groups_by_zip):
    html = client.get(FINDER, {"near": "10001", "radius": "2"}).content.decode()
    assert _names(html) == ["Chelsea for Change", "West Village Climate", "Hoboken Students"]
    assert 'value="2" selected' in html


@pytest.mark.parametrize("radius", ["abc", "0", "9999"])
def test_a_bad_radius_is_an_error_on_the_form(client, groups_by_zip, radius):
    response = client.get(FINDER, {"near": "10001", "radius": radius})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_radius_error"' in html
    assert _names(html) == []


def test_unknown_zip_is_a_clear_error_on_the_form(client, groups_by_zip):
    response = client.get(FINDER, {"near": UNKNOWN_ZIP})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"know the postal code “{UNKNOWN_ZIP}”. Check it and try again." in html
    assert 'id="id_near_error"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_near_error"' in html
    assert _names(html) == []


def test_filter_by_focus_and_text(client, groups_by_zip):
    html = client.get(FINDER, {"near": "10001", "radius": "100", "focus": "issue"}).content.decode()
    assert _names(html) == ["West Village Climate", "Philly Phone Bank"]
    html = client.get(FINDER, {"near": "10001", "radius": "100", "q": "canvass"}).content.decode()
    assert _names(html) == ["Chelsea for Change", "Hoboken Students"]
    html = client.get(FINDER, {"q": "loop"}).content.decode()
    assert _names(html) == ["Chicago Loop"]


def test_without_a_zip_the_largest_groups_come_first(client, groups_by_zip, member, other_member):
    for user in (member, other_member):
        group_join(group=groups_by_zip["60601"], user=user)
    group_join(group=groups_by_zip["19103"], user=member)
    html = client.get(FINDER).content.decode()
    assert _names(html)[:2] == ["Chicago Loop", "Philly Phone Bank"]
    assert "6 groups, largest first" in html
    assert "miles away" not in html


def test_archived_groups_are_not_listed(client, groups_by_zip, leader):
    group_archive(group=groups_by_zip["10001"], actor=leader)
    html = client.get(FINDER, {"near": "10001", "radius": "5"}).content.decode()
    assert "Chelsea for Change" not in html


def test_empty_state_invites_to_start_a_group(client, groups_by_zip):
    html = client.get(FINDER, {"near": "60601", "radius": "5", "focus": "campus"}).content.decode()
    assert "0 groups within 5 miles of 60601" in html
    assert "no group near you yet" in html
    assert f'href="{reverse("groups:create")}"' in html
    assert 'id="map-data"' not in html


def test_the_profile_zip_is_the_default(client, groups_by_zip, member):
    Profile.objects.filter(user=member).update(postal_code="11201", country="US")
    client.force_login(member)
    html = client.get(FINDER).content.decode()
    assert "within 25 miles of 11201 (Brooklyn, NY)" in html
    assert _names(html)[0] == "Brooklyn Heights Votes"
    assert 'value="11201"' in html
    # An explicit empty search is respected.
    assert "largest first" in client.get(FINDER, {"near": ""}).content.decode()


def test_pagination_keeps_the_search(client, leader):
    for index in range(23):
        new_group(leader, name=f"Group {index:02d}", postal_code="10001")
    first = client.get(FINDER, {"near": "10001", "radius": "10"}).content.decode()
    assert len(_names(first)) == 20
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "near=10001" in next_link and "radius=10" in next_link and "page=2" in next_link
    assert next_link.startswith("?")
    second = client.get(FINDER + next_link).content.decode()
    assert len(_names(second)) == 3
    assert not set(_names(first)) & set(_names(second))
    beyond = client.get(FINDER, {"near": "10001", "radius": "10", "page": "99"}).content.decode()
    assert _names(beyond) == _names(second)


def test_map_data_lists_the_groups_of_the_page(client, groups_by_zip):
    html = client.get(FINDER, {"near": "10001", "radius": "5"}).content.decode()
    block = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["center"] == [40.7484, -73.9967]
    assert [m["title"] for m in data["markers"]] == _names(html)
    assert data["markers"][0]["url"] == f"/groups/{groups_by_zip['10001'].pk}/"
    assert "groundswell/vendor/leaflet/leaflet.js" in html and "groundswell/map.js" in html
    assert 'class="map" hidden' in html  # the list works without it


def test_the_map_json_cannot_break_out_of_its_block(client, leader):
    new_group(leader, name="</script><script>alert(1)</script>", postal_code="10001")
    html = client.get(FINDER, {"near": "10001"}).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("size", [2, 25])
def test_finder_queries_do_not_grow(client, leader, size, django_assert_num_queries):
    for index in range(size):
        new_group(leader, name=f"Group {index}", postal_code="10011")
    with django_assert_num_queries(3):  # postal code, count, page
        response = client.get(FINDER, {"near": "10001", "radius": "25"})
    assert len(_names(response.content.decode())) == min(size, 20)


@pytest.mark.parametrize("size", [2, 25])
def test_finder_queries_for_a_member(client, leader, size, django_assert_num_queries):
    member = make_member("zip@example.org")
    Profile.objects.filter(user=member).update(postal_code="10001")
    for index in range(size):
        new_group(leader, name=f"Group {index}", postal_code="10011")
    client.force_login(member)
    with django_assert_num_queries(6):  # session, user, profile, postal code, count, page
        response = client.get(FINDER)
    assert len(_names(response.content.decode())) == min(size, 20)


def test_an_empty_radius_means_the_default(client, groups_by_zip):
    html = client.get(FINDER, {"near": "10001", "radius": ""}).content.decode()
    assert "within 25 miles of 10001" in html


def test_the_finder_in_french(client, groups_by_zip):
    client.cookies["django_language"] = "fr"
    html = client.get(FINDER, {"near": "10001", "radius": "5"}).content.decode()
    assert "Trouver un groupe près de chez vous" in html
    assert "4 groupes à moins de 5 miles de 10001 (New York, NY)" in html
    assert "à 0,6 miles" in html
