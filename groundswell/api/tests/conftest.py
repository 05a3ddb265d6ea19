"""API test fixtures: tokens for the personas and clients that send them (the builders are in
groundswell/api/testing.py)."""

from __future__ import annotations

import pytest

from groundswell.api.models import ApiToken
from groundswell.api.testing import ApiClient, token_for


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
