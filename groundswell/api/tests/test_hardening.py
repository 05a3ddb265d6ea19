"""What a probe of the API found (issue 14): caching, oversized bodies, numbers and dates out
of range, and documentation links that lead somewhere."""

from __future__ import annotations

import pytest

BEYOND_64_BITS = 4370847047972365533184
MAX_ID = 2**63 - 1
EDGE_DATES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]


def _assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]
    return body


# --- Cache-Control: no-store ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/", "/api/v1/people", "/api/v1/tags", "/api/v1/events", "/api/v1/groups"],
)
def test_api_answers_are_never_cached(api, path):
    response = api.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_errors_are_never_cached_either(api, anon_api):
    responses = [
        anon_api.get("/api/v1/people"),  # 401
        api.get("/api/v1/people/999999"),  # 404 from a view
        api.get("/api/v1/no/such/endpoint"),  # 404 for any path
        api.client.patch("/api/v1/people", headers={"OSDI-API-Token": api.token}),  # 405
    ]
    assert [response.status_code for response in responses] == [401, 404, 404, 405]
    for response in responses:
        assert "no-store" in response["Cache-Control"]


# --- Oversized bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("headers", [None, {"Idempotency-Key": "big-body-1"}])
def test_a_body_over_the_upload_limit_is_413(api, settings, headers):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = {"name": "x" * 2_000}
    body_out = _assert_json_error(api.post("/api/v1/tags", body, headers=headers), 413)
    assert "too large" in body_out["error"]


def test_a_body_under_the_limit_still_works(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    assert api.post("/api/v1/tags", {"name": "Volunteer"}).status_code == 200


# --- Numbers out of range ------------------------------------------------------------------

ID_PATHS = [
    "/api/v1/people/{id}",
    "/api/v1/people/{id}/taggings",
    "/api/v1/tags/{id}",
    "/api/v1/tags/{id}/taggings",
    "/api/v1/tags/1/taggings/{id}",
    "/api/v1/groups/{id}",
    "/api/v1/events/{id}",
    "/api/v1/events/{id}/attendances",
    "/api/v1/events/1/attendances/{id}",
]


@pytest.mark.parametrize("path", ID_PATHS)
@pytest.mark.parametrize("number", [MAX_ID, MAX_ID + 1, BEYOND_64_BITS])
def test_ids_past_64_bits_in_a_path_are_404(api, path, number):
    _assert_json_error(api.get(path.format(id=number)), 404)


@pytest.mark.parametrize("number", [MAX_ID + 1, BEYOND_64_BITS])
def test_writes_to_ids_past_64_bits_are_404(api, number):
    _assert_json_error(api.put(f"/api/v1/people/{number}", {"given_name": "Ana"}), 404)
    _assert_json_error(api.delete(f"/api/v1/tags/1/taggings/{number}"), 404)
    _assert_json_error(
        api.post(f"/api/v1/events/{number}/record_attendance_helper", {"person": {}}), 404
    )


@pytest.mark.parametrize("group", [str(BEYOND_64_BITS), str(MAX_ID + 1), "-" + str(BEYOND_64_BITS)])
def test_a_group_filter_past_64_bits_is_400(api, group):
    body = _assert_json_error(api.get("/api/v1/events", {"group": group}), 400)
    assert "group" in body["details"]


def test_a_group_id_past_64_bits_in_a_body_is_refused(api):
    body = _assert_json_error(
        api.post("/api/v1/events", {"title": "Canvass", "groundswell:group": BEYOND_64_BITS}), 422
    )
    assert "groundswell:group" in body["details"]


# --- Dates at the edges --------------------------------------------------------------------


@pytest.mark.parametrize("value", EDGE_DATES)
@pytest.mark.parametrize("field", ["modified_date", "created_date"])
@pytest.mark.parametrize("operator", ["gt", "lt"])
def test_people_filter_dates_at_the_edges_are_400(api, value, field, operator):
    body = _assert_json_error(
        api.get("/api/v1/people", {"filter": f"{field} {operator} '{value}'"}), 400
    )
    assert body["details"] == {"field": field}


@pytest.mark.parametrize("value", EDGE_DATES)
@pytest.mark.parametrize("parameter", ["start_after", "start_before"])
def test_event_date_parameters_at_the_edges_are_400(api, value, parameter):
    body = _assert_json_error(api.get("/api/v1/events", {parameter: value}), 400)
    assert body["details"] == {"field": parameter}


@pytest.mark.parametrize("value", EDGE_DATES)
@pytest.mark.parametrize("operator", ["gt", "lt"])
def test_event_filter_dates_at_the_edges_are_400(api, value, operator):
    response = api.get("/api/v1/events", {"filter": f"start_date {operator} '{value}'"})
    assert _assert_json_error(response, 400)["details"] == {"field": "start_date"}


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59+14:00", "9999-12-31", "0001-01-01"])
def test_far_dates_that_exist_in_utc_still_filter(api, value):
    assert api.get("/api/v1/people", {"filter": f"modified_date lt '{value}'"}).status_code == 200
    assert api.get("/api/v1/events", {"start_before": value}).status_code == 200


# --- Documentation links -------------------------------------------------------------------


def test_every_curie_leads_to_the_api_reference(api, client):
    links = api.get("/api/v1/").json()["_links"]
    (curie,) = links["curies"]
    assert curie["name"] == "osdi"
    assert curie["templated"] is True
    rels = [rel.removeprefix("osdi:") for rel in links if rel.startswith("osdi:")]
    assert rels
    for rel in [*rels, "person", "tag", "taggings", "attendances", "not_a_rel"]:
        href = curie["href"].replace("{rel}", rel)
        response = client.get(href)
        assert response.status_code == 302, (rel, response.status_code)
        assert response["Location"].startswith("http://testserver/api/v1/docs")
        assert client.get(response["Location"]).status_code == 200


def test_the_people_curie_opens_the_people_section(client, db):
    response = client.get("/api/v1/docs/rels/people")
    assert response["Location"] == "http://testserver/api/v1/docs#/people"


def test_a_401_says_where_the_documentation_is(anon_api, client):
    body = _assert_json_error(anon_api.get("/api/v1/people"), 401)
    documentation = body["details"]["documentation"]
    assert documentation == "http://testserver/api/v1/docs"
    assert client.get(documentation).status_code == 200
