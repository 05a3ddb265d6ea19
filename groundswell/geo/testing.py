"""Postal codes for tests: known centroids put in place, whatever geo's data migration loaded
(a transactional test flushes the table between tests)."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.geo.models import PostalCode


def postal_codes_put(codes: Mapping[str, tuple], *, time_zone: str | None = None) -> None:
    """`codes`: US code -> (place, state, latitude, longitude[, time zone]). A zone given in
    the tuple wins over `time_zone`; with neither, the stored zone is left as it is."""
    for code, (place, state, latitude, longitude, *zone) in codes.items():
        defaults = {
            "place_name": place,
            "admin1": state,
            "latitude": latitude,
            "longitude": longitude,
        }
        if zone or time_zone:
            defaults["time_zone"] = zone[0] if zone else time_zone
        PostalCode.objects.update_or_create(country="US", code=code, defaults=defaults)
