"""`load_postal_codes` (GeoNames files) and the postal_codes_load service behind it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from groundswell.core.models import AuditEntry
from groundswell.geo.loaders import geonames_rows
from groundswell.geo.models import PostalCode
from groundswell.geo.near import near_postal_code
from groundswell.geo.selectors import postal_code_find
from groundswell.geo.services import postal_codes_load

pytestmark = pytest.mark.django_db

# GeoNames format: country, code, place, admin name1, admin code1, admin name2, admin code2,
# admin name3, admin code3, latitude, longitude, accuracy. 01400 is listed twice (two communes).
SAMPLE = "\n".join(
    [
        "FR\t75001\tParis 01 Louvre\tÎle-de-France\t11\tParis\t75\tParis\t751\t48.8592\t2.3417\t5",
        "FR\t01400\tAbergement-Clémenciat\tAuvergne-Rhône-Alpes\t84\tAin\t01\tBourg-en-Bresse\t011\t46.15\t4.9167\t5",
        "FR\t01400\tChâtillon-sur-Chalaronne\tAuvergne-Rhône-Alpes\t84\tAin\t01\tBourg-en-Bresse\t011\t46.1167\t4.9667\t5",
        "DE\t10115\tBerlin\tBerlin\tBE\t\t00\tBerlin, Stadt\t11000\t52.5323\t13.3846\t6",
        "FR\t99999\tNowhere\t\t\t\t\t\t\t\t\t",
        "",
    ]
)


def write_txt(tmp_path: Path, text: str = SAMPLE, name: str = "FR.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_zip(tmp_path: Path, text: str = SAMPLE) -> Path:
    path = tmp_path / "FR.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "GeoNames postal codes\tnot\tdata\n")
        archive.writestr("FR.txt", text)
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_postal_codes", *args, stdout=out)
    return out.getvalue()


def test_loads_a_txt_file_with_one_row_per_code(tmp_path):
    out = run(str(write_txt(tmp_path)), "--country", "FR", "--time-zone", "Europe/Paris")

    assert out.strip().splitlines()[-1] == "2 postal codes loaded for FR."
    assert set(PostalCode.objects.filter(country="FR").values_list("code", flat=True)) == {
        "75001",
        "01400",
    }
    louvre = postal_code_find(country="FR", code="75001")
    assert (louvre.place_name, louvre.admin1, louvre.admin2) == (
        "Paris 01 Louvre",
        "Île-de-France",
        "Paris",
    )
    assert (louvre.latitude, louvre.longitude, louvre.time_zone) == (
        48.8592,
        2.3417,
        "Europe/Paris",
    )
    # Other countries' lines (allCountries files) and lines without coordinates are skipped.
    assert not PostalCode.objects.filter(country="DE").exists()
    assert postal_code_find(country="FR", code="99999") is None


def test_a_repeated_code_keeps_the_first_place_and_the_centroid(tmp_path):
    run(str(write_txt(tmp_path)), "--country", "FR")

    ain = PostalCode.objects.get(country="FR", code="01400")
    assert ain.place_name == "Abergement-Clémenciat"
    assert ain.latitude == pytest.approx((46.15 + 46.1167) / 2, abs=1e-4)
    assert ain.longitude == pytest.approx((4.9167 + 4.9667) / 2, abs=1e-4)
    assert ain.time_zone == ""  # no --time-zone given


def test_loads_a_zip_file_as_downloaded(tmp_path):
    out = run(str(write_zip(tmp_path)), "--country", "fr")

    assert out.strip().splitlines()[-1] == "2 postal codes loaded for FR."
    assert PostalCode.objects.filter(country="FR").count() == 2


def test_reloading_is_idempotent_and_updates_changed_rows(tmp_path):
    path = write_txt(tmp_path)
    run(str(path), "--country", "FR")
    first = {p.code: p.pk for p in PostalCode.objects.filter(country="FR")}

    run(str(path), "--country", "FR")
    assert {p.code: p.pk for p in PostalCode.objects.filter(country="FR")} == first

    renamed = SAMPLE.replace("Paris 01 Louvre", "Paris 1er").replace("48.8592", "48.86")
    run(str(write_txt(tmp_path, renamed)), "--country", "FR", "--time-zone", "Europe/Paris")
    louvre = PostalCode.objects.get(country="FR", code="75001")
    assert (louvre.pk, louvre.place_name, louvre.latitude) == (first["75001"], "Paris 1er", 48.86)
    assert louvre.time_zone == "Europe/Paris"
    assert PostalCode.objects.filter(country="FR").count() == 2


def test_loaded_codes_work_with_the_near_query(tmp_path):
    run(str(write_txt(tmp_path)), "--country", "FR")
    found = near_postal_code(
        PostalCode.objects.filter(country="FR"), country="FR", code="75001", radius_miles=300
    )
    assert [p.code for p in found] == ["75001", "01400"]  # Ain is about 230 miles away


def test_us_rows_are_untouched_by_another_country(tmp_path):
    us_before = PostalCode.objects.filter(country="US").count()
    run(str(write_txt(tmp_path)), "--country", "FR")
    assert PostalCode.objects.filter(country="US").count() == us_before


def test_bad_input_is_a_command_error_and_writes_nothing(tmp_path):
    path = write_txt(tmp_path)
    with pytest.raises(CommandError, match="time zone"):
        run(str(path), "--country", "FR", "--time-zone", "Europe/Atlantis")
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.zip"), "--country", "FR")
    with pytest.raises(CommandError, match="no postal codes for country IT"):
        run(str(path), "--country", "IT")
    with pytest.raises(CommandError):
        run(str(path))  # --country is required
    assert not PostalCode.objects.filter(country="FR").exists()


def test_geonames_rows_reads_zip_and_txt_alike(tmp_path):
    assert geonames_rows(write_zip(tmp_path), country="FR") == geonames_rows(
        write_txt(tmp_path), country="FR"
    )


def test_centroid_of_a_repeated_code_across_the_antimeridian(tmp_path):
    text = "FJ\t0001\tEast\t\t\t\t\t\t\t-17.0\t179.9\t1\nFJ\t0001\tWest\t\t\t\t\t\t\t-17.0\t-179.9\t1\n"
    (row,) = geonames_rows(write_txt(tmp_path, text, "FJ.txt"), country="FJ")
    assert abs(row["longitude"]) == pytest.approx(180, abs=1e-6)
    assert row["latitude"] == pytest.approx(-17.0, abs=1e-3)


# --- The service -------------------------------------------------------------------------------


def test_service_upserts_keeps_the_first_duplicate_and_audits():
    rows = [
        {"code": "1000", "place_name": "Bruxelles", "latitude": 50.8466, "longitude": 4.3528},
        {"code": "1000", "place_name": "Second", "latitude": 1.0, "longitude": 1.0},
        {"code": "2000", "place_name": "Antwerpen", "latitude": 51.2172, "longitude": 4.4212},
    ]
    assert postal_codes_load(country="be", rows=rows, time_zone="Europe/Brussels") == 2

    brussels = PostalCode.objects.get(country="BE", code="1000")
    assert (brussels.place_name, brussels.time_zone) == ("Bruxelles", "Europe/Brussels")
    entry = AuditEntry.objects.get(action="postal_codes.load")
    assert (entry.subject_type, entry.subject_id, entry.actor) == ("geo.postalcode", "BE", None)
    assert entry.details == {"count": 2, "time_zone": "Europe/Brussels"}


def test_service_normalizes_us_codes_like_the_selector():
    postal_codes_load(
        country="US", rows=[{"code": "10001-0001", "latitude": 40.0, "longitude": -74.0}]
    )
    assert postal_code_find(country="US", code="10001").latitude == 40.0


@pytest.mark.parametrize(
    ("country", "row", "code"),
    [
        ("FR", {"code": "75001", "latitude": 91.0, "longitude": 2.0}, "invalid_coordinates"),
        ("FR", {"code": "75001", "latitude": 48.0, "longitude": 181.0}, "invalid_coordinates"),
        ("FR", {"code": "", "latitude": 48.0, "longitude": 2.0}, "invalid_code"),
        ("FRA", {"code": "75001", "latitude": 48.0, "longitude": 2.0}, "invalid_country"),
    ],
)
def test_service_rejects_bad_rows_and_writes_nothing(country, row, code):
    good = {"code": "75002", "latitude": 48.87, "longitude": 2.34}
    with pytest.raises(ValidationError) as caught:
        postal_codes_load(country=country, rows=[good, row])
    assert caught.value.code == code
    assert not PostalCode.objects.filter(country__in=["FR", "FRA"]).exists()
    assert not AuditEntry.objects.filter(action="postal_codes.load").exists()
