"""Authorization matrix: every endpoint against every kind of token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create, api_token_revoke
from groundswell.api.testing import DENIED_TOKENS, ApiClient, token_for
from groundswell.core.models import AuditEntry
from groundswell.people.models import Person, PhoneNumber, Tag, Tagging
from groundswell.people.services import person_match_or_create, tag_create, tagging_add

SIGNUP = {"person": {"email_addresses": [{"address": "new@example.org"}]}}

# (method, path, body); {person}, {tag}, {tagging} are filled in from the `people_world` fixture.
ENDPOINTS = [
    ("get", "/api/v1/", None),
    ("get", "/api/v1/people", None),
    ("post", "/api/v1/people", SIGNUP),
    ("post", "/api/v1/people/person_signup_helper", SIGNUP),
    ("get", "/api/v1/people/{person}", None),
    ("put", "/api/v1/people/{person}", {"given_name": "Changed"}),
    ("get", "/api/v1/people/{person}/taggings", None),
    ("get", "/api/v1/tags", None),
    ("post", "/api/v1/tags", {"name": "Brand new tag"}),
    ("get", "/api/v1/tags/{tag}", None),
    ("get", "/api/v1/tags/{tag}/taggings", None),
    ("post", "/api/v1/tags/{tag}/taggings", "tagging-body"),
    ("get", "/api/v1/tags/{tag}/taggings/{tagging}", None),
    ("delete", "/api/v1/tags/{tag}/taggings/{tagging}", None),
]
WRITES = {"post", "put", "delete"}


@pytest.fixture
def people_world(db):
    person = person_match_or_create(
        email="someone@example.org", fields={"given_name": "Sam"}
    ).person
    other = person_match_or_create(email="other-person@example.org").person
    tag = tag_create(name="Volunteer")
    tagging = tagging_add(tag=tag, person=person)
    return {"person": person.pk, "other": other.pk, "tag": tag.pk, "tagging": tagging.pk}


def _call(api: ApiClient, method: str, path: str, body, people_world) -> object:
    path = path.format(**people_world)
    if body == "tagging-body":
        body = {
            "_links": {
                "osdi:person": {"href": f"http://testserver/api/v1/people/{people_world['other']}"}
            }
        }
    if method in {"post", "put"}:
        return getattr(api, method)(path, body)
    return getattr(api, method)(path)


def _snapshot() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        PhoneNumber.objects.count(),
        Tag.objects.count(),
        Tagging.objects.count(),
        AuditEntry.objects.count(),
        *Person.objects.filter(given_name="Changed").values_list("pk", flat=True),
    )


def _assert_json_error(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


@pytest.mark.parametrize("kind", DENIED_TOKENS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_denied_tokens_get_401_and_change_nothing(
    client, hq, organizer, people_world, kind, method, path, body
):
    api = ApiClient(client, DENIED_TOKENS[kind](hq, organizer))
    before = _snapshot()
    response = _call(api, method, path, body, people_world)
    _assert_json_error(response, 401)
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_read_token_reads_but_cannot_write(read_api, people_world, method, path, body):
    before = _snapshot()
    response = _call(read_api, method, path, body, people_world)
    if method in WRITES:
        _assert_json_error(response, 403)
        assert _snapshot() == before
    else:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/hal+json; charset=utf-8"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_write_token_may_do_everything(api, people_world, method, path, body):
    response = _call(api, method, path, body, people_world)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] != "get"])
def test_organizer_write_token_works_too(client, organizer, people_world, method, path, body):
    """Any active staff member's token works; who may mint one is the staff page's business."""
    api = ApiClient(client, token_for(organizer))
    assert _call(api, method, path, body, people_world).status_code == 200


def test_a_logged_in_staff_session_is_not_api_authentication(client, hq, people_world):
    client.force_login(hq)
    _assert_json_error(client.get("/api/v1/people"), 401)


def test_missing_and_invalid_tokens_are_told_apart(db, anon_api, client):
    assert "OSDI-API-Token" in anon_api.get("/api/v1/").json()["error"]
    invalid = ApiClient(client, "gs_nope").get("/api/v1/").json()["error"]
    assert "not valid" in invalid


def test_csrf_does_not_apply_to_token_calls(hq, write_token):
    api = ApiClient(Client(enforce_csrf_checks=True), write_token)
    response = api.post("/api/v1/people/person_signup_helper", SIGNUP)
    assert response.status_code == 200, response.content
    assert Person.objects.filter(email="new@example.org").exists()


def test_token_is_stored_hashed_only(hq):
    token, secret = api_token_create(user=hq, scope="read", name="n", created_by=hq)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in row.values()}
    assert row["key_hash"] != secret and len(row["key_hash"]) == 64
    assert secret.startswith(row["prefix"])


def test_tokens_for_members_are_refused(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_token_create(user=member, scope="read", name="n", created_by=member)
    assert not ApiToken.objects.exists()


def test_last_used_at_is_written_at_most_once_a_minute(api, write_token, django_assert_num_queries):
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    # Auth lookup + the UPDATE of last_used_at.
    with django_assert_num_queries(2):
        assert api.get("/api/v1/").status_code == 200
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    # Within the minute: the auth lookup only.
    with django_assert_num_queries(1):
        assert api.get("/api/v1/").status_code == 200
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/api/v1/")
    assert ApiToken.objects.get().last_used_at > first


def test_revoke_is_audited_once(hq):
    token, _secret = api_token_create(user=hq, scope="read", name="n", created_by=hq)
    api_token_revoke(token=token, actor=hq)
    first = ApiToken.objects.get().revoked_at
    api_token_revoke(token=token, actor=hq)
    assert ApiToken.objects.get().revoked_at == first
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1
