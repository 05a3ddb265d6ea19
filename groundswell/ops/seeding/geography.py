"""Where generated people live: real US ZIP centroids, denser where people live.

The ZIP table has no population, so density comes from the 50 largest metropolitan areas
(2020 census, rounded): `METRO_SHARE` of people live within a metro's radius of its center
ZIP, picked by metro population; the rest anywhere, uniformly over every ZIP code.
"""

from __future__ import annotations

import bisect
import math
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from groundswell.geo.models import PostalCode

METRO_SHARE = 0.75

# (name, center ZIP, population in thousands), largest first.
METROS: tuple[tuple[str, str, int], ...] = (
    ("New York", "10001", 20_140),
    ("Los Angeles", "90012", 13_200),
    ("Chicago", "60602", 9_618),
    ("Dallas-Fort Worth", "75201", 7_637),
    ("Houston", "77002", 7_122),
    ("Washington", "20001", 6_385),
    ("Philadelphia", "19103", 6_245),
    ("Miami", "33130", 6_138),
    ("Atlanta", "30303", 6_089),
    ("Boston", "02108", 4_941),
    ("Phoenix", "85004", 4_845),
    ("San Francisco-Oakland", "94103", 4_749),
    ("Riverside-San Bernardino", "92501", 4_599),
    ("Detroit", "48226", 4_392),
    ("Seattle", "98101", 4_018),
    ("Minneapolis-St. Paul", "55401", 3_690),
    ("San Diego", "92101", 3_298),
    ("Tampa", "33602", 3_175),
    ("Denver", "80202", 2_963),
    ("Baltimore", "21202", 2_844),
    ("St. Louis", "63101", 2_820),
    ("Orlando", "32801", 2_673),
    ("Charlotte", "28202", 2_660),
    ("San Antonio", "78205", 2_558),
    ("Portland", "97204", 2_512),
    ("Sacramento", "95814", 2_397),
    ("Pittsburgh", "15222", 2_370),
    ("Austin", "78701", 2_283),
    ("Las Vegas", "89101", 2_266),
    ("Cincinnati", "45202", 2_256),
    ("Kansas City", "64106", 2_192),
    ("Columbus", "43215", 2_138),
    ("Indianapolis", "46204", 2_111),
    ("Cleveland", "44113", 2_088),
    ("San Jose", "95113", 2_000),
    ("Nashville", "37203", 1_989),
    ("Virginia Beach-Norfolk", "23510", 1_799),
    ("Providence", "02903", 1_676),
    ("Jacksonville", "32202", 1_605),
    ("Milwaukee", "53202", 1_574),
    ("Raleigh", "27601", 1_413),
    ("Oklahoma City", "73102", 1_425),
    ("Memphis", "38103", 1_337),
    ("Richmond", "23219", 1_314),
    ("Louisville", "40202", 1_285),
    ("New Orleans", "70112", 1_271),
    ("Salt Lake City", "84101", 1_257),
    ("Hartford", "06103", 1_213),
    ("Buffalo", "14202", 1_166),
    ("Birmingham", "35203", 1_115),
)


def metro_radius_miles(population_thousands: int) -> float:
    """How far a metro reaches from its center: grows with the square root of its size."""
    return min(50.0, max(15.0, 12.0 * math.sqrt(population_thousands / 1000)))


@dataclass(frozen=True, slots=True)
class Zip:
    code: str
    place_name: str
    state: str
    latitude: float
    longitude: float
    time_zone: str
    area_codes: tuple[str, ...]


@cache
def _area_codes() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Telephone area codes by ZIP and by state, from the `zipcodes` package (geo's source)."""
    import zipcodes

    by_zip: dict[str, tuple[str, ...]] = {}
    by_state: dict[str, set[str]] = defaultdict(set)
    for record in zipcodes.list_all():
        codes = tuple(sorted(record["area_codes"] or ()))
        if codes:
            by_zip[record["zip_code"]] = codes
            by_state[record["state"]].update(codes)
    return by_zip, {state: tuple(sorted(codes)) for state, codes in by_state.items()}


def _miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    # Equirectangular: exact enough within 50 miles, and fast over 42,000 ZIP codes.
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 3958.8 * math.hypot(x, y)


class ZipSampler:
    """Draws ZIP codes: near a metro (by population) or anywhere, from the geo table."""

    def __init__(self) -> None:
        by_zip, by_state = _area_codes()
        valid_zones = zoneinfo.available_timezones()
        rows = (
            PostalCode.objects.filter(country="US")
            .order_by("code")
            .values_list("code", "place_name", "admin1", "latitude", "longitude", "time_zone")
        )
        self.zips: list[Zip] = []
        for code, place, state, latitude, longitude, time_zone in rows:
            area_codes = by_zip.get(code) or by_state.get(state, ())
            # A person needs a time zone and, for a phone number, a NANP area code: this
            # leaves out a few ZIP codes without a zone and the freely associated states.
            if time_zone in valid_zones and area_codes:
                self.zips.append(
                    Zip(code, place, state, latitude, longitude, time_zone, area_codes)
                )
        if not self.zips:
            raise RuntimeError("No US postal codes: run `groundswell migrate` first.")
        index = {z.code: i for i, z in enumerate(self.zips)}
        by_latitude = sorted((z.latitude, i) for i, z in enumerate(self.zips))
        latitudes = [latitude for latitude, _ in by_latitude]
        self.metro_zips: list[list[int]] = []
        cumulative, total = [], 0
        for name, center_code, population in METROS:
            center_index = index.get(center_code)
            if center_index is None:
                raise RuntimeError(f"Metro center ZIP {center_code} ({name}) is not loaded.")
            center = self.zips[center_index]
            radius = metro_radius_miles(population)
            # The band of latitudes first (a bisection), then the distance.
            low = bisect.bisect_left(latitudes, center.latitude - radius / 69.0)
            high = bisect.bisect_right(latitudes, center.latitude + radius / 69.0)
            nearby = sorted(
                i
                for _, i in by_latitude[low:high]
                if _miles(center.latitude, center.longitude, *self._point(i)) <= radius
            )
            self.metro_zips.append(nearby)
            total += population
            cumulative.append(total)
        self._metro_cumulative = [value / total for value in cumulative]

    def _point(self, i: int) -> tuple[float, float]:
        return self.zips[i].latitude, self.zips[i].longitude

    def draw(self, rng: random.Random) -> Zip:
        if rng.random() < METRO_SHARE:
            metro = bisect.bisect_left(self._metro_cumulative, rng.random())
            nearby = self.metro_zips[min(metro, len(self.metro_zips) - 1)]
            return self.zips[nearby[int(rng.random() * len(nearby))]]
        return self.zips[int(rng.random() * len(self.zips))]


def phone_fictional(rng: random.Random, zip_code: Zip) -> str:
    """A US number in E.164 with the ZIP's area code, in the 555-0100..0199 range that
    North American numbering reserves for fiction, so no real phone is ever called or texted.
    (Numbers therefore repeat across people: 100 per area code.)"""
    area = zip_code.area_codes[int(rng.random() * len(zip_code.area_codes))]
    return f"+1{area}55501{int(rng.random() * 100):02d}"
