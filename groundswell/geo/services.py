"""Writes on postal codes: loading reference data from a source (zipcodes, GeoNames)."""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from groundswell.core.models import AuditEntry
from groundswell.geo.models import PostalCode
from groundswell.geo.selectors import postal_code_cache_clear, postal_code_normalize

BATCH_SIZE = 2000
_TEXT_FIELDS = ("place_name", "admin1", "admin2", "time_zone")
_UPDATE_FIELDS = ["place_name", "admin1", "admin2", "latitude", "longitude", "time_zone"]


def _max_length(name: str) -> int:
    field = PostalCode._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length
    return field.max_length


def _time_zone_check(time_zone: str) -> None:
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(zone)s” is not a known time zone (for example Europe/Paris)."),
            code="invalid_time_zone",
            params={"zone": time_zone},
        ) from exc


def _postal_code_build(
    *, country: str, row: Mapping[str, Any], time_zone: str | None
) -> PostalCode:
    code = postal_code_normalize(country=country, code=str(row.get("code") or ""))
    latitude, longitude = float(row["latitude"]), float(row["longitude"])
    if not code or len(code) > _max_length("code"):
        raise ValidationError(
            _("“%(code)s” is not a valid postal code."), code="invalid_code", params={"code": code}
        )
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    ):
        raise ValidationError(
            _("Postal code %(code)s has coordinates outside the globe."),
            code="invalid_coordinates",
            params={"code": code},
        )
    values = {name: str(row.get(name) or "")[: _max_length(name)] for name in _TEXT_FIELDS}
    if time_zone:
        values["time_zone"] = time_zone
    return PostalCode(country=country, code=code, latitude=latitude, longitude=longitude, **values)


def postal_codes_load(
    *,
    country: str,
    rows: Iterable[Mapping[str, Any]],
    time_zone: str | None = None,
    actor: Any = None,
) -> int:
    """Insert or update (on country + code) the centroid of each row; returns how many
    distinct codes were written. Idempotent: loading the same rows twice changes nothing.

    Each row maps PostalCode fields (code, latitude, longitude, and optionally place_name,
    admin1, admin2, time_zone). A code given twice keeps its first row. `time_zone`, when
    given, replaces every row's zone. Codes absent from `rows` are left alone (a reload never
    deletes a code people may have been geocoded with). All or nothing: a bad row raises
    ValidationError and writes nothing.
    """
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError(
            _("“%(country)s” is not a two-letter country code."),
            code="invalid_country",
            params={"country": country},
        )
    if time_zone:
        _time_zone_check(time_zone)
    objects: dict[str, PostalCode] = {}
    for row in rows:
        obj = _postal_code_build(country=country, row=row, time_zone=time_zone)
        objects.setdefault(obj.code, obj)
    with transaction.atomic(durable=True):
        # One INSERT ... ON CONFLICT (country, code) DO UPDATE per batch, on SQLite and
        # PostgreSQL alike; duplicates were dropped above (PostgreSQL refuses a row twice).
        PostalCode.objects.bulk_create(
            list(objects.values()),
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["country", "code"],
            update_fields=_UPDATE_FIELDS,
        )
        # No single row is the subject of a bulk load: the audit entry names the country's
        # postal codes as a whole.
        AuditEntry.objects.create(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action="postal_codes.load",
            subject_type=PostalCode._meta.label_lower,
            subject_id=country,
            details={"count": len(objects), "time_zone": time_zone or ""},
        )
    # This process sees the new centroids at once; web processes within the hour
    # (postal_code_find keeps found codes that long).
    postal_code_cache_clear()
    return len(objects)
