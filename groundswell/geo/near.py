"""The "near" query: rows within a radius of a point, nearest first.

Any model with latitude/longitude float columns can use it (people, profiles, later groups and
events), including through a join (`lat_field="profile__latitude"`). It works the same on
SQLite and PostgreSQL because it only uses Django's portable math functions; no PostGIS.

How it works (see docs/geo.md):
1. a bounding box on the (indexed) latitude/longitude columns throws away almost every row
   cheaply; it widens in longitude with 1/cos(latitude), takes every longitude when the circle
   covers a pole, and splits in two when it crosses the antimeridian;
2. the exact great-circle distance (haversine) of the rows left is annotated as
   `distance_miles`, filtered against the radius and used for ordering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext_lazy as _

from groundswell.geo.selectors import postal_code_find, postal_code_normalize

# Mean Earth radius (IUGG), the usual choice for spherical distances.
EARTH_RADIUS_MILES = 3958.7613
# Half the circumference: no two points on Earth are farther apart than this.
MAX_DISTANCE_MILES = math.pi * EARTH_RADIUS_MILES
# Widen the box a hair so a row exactly on the circle is not lost to float rounding.
_BOX_EPSILON_DEGREES = 1e-9
# Coordinates are snapped to multiples of ~2e-13 degrees in the SQL (see distance_expression).
_SNAP = 1024.0


def _normalize_longitude(longitude: float) -> float:
    """The same meridian in [-180, 180)."""
    return (longitude + 180.0) % 360.0 - 180.0


def _check_point(latitude: float, longitude: float) -> None:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("latitude and longitude must be finite numbers")
    if not -90.0 <= latitude <= 90.0:
        raise ValueError(f"latitude {latitude} is outside [-90, 90]")


def distance_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles between two points in degrees (haversine formula).

    The same formula as the database annotation, so the two agree to float precision.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = (math.radians(lng2) - math.radians(lng1)) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # Rounding can push `a` a hair above 1 for antipodal points; asin would fail.
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, max(0.0, a))))


@dataclass(frozen=True)
class BoundingBox:
    """Degrees. When `min_longitude > max_longitude` the box crosses the antimeridian and
    holds longitudes >= min_longitude OR <= max_longitude."""

    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.min_longitude > self.max_longitude

    def contains(self, latitude: float, longitude: float) -> bool:
        if not self.min_latitude <= latitude <= self.max_latitude:
            return False
        if self.crosses_antimeridian:
            return longitude >= self.min_longitude or longitude <= self.max_longitude
        return self.min_longitude <= longitude <= self.max_longitude

    def q(self, *, lat_field: str = "latitude", lng_field: str = "longitude") -> Q:
        """The filter that keeps rows inside the box (a range scan on a latitude index)."""
        lat_q = Q(
            **{f"{lat_field}__gte": self.min_latitude, f"{lat_field}__lte": self.max_latitude}
        )
        if self.crosses_antimeridian:
            lng_q = Q(**{f"{lng_field}__gte": self.min_longitude}) | Q(
                **{f"{lng_field}__lte": self.max_longitude}
            )
        elif self.min_longitude <= -180.0 and self.max_longitude >= 180.0:
            # Every meridian: only leave out rows without (or with impossible) coordinates.
            lng_q = Q(**{f"{lng_field}__gte": -180.0, f"{lng_field}__lte": 180.0})
        else:
            lng_q = Q(
                **{f"{lng_field}__gte": self.min_longitude, f"{lng_field}__lte": self.max_longitude}
            )
        return lat_q & lng_q


def bounding_box(*, latitude: float, longitude: float, radius_miles: float) -> BoundingBox:
    """The smallest latitude/longitude box holding every point within `radius_miles`.

    Bounding coordinates after J. P. Matuschek, "Finding Points Within a Distance of a
    Latitude/Longitude Using Bounding Coordinates": the longitude half-width is
    asin(sin(d) / cos(latitude)) for an angular radius d, not d / cos(latitude).
    """
    _check_point(latitude, longitude)
    if radius_miles < 0 or not math.isfinite(radius_miles):
        raise ValueError("radius_miles must be a finite number >= 0")
    longitude = _normalize_longitude(longitude)
    angular = radius_miles / EARTH_RADIUS_MILES  # radians
    eps = _BOX_EPSILON_DEGREES
    min_lat = latitude - math.degrees(angular) - eps
    max_lat = latitude + math.degrees(angular) + eps
    if min_lat <= -90.0 or max_lat >= 90.0 or angular >= math.pi / 2:
        # The circle covers a pole (or a hemisphere): every longitude can be inside.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    half_width = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(latitude))))
    min_lng = longitude - half_width - eps
    max_lng = longitude + half_width + eps
    if min_lng < -180.0:
        min_lng += 360.0
    if max_lng > 180.0:
        max_lng -= 360.0
    return BoundingBox(min_lat, max_lat, min_lng, max_lng)


def _snap(degrees: float) -> float:
    """The same snapping as the SQL side (see distance_expression)."""
    return (degrees + _SNAP) - _SNAP


def distance_expression(
    *, latitude: float, longitude: float, lat_field: str = "latitude", lng_field: str = "longitude"
):
    """A database expression for the haversine distance in miles from the given point to the
    row's (lat_field, lng_field). Portable: Django registers these functions on SQLite."""
    phi0 = math.radians(_snap(latitude))
    lambda0 = math.radians(_snap(_normalize_longitude(longitude)))

    def const(value: float) -> Value:
        return Value(value, output_field=FloatField())

    def snapped_radians(field: str) -> Radians:
        # PostgreSQL raises "value out of range: underflow" when a product rounds to zero
        # (radians(1e-320), power(1e-200, 2)): one absurd row would break every search near
        # it. (x + 1024) - 1024 rounds a coordinate to ~2e-13 degrees (a millionth of an
        # inch), so every nonzero term stays far above the underflow threshold; addition
        # never raises.
        return Radians((F(field) + const(_SNAP)) - const(_SNAP), output_field=FloatField())

    phi = snapped_radians(lat_field)
    lam = snapped_radians(lng_field)
    half_dphi = (phi - const(phi0)) / const(2.0)
    half_dlambda = (lam - const(lambda0)) / const(2.0)
    a = Power(Sin(half_dphi), 2) + const(math.cos(phi0)) * Cos(phi) * Power(Sin(half_dlambda), 2)
    # Clamp: rounding can push `a` a hair above 1 (antipodes), where ASIN fails (an error
    # on PostgreSQL, a ValueError in SQLite's Python function). `a` cannot go below 0
    # (squares, and cosines of latitudes in [-90, 90]).
    return const(2 * EARTH_RADIUS_MILES) * ASin(
        Sqrt(Least(a, const(1.0), output_field=FloatField()))
    )


def near(
    queryset: QuerySet,
    *,
    latitude: float,
    longitude: float,
    radius_miles: float,
    lat_field: str = "latitude",
    lng_field: str = "longitude",
    annotation: str = "distance_miles",
) -> QuerySet:
    """Rows of `queryset` within `radius_miles` of the point, nearest first (ties by pk),
    each annotated with its distance as `annotation` (miles). Rows without coordinates are
    left out. One query; lazily evaluated like any queryset.

    Through a to-many join (e.g. a person's several addresses) a row appears once per
    matching related row, as with any filter across such a join.
    """
    box = bounding_box(latitude=latitude, longitude=longitude, radius_miles=radius_miles)
    distance = distance_expression(
        latitude=latitude, longitude=longitude, lat_field=lat_field, lng_field=lng_field
    )
    return (
        queryset.filter(box.q(lat_field=lat_field, lng_field=lng_field))
        .annotate(**{annotation: distance})
        .filter(**{f"{annotation}__lte": radius_miles})
        .order_by(annotation, "pk")
    )


def near_postal_code(
    queryset: QuerySet,
    *,
    country: str,
    code: str,
    radius_miles: float,
    lat_field: str = "latitude",
    lng_field: str = "longitude",
    annotation: str = "distance_miles",
) -> QuerySet:
    """`near()` around a postal code's centroid. An unknown code raises ValidationError
    (code "unknown_postal_code") with a message fit to show next to a search form field."""
    found = postal_code_find(country=country, code=code)
    if found is None:
        raise ValidationError(
            _("We don't know the postal code “%(code)s”. Check it and try again."),
            code="unknown_postal_code",
            params={"code": postal_code_normalize(country=country or "US", code=code)},
        )
    return near(
        queryset,
        latitude=found.latitude,
        longitude=found.longitude,
        radius_miles=radius_miles,
        lat_field=lat_field,
        lng_field=lng_field,
        annotation=annotation,
    )
