"""API test helpers: tokens for the personas and a client that speaks JSON with a token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from groundswell.accounts.models import User
from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create


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


@pytest.fixture
def write_token(hq) -> str:
    return token_for(hq, ApiToken.Scope.WRITE)


@pytest.fixture
def read_token(hq) -> str:
    return token_for(hq, ApiToken.Scope.READ)


@pytest.fixture
def api(client, write_token) -> ApiClient:
    """A write-scoped HQ token: what a data team's sync script uses."""
    return ApiClient(client, write_token)


@pytest.fixture
def read_api(client, read_token) -> ApiClient:
    return ApiClient(client, read_token)


@pytest.fixture
def anon_api(client) -> ApiClient:
    return ApiClient(client, None)
