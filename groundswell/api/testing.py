"""Builders for API tests: tokens for the personas, a client that speaks JSON with a token,
and the kinds of token the API must turn away."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from groundswell.accounts.models import User
from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create, api_token_revoke


class ApiClient:
    """Django's test client, sending `OSDI-API-Token` and JSON bodies."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"OSDI-API-Token": self.token} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, data: dict[str, Any] | None = None, **kw: Any):
        return self.client.get(path, data, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path: str, **kw: Any):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def _send(self, method: str, path: str, body: Any, content_type: str, **kw: Any):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return getattr(self.client, method)(
            path,
            data,
            content_type=content_type,
            headers=self._headers(kw.pop("headers", None)),
            **kw,
        )

    def post(self, path: str, body: Any = None, content_type: str = "application/json", **kw: Any):
        return self._send("post", path, {} if body is None else body, content_type, **kw)

    def put(self, path: str, body: Any = None, content_type: str = "application/json", **kw: Any):
        return self._send("put", path, {} if body is None else body, content_type, **kw)


def token_for(user: User, scope: str = ApiToken.Scope.WRITE) -> str:
    _token, secret = api_token_create(user=user, scope=scope, name="test", created_by=user)
    return secret


def _revoked_token(hq) -> str:
    token, secret = api_token_create(user=hq, scope="write", name="old", created_by=hq)
    api_token_revoke(token=token, actor=hq)
    return secret


def _demoted_staff_token(hq, organizer) -> str:
    """A token whose owner has since left the staff."""
    secret = token_for(organizer)
    organizer.is_staff = False
    organizer.staff_role = ""
    organizer.save(update_fields=["is_staff", "staff_role"])
    return secret


def _inactive_staff_token(hq, organizer) -> str:
    secret = token_for(organizer)
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    return secret


DENIED_TOKENS = {
    "no token": lambda hq, organizer: None,
    "invalid token": lambda hq, organizer: "gs_not-a-real-token",
    "revoked token": lambda hq, organizer: _revoked_token(hq),
    "non-staff owner": _demoted_staff_token,
    "inactive owner": _inactive_staff_token,
}
