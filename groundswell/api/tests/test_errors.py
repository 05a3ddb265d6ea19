"""Every error is JSON with an `error` message; bad input is never a 500 or an HTML page."""

from __future__ import annotations

import pytest

from groundswell.people.models import Person, Tag

SIGNUP = '{"person": {"email_addresses": [{"address": "ct@example.org"}]}}'


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "application/xml",
    ],
)
def test_non_json_bodies_are_415(api, content_type):
    response = api.post("/api/v1/people/person_signup_helper", SIGNUP, content_type=content_type)
    body = _json_error(response, 415)
    assert "application/json" in body["error"]
    assert not Person.objects.filter(email="ct@example.org").exists()


def test_a_real_form_post_is_415(api):
    response = api.client.post(
        "/api/v1/tags", {"name": "From a form"}, headers={"OSDI-API-Token": api.token}
    )
    _json_error(response, 415)
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/hal+json", "application/json; charset=utf-8", ""],
)
def test_json_content_types_and_a_missing_one_are_accepted(api, content_type):
    response = api.post("/api/v1/people/person_signup_helper", SIGNUP, content_type=content_type)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("payload", ['{"person": ', "not json", "{'single': 'quotes'}", "\xff\xfe"])
def test_malformed_json_is_400(api, payload):
    body = _json_error(api.post("/api/v1/people/person_signup_helper", payload), 400)
    assert "JSON" in body["error"]


@pytest.mark.parametrize("payload", ["[]", '"a string"', "null", "{}", '{"person": []}'])
def test_json_of_the_wrong_shape_is_422(api, payload):
    body = _json_error(api.post("/api/v1/people/person_signup_helper", payload), 422)
    assert body["details"]


def test_validation_errors_name_the_field(api):
    body = _json_error(
        api.post(
            "/api/v1/people/person_signup_helper",
            {"person": {"email_addresses": [{"address": "a@example.org"}], "given_name": 12}},
        ),
        422,
    )
    assert list(body["details"]) == ["person.given_name"]


@pytest.mark.parametrize(
    "query", [{"page": 0}, {"page": "abc"}, {"per_page": 0}, {"per_page": "lots"}, {"page": "1.5"}]
)
def test_bad_query_parameters_are_400(api, query):
    body = _json_error(api.get("/api/v1/people", query), 400)
    assert body["details"]


def test_an_absurd_page_number_is_just_past_the_end(api):
    response = api.get("/api/v1/people", {"page": "99999999999999999999999"})
    assert response.status_code == 200
    assert response.json()["_embedded"]["osdi:people"] == []


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/nope/", "/api/v1/people/1/nope", "/api/v1/people/-1"]
)
def test_unknown_paths_are_json_404s_for_every_method(api, method, path):
    call = getattr(api, method)
    response = call(path) if method in {"get", "delete"} else call(path, {})
    _json_error(response, 404)


def test_unknown_paths_are_404_even_without_a_token(anon_api):
    _json_error(anon_api.post("/api/v1/nope", {}), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/people"),
        ("put", "/api/v1/tags"),
        ("post", "/api/v1/"),
        ("delete", "/api/v1/people/1"),
    ],
)
def test_wrong_methods_are_json_405s(api, method, path):
    call = getattr(api, method)
    response = call(path) if method == "delete" else call(path, {})
    _json_error(response, 405)
    assert response["Allow"]


def test_huge_ids_are_404_not_500(api):
    _json_error(api.get("/api/v1/people/99999999999999999999999999"), 404)
    _json_error(api.get("/api/v1/tags/99999999999999999999999999/taggings"), 404)


def test_an_unexpected_failure_is_a_json_500_that_is_logged(api, monkeypatch, caplog):
    from groundswell.api import people

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(people, "person_list", broken)
    body = _json_error(api.get("/api/v1/people"), 500)
    assert "boom" not in body["error"]
    assert any("boom" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)
