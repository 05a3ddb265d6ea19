"""The US ZIP centroids loaded by migration 0002 and reloaded by `load_us_zipcodes`."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
import zipcodes
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection

from groundswell.geo.loaders import us_zipcode_rows, us_zipcodes_insert
from groundswell.geo.models import PostalCode
from groundswell.geo.selectors import postal_code_find

pytestmark = pytest.mark.django_db

migration_0002 = importlib.import_module("groundswell.geo.migrations.0002_load_us_zipcodes")


def _package_counts() -> tuple[int, int]:
    records = zipcodes.list_all()
    zero = sum(1 for r in records if float(r["lat"]) == 0 and float(r["long"]) == 0)
    return len(records), zero


def test_every_us_zip_with_coordinates_is_loaded():
    total, zero = _package_counts()
    assert total > 40_000 and zero > 0  # the package still has the shape we rely on
    assert PostalCode.objects.filter(country="US").count() == total - zero


def test_new_york_10001():
    place = postal_code_find(country="US", code="10001")
    assert place is not None
    assert (place.place_name, place.admin1, place.admin2) == ("New York", "NY", "New York County")
    assert place.latitude == pytest.approx(40.75, abs=0.01)
    assert place.longitude == pytest.approx(-74.00, abs=0.01)
    assert place.time_zone == "America/New_York"


def test_beverly_hills_90210():
    place = PostalCode.objects.get(country="US", code="90210")
    assert (place.place_name, place.admin1) == ("Beverly Hills", "CA")
    assert place.latitude == pytest.approx(34.09, abs=0.01)
    assert place.time_zone == "America/Los_Angeles"


def test_zip_plus_four_finds_the_five_digit_code():
    place = postal_code_find(country="US", code=" 90210-1234 ")
    assert place is not None and place.code == "90210"


def test_records_without_coordinates_are_not_loaded():
    # 09001 is an APO code that the package lists at 0/0.
    record = zipcodes.matching("09001")[0]
    assert float(record["lat"]) == 0 and float(record["long"]) == 0
    assert postal_code_find(country="US", code="09001") is None
    assert not PostalCode.objects.filter(latitude=0, longitude=0).exists()
    assert all(row["latitude"] != 0 or row["longitude"] != 0 for row in us_zipcode_rows())


def test_migration_reverse_deletes_us_rows_only_and_forward_reloads_them():
    PostalCode.objects.create(country="FR", code="75001", latitude=48.86, longitude=2.34)
    before = PostalCode.objects.filter(country="US").count()
    schema_editor = SimpleNamespace(connection=connection)

    migration_0002.delete_us_zipcodes(global_apps, schema_editor)
    assert not PostalCode.objects.filter(country="US").exists()
    assert PostalCode.objects.filter(country="FR").count() == 1

    migration_0002.load_us_zipcodes(global_apps, schema_editor)
    assert PostalCode.objects.filter(country="US").count() == before


def test_insert_returns_the_row_count():
    PostalCode.objects.filter(country="US").delete()
    total, zero = _package_counts()
    assert us_zipcodes_insert(PostalCode) == total - zero


def test_load_us_zipcodes_command_is_idempotent_and_repairs_rows():
    before = PostalCode.objects.filter(country="US").count()
    PostalCode.objects.filter(country="US", code="10001").update(place_name="Wrong", latitude=1.0)
    PostalCode.objects.filter(country="US", code="90210").delete()

    out = io.StringIO()
    call_command("load_us_zipcodes", stdout=out)

    assert out.getvalue().strip().splitlines()[-1] == f"{before} US ZIP codes loaded."
    assert PostalCode.objects.filter(country="US").count() == before
    repaired = PostalCode.objects.get(country="US", code="10001")
    assert repaired.place_name == "New York"
    assert repaired.latitude == pytest.approx(40.75, abs=0.01)
    assert PostalCode.objects.filter(country="US", code="90210").exists()
