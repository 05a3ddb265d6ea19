"""Reads on postal codes. The "near" query lives in geo.near."""

from __future__ import annotations

import time

from groundswell.geo.models import PostalCode

_FOUND_TTL_SECONDS = 3600
_FOUND_MAX = 50_000
_FOUND: dict[tuple[str, str], tuple[float, PostalCode]] = {}


def postal_code_normalize(*, country: str, code: str) -> str:
    code = (code or "").strip().upper()
    if country.upper() == "US":
        code = code.replace(" ", "")[:5]
    return code


def postal_code_find(*, country: str, code: str) -> PostalCode | None:
    """The centroid for a postal code, or None when the code is unknown.

    Found codes are kept in this process for an hour: they are reference data that every
    RSVP, sign-up and search reads (two lookups per guest RSVP), and only a reload of the
    postal-code table changes them. Unknown codes are not kept, so a newly loaded code
    works at once. Callers must not modify the returned row.
    """
    if not code:
        return None
    country = (country or "US").upper()
    code = postal_code_normalize(country=country, code=code)
    key = (country, code)
    cached = _FOUND.get(key)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    found = PostalCode.objects.filter(country=country, code=code).first()
    if found is not None:
        if len(_FOUND) >= _FOUND_MAX:
            _FOUND.clear()  # crude but bounded; a full table is ~42k US codes
        _FOUND[key] = (now + _FOUND_TTL_SECONDS, found)
    return found


def postal_code_cache_clear() -> None:
    """Forget the process's found codes (tests, and after loading postal codes)."""
    _FOUND.clear()
