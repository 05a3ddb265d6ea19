"""The `groups` collection: authorization matrix, paging, the near filter, create/update."""

from __future__ import annotations

import pytest

from groundswell.api.testing import ApiClient, token_for
from groundswell.core.models import AuditEntry
from groundswell.groups.models import Group, GroupMembership
from groundswell.groups.services import group_archive, group_create
from groundswell.groups.testing import UNKNOWN_ZIP, postal_codes_ensure
from groundswell.people.services import person_match_or_create

NEW = {"name": "Hoboken Votes", "focus": "campus", "location": {"postal_code": "07030"}}
ENDPOINTS = [
    ("get", "/api/v1/groups", None),
    ("get", "/api/v1/groups?near=10001&radius=5", None),
    ("post", "/api/v1/groups", NEW),
    ("get", "/api/v1/groups/{group}", None),
    ("put", "/api/v1/groups/{group}", {"name": "Renamed"}),
]
WRITES = {"post", "put"}


@pytest.fixture
def groups_world(db, member):
    postal_codes_ensure()
    group = group_create(
        creator=member,
        name="Chelsea for Change",
        focus="neighborhood",
        postal_code="10001",
        description="Canvass weekends",
        meeting_area="Library",
    )
    return {"group": group.pk, "member": member}


def _call(api: ApiClient, method: str, path: str, body, world):
    path = path.format(**world)
    if method in WRITES:
        return getattr(api, method)(path, body)
    return api.get(path)


def _snapshot() -> tuple:
    return (
        tuple(Group.objects.order_by("pk").values_list("pk", "name", "postal_code")),
        GroupMembership.objects.count(),
        AuditEntry.objects.filter(action__startswith="group.").count(),
    )


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_no_token_is_401_and_changes_nothing(anon_api, groups_world, method, path, body):
    before = _snapshot()
    response = _call(anon_api, method, path, body, groups_world)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_token_of_a_former_staff_member_is_401(
    client, organizer, groups_world, method, path, body
):
    secret = token_for(organizer)
    organizer.is_staff = False
    organizer.save(update_fields=["is_staff"])
    before = _snapshot()
    assert _call(ApiClient(client, secret), method, path, body, groups_world).status_code == 401
    assert _snapshot() == before


def test_a_members_token_is_refused(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_for(member)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_read_token_reads_but_cannot_write(read_api, groups_world, method, path, body):
    before = _snapshot()
    response = _call(read_api, method, path, body, groups_world)
    if method in WRITES:
        assert response.status_code == 403
        assert _snapshot() == before
    else:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/hal+json; charset=utf-8"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_write_token_may_do_everything(api, groups_world, method, path, body):
    response = _call(api, method, path, body, groups_world)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"


def test_the_entry_point_links_the_collection(api, db):
    links = api.get("/api/v1/").json()["_links"]
    assert links["osdi:groups"]["href"] == "http://testserver/api/v1/groups"


# --- Reading -------------------------------------------------------------------------------


def test_group_resource(api, groups_world):
    group_id = groups_world["group"]
    body = api.get(f"/api/v1/groups/{group_id}").json()
    assert body["identifiers"] == [f"groundswell:{group_id}"]
    assert body["origin_system"] == "Groundswell"
    assert (body["name"], body["focus"], body["description"]) == (
        "Chelsea for Change",
        "neighborhood",
        "Canvass weekends",
    )
    assert body["location"] == {
        "postal_code": "10001",
        "country": "US",
        "locality": "New York",
        "region": "NY",
        "location": {"latitude": 40.7484, "longitude": -73.9967, "accuracy": "Approximate"},
    }
    assert (body["meeting_area"], body["member_count"], body["status"]) == ("Library", 1, "active")
    assert body["browser_url"] == f"http://testserver/groups/{group_id}/"
    assert body["archived_date"] is None and body["created_date"].endswith("Z")
    links = body["_links"]
    assert links["self"]["href"] == f"http://testserver/api/v1/groups/{group_id}"
    assert links["osdi:events"]["href"] == f"http://testserver/api/v1/events?group={group_id}"
    person_id = groups_world["member"].person_id
    assert links["osdi:creator"]["href"] == f"http://testserver/api/v1/people/{person_id}"
    assert links["curies"][0]["name"] == "osdi"


@pytest.mark.parametrize("group_id", [987654, 2**70])
def test_missing_group_is_a_json_404(api, db, group_id):
    response = api.get(f"/api/v1/groups/{group_id}")
    assert response.status_code == 404
    assert response.json()["error"]


def test_list_pages_in_id_order_with_archived_groups(api, groups_world, member):
    for index in range(26):
        group_create(creator=member, name=f"G{index}", focus="issue", postal_code="19103")
    archived = Group.objects.get(name="G0")
    group_archive(group=archived, actor=member)
    body = api.get("/api/v1/groups").json()
    assert (body["page"], body["per_page"], body["total_records"], body["total_pages"]) == (
        1,
        25,
        27,
        2,
    )
    ids = [g["identifiers"][0] for g in body["_embedded"]["osdi:groups"]]
    expected = [
        f"groundswell:{pk}" for pk in Group.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert ids == expected[:25]
    assert body["_links"]["next"]["href"] == "http://testserver/api/v1/groups?page=2"
    second = api.get(body["_links"]["next"]["href"]).json()
    assert [g["identifiers"][0] for g in second["_embedded"]["osdi:groups"]] == expected[25:]
    statuses = {g["name"]: g["status"] for g in body["_embedded"]["osdi:groups"]}
    assert statuses["G0"] == "archived"


def test_near_filter_is_nearest_first_and_keeps_its_parameters_in_links(api, groups_world, member):
    for code, name in [("11201", "Brooklyn"), ("10011", "Village"), ("19103", "Philly")]:
        group_create(creator=member, name=name, focus="issue", postal_code=code)
    body = api.get("/api/v1/groups", {"near": "10001", "radius": "5", "per_page": "2"}).json()
    assert body["total_records"] == 3
    names = [g["name"] for g in body["_embedded"]["osdi:groups"]]
    assert names == ["Chelsea for Change", "Village"]
    assert [g["distance_miles"] for g in body["_embedded"]["osdi:groups"]] == [0.0, 0.59]
    next_href = body["_links"]["next"]["href"]
    assert "near=10001" in next_href and "radius=5" in next_href and "page=2" in next_href
    second = api.get(next_href).json()
    assert [g["name"] for g in second["_embedded"]["osdi:groups"]] == ["Brooklyn"]
    assert api.get("/api/v1/groups").json()["_embedded"]["osdi:groups"][0]["distance_miles"] is None


def test_near_filter_errors(api, groups_world):
    response = api.get("/api/v1/groups", {"near": UNKNOWN_ZIP})
    assert response.status_code == 400
    assert "near" in response.json()["details"]
    assert api.get("/api/v1/groups", {"near": "10001", "radius": "5000"}).status_code == 400
    assert api.get("/api/v1/groups", {"near": "10001", "radius": "-1"}).status_code == 400


def test_list_queries_do_not_grow(api, groups_world, member, django_assert_max_num_queries):
    for index in range(30):
        group_create(creator=member, name=f"G{index}", focus="issue", postal_code="10011")
    # token, token touch (at most), count, page (+ creator joined), near: postal code
    with django_assert_max_num_queries(5):
        assert api.get("/api/v1/groups", {"near": "10001"}).status_code == 200
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/groups").status_code == 200


# --- Writing -------------------------------------------------------------------------------


def test_create_makes_the_token_owner_leader_by_default(api, db, hq):
    postal_codes_ensure()
    response = api.post(
        "/api/v1/groups", {**NEW, "description": "Students", "meeting_area": "Hall"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    group = Group.objects.get(pk=int(body["identifiers"][0].split(":")[1]))
    assert (group.name, group.focus, group.postal_code) == ("Hoboken Votes", "campus", "07030")
    assert body["location"]["locality"] == "Hoboken"
    assert GroupMembership.objects.get(group=group).user == hq
    assert GroupMembership.objects.get(group=group).role == "leader"
    assert AuditEntry.objects.get(action="group.create").actor == hq


def test_create_with_a_member_as_creator(api, groups_world, member):
    href = f"http://testserver/api/v1/people/{member.person_id}"
    response = api.post("/api/v1/groups", {**NEW, "_links": {"osdi:creator": {"href": href}}})
    assert response.status_code == 200, response.content
    group = Group.objects.get(name="Hoboken Votes")
    assert GroupMembership.objects.get(group=group, role="leader").user == member


def test_create_with_a_creator_without_an_account_is_refused(api, groups_world):
    person = person_match_or_create(email="no-login@example.org").person
    href = f"http://testserver/api/v1/people/{person.pk}"
    response = api.post("/api/v1/groups", {**NEW, "_links": {"osdi:creator": {"href": href}}})
    assert response.status_code == 422
    assert "_links.osdi:creator.href" in response.json()["details"]
    assert not Group.objects.filter(name="Hoboken Votes").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "location": {"postal_code": UNKNOWN_ZIP}}, "location.postal_code"),
        ({**NEW, "location": {}}, "location.postal_code"),
        ({"focus": "issue", "location": {"postal_code": "10001"}}, "name"),
        ({**NEW, "focus": "party"}, "focus"),
        ({**NEW, "location": {"postal_code": "10001", "country": "USA"}}, "location.country"),
    ],
)
def test_create_validation(api, groups_world, body, field):
    before = _snapshot()
    response = api.post("/api/v1/groups", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["details"]
    assert _snapshot() == before


def test_update_is_partial(api, groups_world, hq):
    group_id = groups_world["group"]
    response = api.put(
        f"/api/v1/groups/{group_id}",
        {"meeting_area": "Town hall", "location": {"postal_code": "11201"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["meeting_area"]) == ("Chelsea for Change", "Town hall")
    assert body["location"]["locality"] == "Brooklyn"
    entry = AuditEntry.objects.get(action="group.update")
    assert entry.actor == hq and entry.details == {"fields": ["meeting_area", "postal_code"]}


def test_update_errors(api, groups_world):
    group_id = groups_world["group"]
    response = api.put(f"/api/v1/groups/{group_id}", {"location": {"postal_code": UNKNOWN_ZIP}})
    assert response.status_code == 422
    assert "location.postal_code" in response.json()["details"]
    assert api.put("/api/v1/groups/987654", {"name": "x"}).status_code == 404
    assert Group.objects.get(pk=group_id).postal_code == "10001"
