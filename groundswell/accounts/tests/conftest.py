"""Fixtures for the accounts tests: postal codes, a media root per test (image builders are
in groundswell/accounts/testing.py)."""

from __future__ import annotations

import pytest

from groundswell.geo.testing import postal_codes_put

POSTAL_CODES = {
    "10001": ("New York", "NY", 40.7506, -73.9972, "America/New_York"),
    "60601": ("Chicago", "IL", 41.8858, -87.6181, "America/Chicago"),
}


@pytest.fixture
def postal_codes(db) -> None:
    """The ZIP codes the tests use, whether or not geo's data migration has loaded them."""
    postal_codes_put(POSTAL_CODES)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
