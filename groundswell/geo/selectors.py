"""Reads on postal codes. The "near" query lives in geo.near."""

from __future__ import annotations

from groundswell.geo.models import PostalCode


def postal_code_normalize(*, country: str, code: str) -> str:
    code = (code or "").strip().upper()
    if country.upper() == "US":
        code = code.replace(" ", "")[:5]
    return code


def postal_code_find(*, country: str, code: str) -> PostalCode | None:
    """The centroid for a postal code, or None when the code is unknown."""
    if not code:
        return None
    country = (country or "US").upper()
    return PostalCode.objects.filter(
        country=country, code=postal_code_normalize(country=country, code=code)
    ).first()
