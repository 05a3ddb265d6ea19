"""Staff pages for API tokens: HQ only; the token is shown once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create
from groundswell.api.testing import ApiClient
from groundswell.core.models import AuditEntry

LIST = "/staff/api-tokens/"


def _client_for(request, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("member", 404), ("other_member", 404), ("organizer", 404), ("hq", 200)],
)
def test_list_page_authorization(request, db, persona, status):
    response = _client_for(request, persona).get(LIST)
    assert response.status_code == status
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_superusers_may_manage_tokens(admin_client):
    assert admin_client.get(LIST).status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "member", "other_member", "organizer"])
def test_others_cannot_create_tokens(request, db, hq, persona):
    response = _client_for(request, persona).post(
        LIST, {"name": "x", "scope": "write", "user": hq.pk}
    )
    assert response.status_code in {302, 404}
    assert not ApiToken.objects.exists()


def test_hq_creates_a_token_and_sees_it_once(client, hq):
    client.force_login(hq)
    response = client.post(LIST, {"name": "Warehouse sync", "scope": "write", "user": hq.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    (secret,) = set(re.findall(r"gs_[A-Za-z0-9_\-]{20,}", response.content.decode()))
    assert secret.startswith(token.prefix)
    assert (token.name, token.scope, token.user, token.created_by) == (
        "Warehouse sync",
        "write",
        hq,
        hq,
    )
    # The token works against the API, and is never shown again.
    assert ApiClient(Client(), secret).get("/api/v1/people").status_code == 200
    listing = client.get(LIST).content.decode()
    assert secret not in listing
    assert token.prefix in listing
    assert AuditEntry.objects.filter(action="api_token.create", actor=hq).count() == 1


def test_hq_can_create_a_token_for_another_staff_member(client, hq, organizer, member):
    client.force_login(hq)
    client.post(LIST, {"name": "For the organizer", "scope": "read", "user": organizer.pk})
    assert ApiToken.objects.get().user == organizer
    response = client.post(LIST, {"name": "For a member", "scope": "read", "user": member.pk})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 1


def test_invalid_form_is_redisplayed_with_errors(client, hq):
    client.force_login(hq)
    response = client.post(LIST, {"name": "", "scope": "admin", "user": hq.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("member", 404), ("other_member", 404), ("organizer", 404), ("hq", 302)],
)
def test_revoke_authorization(request, db, hq, persona, status):
    token, _secret = api_token_create(user=hq, scope="write", name="t", created_by=hq)
    response = _client_for(request, persona).post(f"{LIST}{token.pk}/revoke/")
    assert response.status_code == status
    token.refresh_from_db()
    assert token.is_revoked is (persona == "hq")


def test_revoked_token_stops_working(client, hq):
    token, secret = api_token_create(user=hq, scope="read", name="t", created_by=hq)
    api = ApiClient(Client(), secret)
    assert api.get("/api/v1/").status_code == 200
    client.force_login(hq)
    response = client.post(f"{LIST}{token.pk}/revoke/")
    assert response["Location"] == LIST
    assert api.get("/api/v1/").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=hq).count() == 1


def test_revoke_needs_post_and_an_existing_token(client, hq):
    token, _secret = api_token_create(user=hq, scope="read", name="t", created_by=hq)
    client.force_login(hq)
    assert client.get(f"{LIST}{token.pk}/revoke/").status_code == 405
    assert client.post(f"{LIST}999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked


@pytest.mark.parametrize("count", [2, 20])
def test_list_page_queries_do_not_grow(client, hq, organizer, count, django_assert_max_num_queries):
    for index in range(count):
        api_token_create(
            user=organizer if index % 2 else hq, scope="read", name=f"t{index}", created_by=hq
        )
    client.force_login(hq)
    client.get(LIST)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count("<tr>") == count + 1
