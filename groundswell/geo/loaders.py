"""Reading postal-code sources into plain rows.

Plain functions on purpose: the data migration calls them with its historical model, the
management commands pass the rows to `services.postal_codes_load`. No Django state here.

A row is a dict with the PostalCode fields: code, place_name, admin1, admin2, latitude,
longitude, time_zone (and, for GeoNames, country).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# bulk_create batch: few statements, and within SQLite's and PostgreSQL's parameter limits.
BATCH_SIZE = 2000


def us_zipcode_rows() -> Iterator[dict[str, Any]]:
    """US ZIP centroids from the `zipcodes` package (~42.7k).

    Its 872 records with 0/0 coordinates (820 military APO/FPO codes, some unique and PO-box
    ZIPs) have no known centroid; they are skipped, so geocoding them gives "unknown"
    rather than a point in the Gulf of Guinea.
    """
    import zipcodes

    for record in zipcodes.list_all():
        latitude, longitude = float(record["lat"]), float(record["long"])
        if latitude == 0.0 and longitude == 0.0:
            continue
        yield {
            "code": record["zip_code"],
            "place_name": record["city"] or "",
            "admin1": record["state"] or "",
            "admin2": record["county"] or "",
            "latitude": latitude,
            "longitude": longitude,
            "time_zone": record["timezone"] or "",
        }


def us_zipcodes_insert(model: Any, *, using: str = "default", batch_size: int = BATCH_SIZE) -> int:
    """Insert every US ZIP centroid into an empty table (the data migration). `model` is
    the PostalCode class (the migration's historical one). Returns the row count."""
    objects = [model(country="US", **row) for row in us_zipcode_rows()]
    model.objects.using(using).bulk_create(objects, batch_size=batch_size)
    return len(objects)


# --- GeoNames ---------------------------------------------------------------------------------
# https://download.geonames.org/export/zip/readme.txt: tab-separated, UTF-8, no header.
GEONAMES_COLUMNS = (
    "country",
    "code",
    "place_name",
    "admin_name1",
    "admin_code1",
    "admin_name2",
    "admin_code2",
    "admin_name3",
    "admin_code3",
    "latitude",
    "longitude",
    "accuracy",
)


@contextmanager
def _geonames_text(path: Path, *, country: str) -> Iterator[io.TextIOBase]:
    """The text of a GeoNames file: a .txt as is, or the data file inside a .zip (FR.zip holds
    FR.txt and readme.txt)."""
    if not zipfile.is_zipfile(path):
        with open(path, encoding="utf-8", newline="") as text:
            yield text
        return
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
        preferred = [n for n in names if Path(n).name.upper() == f"{country.upper()}.TXT"]
        others = [n for n in names if Path(n).name.lower() != "readme.txt"]
        if not (preferred or others):
            raise ValueError(f"{path.name} holds no GeoNames .txt data file")
        with archive.open((preferred or others)[0]) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of points on the sphere (mean of unit vectors), right across the
    antimeridian where a plain mean of longitudes is not."""
    if len(points) == 1:
        return points[0]
    x = y = z = 0.0
    for lat, lng in points:
        phi, lam = math.radians(lat), math.radians(lng)
        x += math.cos(phi) * math.cos(lam)
        y += math.cos(phi) * math.sin(lam)
        z += math.sin(phi)
    n = len(points)
    x, y, z = x / n, y / n, z / n
    return (
        round(math.degrees(math.atan2(z, math.hypot(x, y))), 6),
        round(math.degrees(math.atan2(y, x)), 6),
    )


def geonames_rows(path: str | Path, *, country: str) -> list[dict[str, Any]]:
    """Rows of `country` from a GeoNames postal-code file (.txt or .zip), one per code.

    GeoNames repeats a code once per place it serves (common in France, where one code
    covers several communes). We keep the first line's place and admin names, and use the
    centroid of all the listed places' coordinates, a better "middle" for the near query.
    Lines of other countries (allCountries.zip) and lines without coordinates are skipped.
    """
    country = country.upper()
    merged: dict[str, dict[str, Any]] = {}
    points: dict[str, list[tuple[float, float]]] = {}
    with _geonames_text(Path(path), country=country) as text:
        for line in _geonames_lines(text):
            if line["country"].upper() != country or not line["code"]:
                continue
            try:
                lat, lng = float(line["latitude"]), float(line["longitude"])
            except ValueError:
                continue
            code = line["code"]
            if code not in merged:
                merged[code] = {
                    "code": code,
                    "place_name": line["place_name"],
                    "admin1": line["admin_name1"],
                    "admin2": line["admin_name2"],
                }
                points[code] = []
            points[code].append((lat, lng))
    for code, row in merged.items():
        row["latitude"], row["longitude"] = _mean_point(points[code])
    return list(merged.values())


def _geonames_lines(text: Iterable[str]) -> Iterator[dict[str, str]]:
    reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
    for fields in reader:
        if not fields or not any(fields):
            continue
        fields = [f.strip() for f in fields] + [""] * (len(GEONAMES_COLUMNS) - len(fields))
        yield dict(zip(GEONAMES_COLUMNS, fields, strict=False))
