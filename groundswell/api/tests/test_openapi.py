"""The entry point, the OpenAPI schema and the docs page."""

from __future__ import annotations

import re

import pytest

from groundswell.api.registry import AEP_LINKS


def test_entry_point(api):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    body = response.json()
    assert body["vendor_name"] == "Groundswell"
    assert body["product_name"] == "Groundswell"
    assert body["osdi_version"] == "1.0"
    assert body["max_pagesize"] == 100
    assert body["motd"]
    links = body["_links"]
    assert links["self"]["href"] == "http://testserver/api/v1/"
    assert links["osdi:people"]["href"] == "http://testserver/api/v1/people"
    assert links["osdi:tags"]["href"] == "http://testserver/api/v1/tags"
    assert (
        links["osdi:person_signup_helper"]["href"]
        == "http://testserver/api/v1/people/person_signup_helper"
    )
    assert links["docs"]["href"] == "http://testserver/api/v1/docs"
    assert links["curies"] == [
        {"name": "osdi", "href": "http://testserver/api/v1/docs/rels/{rel}", "templated": True}
    ]
    # Every registered collection is linked, so new resources only need to register.
    assert {link.rel for link in AEP_LINKS} <= set(links)


def test_every_aep_link_resolves(api):
    links = api.get("/api/v1/").json()["_links"]
    for rel, link in links.items():
        if rel in {"curies", "docs"} or rel.endswith("signup_helper"):
            continue
        assert api.get(link["href"]).status_code == 200, rel


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_schema_lists_every_endpoint(schema):
    assert {(path, method) for path, method, _op in _operations(schema)} == {
        ("/api/v1/", "get"),
        ("/api/v1/people", "get"),
        ("/api/v1/people", "post"),
        ("/api/v1/people/person_signup_helper", "post"),
        ("/api/v1/people/{person_id}", "get"),
        ("/api/v1/people/{person_id}", "put"),
        ("/api/v1/people/{person_id}/taggings", "get"),
        ("/api/v1/tags", "get"),
        ("/api/v1/tags", "post"),
        ("/api/v1/tags/{tag_id}", "get"),
        ("/api/v1/tags/{tag_id}/taggings", "get"),
        ("/api/v1/tags/{tag_id}/taggings", "post"),
        ("/api/v1/tags/{tag_id}/taggings/{tagging_id}", "get"),
        ("/api/v1/tags/{tag_id}/taggings/{tagging_id}", "delete"),
        ("/api/v1/groups", "get"),
        ("/api/v1/groups", "post"),
        ("/api/v1/groups/{group_id}", "get"),
        ("/api/v1/groups/{group_id}", "put"),
        ("/api/v1/events", "get"),
        ("/api/v1/events", "post"),
        ("/api/v1/events/{event_id}", "get"),
        ("/api/v1/events/{event_id}", "put"),
        ("/api/v1/events/{event_id}/attendances", "get"),
        ("/api/v1/events/{event_id}/attendances/{attendance_id}", "get"),
        ("/api/v1/events/{event_id}/record_attendance_helper", "post"),
    }


def test_every_operation_declares_its_status_codes(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        where = f"{method.upper()} {path}"
        assert {"200", "401"} <= codes, where
        if method != "get":
            assert "403" in codes, where
        if method in {"post", "put"}:
            assert {"400", "415", "422"} <= codes, where
        if "{" in path:
            assert "404" in codes, where
        if "page" in {p["name"] for p in operation.get("parameters", [])}:
            assert "400" in codes, where
        assert operation["security"] == [{"OsdiToken": []}], where
        for code, response in operation["responses"].items():
            (content_type,) = response["content"]
            expected = "application/hal+json" if code.startswith("2") else "application/json"
            assert content_type == expected, (where, code)


def test_schema_declares_the_token_header(schema):
    assert schema["components"]["securitySchemes"]["OsdiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "OSDI-API-Token",
    }


def test_person_schema_uses_osdi_names(schema):
    person = schema["components"]["schemas"]["PersonOut"]["properties"]
    assert {"identifiers", "email_addresses", "postal_addresses", "phone_numbers", "_links"} <= set(
        person
    )


def test_docs_page_is_served_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources)
    # No inline script may run under our CSP; the settings block is inert JSON.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline)
    assert "cdn" not in html.lower()
    for src in sources:
        assert client.get(src).status_code == 200, src
