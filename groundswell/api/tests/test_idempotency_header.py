"""`Idempotency-Key` on API POSTs, end to end on POST /api/v1/tags (decision 0021)."""

from __future__ import annotations

import json

import pytest

from groundswell.api import taggings
from groundswell.api.models import ApiToken
from groundswell.api.testing import ApiClient, token_for
from groundswell.core.models import IdempotencyKey
from groundswell.people.models import Tag

TAGS = "/api/v1/tags"


def _key(value: str = "3f1c2a9e-key-1") -> dict[str, str]:
    return {"Idempotency-Key": value}


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_without_running_again(api):
    first = api.post(TAGS, {"name": "Volunteer"}, headers=_key())
    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first
    # Were the POST to run again it would answer the tag as it is now, or create it anew.
    Tag.objects.all().delete()

    again = api.post(TAGS, {"name": "Volunteer"}, headers=_key())

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert again.content == first.content
    assert not Tag.objects.exists()


@pytest.mark.django_db
def test_the_same_body_spelled_differently_is_the_same_request(api):
    api.post(TAGS, '{"name": "Volunteer"}', headers=_key())
    again = api.post(TAGS, '{ "name":"Volunteer" }', headers=_key())
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422(api):
    api.post(TAGS, {"name": "Volunteer"}, headers=_key())

    response = api.post(TAGS, {"name": "Donor"}, headers=_key())

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "Idempotency-Key" in response.json()["error"]
    assert not Tag.objects.filter(name="Donor").exists()


@pytest.mark.django_db
def test_a_key_still_in_flight_is_a_409(api, monkeypatch):
    """A retry sent while the first request is still running (here: from inside it)."""
    seen = []
    real_tag_create = taggings.tag_create

    def slow_tag_create(**kwargs):
        seen.append(api.post(TAGS, {"name": "Volunteer"}, headers=_key()))
        return real_tag_create(**kwargs)

    monkeypatch.setattr(taggings, "tag_create", slow_tag_create)

    first = api.post(TAGS, {"name": "Volunteer"}, headers=_key())

    assert first.status_code == 200
    [retry] = seen
    assert retry.status_code == 409
    assert "Idempotency-Key" in retry.json()["error"]
    assert Tag.objects.count() == 1
    assert api.post(TAGS, {"name": "Volunteer"}, headers=_key())["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_key_longer_than_255_characters_is_a_400(api):
    response = api.post(TAGS, {"name": "Volunteer"}, headers=_key("k" * 256))
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]
    assert not Tag.objects.exists()
    assert api.post(TAGS, {"name": "Volunteer"}, headers=_key("k" * 255)).status_code == 200


@pytest.mark.django_db
def test_a_server_error_is_not_stored_so_the_retry_runs(api, monkeypatch):
    real_tag_create = taggings.tag_create
    calls = []

    def fails_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real_tag_create(**kwargs)

    monkeypatch.setattr(taggings, "tag_create", fails_once)

    assert api.post(TAGS, {"name": "Volunteer"}, headers=_key()).status_code == 500
    assert not IdempotencyKey.objects.exists()
    retry = api.post(TAGS, {"name": "Volunteer"}, headers=_key())

    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_an_error_answered_by_the_endpoint_is_stored(api):
    path = "/api/v1/tags/999999/taggings"
    body = {"_links": {"osdi:person": {"href": "http://testserver/api/v1/people/1"}}}
    first = api.post(path, body, headers=_key())
    assert first.status_code == 404

    again = api.post(path, body, headers=_key())

    assert again.status_code == 404 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.django_db
def test_a_body_refused_before_the_endpoint_runs_is_not_stored(api):
    """As at Stripe: a request that failed validation ran nothing, so it claims nothing."""
    assert api.post(TAGS, {}, headers=_key()).status_code == 422
    assert api.post(TAGS, "{not json", headers=_key()).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert api.post(TAGS, {"name": "Volunteer"}, headers=_key()).status_code == 200


@pytest.mark.django_db
def test_unauthenticated_and_read_only_requests_store_nothing(anon_api, read_api):
    assert anon_api.post(TAGS, {"name": "Volunteer"}, headers=_key()).status_code == 401
    assert read_api.post(TAGS, {"name": "Volunteer"}, headers=_key()).status_code == 403
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_keys_belong_to_the_token_owner_and_the_path(api, client, organizer):
    api.post(TAGS, {"name": "Volunteer"}, headers=_key())

    # Another staff member's token: their key of the same value is their own.
    other = ApiClient(client, token_for(organizer, ApiToken.Scope.WRITE))
    theirs = other.post(TAGS, {"name": "Donor"}, headers=_key())
    assert theirs.status_code == 200 and "Idempotent-Replayed" not in theirs

    # The same key on another endpoint is another key.
    tag_id = Tag.objects.get(name="Volunteer").pk
    nobody = {"_links": {"osdi:person": {"href": "http://testserver/api/v1/people/999999"}}}
    elsewhere = api.post(f"/api/v1/tags/{tag_id}/taggings", nobody, headers=_key())
    assert elsewhere.status_code == 422
    assert "Idempotent-Replayed" not in elsewhere
    assert IdempotencyKey.objects.count() == 3


@pytest.mark.django_db
def test_a_new_token_of_the_same_owner_replays(api, client, hq):
    """Keys are the owner's, not the token's: a retry sent after rotating the token still
    gets the first answer instead of running twice."""
    first = api.post(TAGS, {"name": "Volunteer"}, headers=_key())
    rotated = ApiClient(client, token_for(hq, ApiToken.Scope.WRITE))

    again = rotated.post(TAGS, {"name": "Volunteer"}, headers=_key())

    assert again["Idempotent-Replayed"] == "true" and again.content == first.content


@pytest.mark.django_db
def test_without_the_header_or_on_other_methods_nothing_is_stored(api):
    assert api.post(TAGS, {"name": "Volunteer"}).status_code == 200
    assert api.get(TAGS, headers=_key()).status_code == 200
    assert "Idempotent-Replayed" not in api.get(TAGS, headers=_key())
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_the_schema_declares_the_header_on_every_post(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert posts
    for operation in posts:
        names = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "Idempotency-Key" in names
        assert "409" in operation["responses"]
    for operations in schema["paths"].values():
        for method in set(operations) - {"post"}:
            parameters = operations[method].get("parameters", [])
            assert "Idempotency-Key" not in [p["name"] for p in parameters]
