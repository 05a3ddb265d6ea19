"""The "near" query: bounding box, exact distance, radius, order, joins, one query."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.accounts.models import User
from groundswell.accounts.testing import make_member
from groundswell.geo.models import PostalCode
from groundswell.geo.near import (
    EARTH_RADIUS_MILES,
    MAX_DISTANCE_MILES,
    bounding_box,
    distance_miles,
    near,
    near_postal_code,
)
from groundswell.people.models import Person

# 10001, Manhattan (the zipcodes package centroid).
NYC = (40.7484, -73.9967)


def destination(lat: float, lng: float, *, bearing: float, miles: float) -> tuple[float, float]:
    """The point `miles` away from (lat, lng) on the initial bearing (degrees)."""
    delta = miles / EARTH_RADIUS_MILES
    phi1, lam1, theta = math.radians(lat), math.radians(lng), math.radians(bearing)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 180) % 360 - 180


def person_at(name: str, lat: float | None, lng: float | None) -> Person:
    return Person.objects.create(email=f"{name}@example.org", latitude=lat, longitude=lng)


def emails(queryset) -> list[str]:
    return [row.email.split("@")[0] for row in queryset]


# --- Pure Python -------------------------------------------------------------------------------


def test_distance_known_values():
    assert distance_miles(*NYC, *NYC) == 0
    # Manhattan to Beverly Hills: about 2,450 miles.
    assert distance_miles(*NYC, 34.0901, -118.4065) == pytest.approx(2450, abs=15)
    # A quarter of the meridian, and antipodes (clamped, no math domain error).
    assert distance_miles(0, 0, 90, 0) == pytest.approx(MAX_DISTANCE_MILES / 2)
    assert distance_miles(0, 0, 0, 180) == pytest.approx(MAX_DISTANCE_MILES)
    assert distance_miles(45, 10, -45, -170) == pytest.approx(MAX_DISTANCE_MILES)
    # Across the antimeridian is short.
    assert distance_miles(0, 179.9, 0, -179.9) == pytest.approx(13.82, abs=0.01)


def test_bounding_box_widens_in_longitude_with_latitude():
    equator = bounding_box(latitude=0, longitude=0, radius_miles=100)
    north = bounding_box(latitude=60, longitude=0, radius_miles=100)
    lat_span = 100 / EARTH_RADIUS_MILES * 180 / math.pi
    assert equator.max_latitude == pytest.approx(lat_span)
    assert north.max_latitude - 60 == pytest.approx(lat_span)
    assert equator.max_longitude == pytest.approx(lat_span)
    # About twice as wide at 60° (1 / cos 60°).
    assert north.max_longitude == pytest.approx(2 * lat_span, rel=1e-3)


def test_bounding_box_over_a_pole_takes_every_longitude():
    box = bounding_box(latitude=89.9, longitude=10, radius_miles=20)
    assert (box.min_longitude, box.max_longitude, box.max_latitude) == (-180.0, 180.0, 90.0)
    assert box.contains(89.9, -170)


def test_bounding_box_across_the_antimeridian_splits():
    box = bounding_box(latitude=-17.7, longitude=179.9, radius_miles=30)
    assert box.crosses_antimeridian
    assert box.contains(-17.7, -179.8) and box.contains(-17.7, 179.5)
    assert not box.contains(-17.7, 0) and not box.contains(-17.7, 178)


def test_bounding_box_rejects_bad_input():
    with pytest.raises(ValueError):
        bounding_box(latitude=91, longitude=0, radius_miles=1)
    with pytest.raises(ValueError):
        bounding_box(latitude=0, longitude=0, radius_miles=-1)
    with pytest.raises(ValueError):
        bounding_box(latitude=math.nan, longitude=0, radius_miles=1)


@pytest.mark.parametrize("lat", [0, 30, -55, 70, 80, 88])
@pytest.mark.parametrize("radius", [1, 150, 650])
def test_bounding_box_holds_the_whole_circle(lat, radius):
    """Walk the circle's edge: the box must hold all of it, including the points that reach
    the farthest east and west (which lie poleward of the centre at high latitudes)."""
    box = bounding_box(latitude=lat, longitude=0, radius_miles=radius)
    for tenth_degree in range(3600):
        point = destination(lat, 0, bearing=tenth_degree / 10, miles=radius * (1 - 1e-12))
        assert box.contains(*point), (point, box)


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    lat=latitudes,
    lng=longitudes,
    radius=st.floats(min_value=0, max_value=14_000),
    bearing=st.floats(min_value=0, max_value=360),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_bounding_box_holds_every_point_of_the_circle(lat, lng, radius, bearing, fraction):
    point = destination(lat, lng, bearing=bearing, miles=radius * fraction)
    box = bounding_box(latitude=lat, longitude=lng, radius_miles=radius)
    if distance_miles(lat, lng, *point) <= radius:
        assert box.contains(*point)


# --- The database query ------------------------------------------------------------------------


@pytest.mark.django_db
def test_near_returns_members_within_the_radius_nearest_first():
    person_at("far", *destination(*NYC, bearing=90, miles=8))
    person_at("here", *NYC)
    person_at("mid", *destination(*NYC, bearing=200, miles=3))
    person_at("away", *destination(*NYC, bearing=10, miles=40))
    person_at("nowhere", None, None)

    found = list(near(Person.objects.all(), latitude=NYC[0], longitude=NYC[1], radius_miles=10))

    assert emails(found) == ["here", "mid", "far"]
    assert [round(p.distance_miles, 3) for p in found] == [0, 3, 8]


@pytest.mark.django_db
def test_near_excludes_points_just_outside_the_radius():
    inside = destination(*NYC, bearing=45, miles=9.99)
    outside = destination(*NYC, bearing=45, miles=10.01)
    d_in, d_out = distance_miles(*NYC, *inside), distance_miles(*NYC, *outside)
    assert d_in < 10 < d_out
    person_at("inside", *inside)
    person_at("outside", *outside)
    # Just outside the bounding box's corner too: within the box, beyond the circle.
    corner = destination(*NYC, bearing=45, miles=12)
    box = bounding_box(latitude=NYC[0], longitude=NYC[1], radius_miles=10)
    assert box.contains(*corner) and distance_miles(*NYC, *corner) > 10
    person_at("corner", *corner)

    found = near(Person.objects.all(), latitude=NYC[0], longitude=NYC[1], radius_miles=10)

    assert emails(found) == ["inside"]
    assert found[0].distance_miles == pytest.approx(d_in, abs=1e-6)


@pytest.mark.django_db
def test_near_keeps_the_queryset_filters():
    person_at("subscribed", *NYC)
    Person.objects.create(
        email="gone@example.org",
        latitude=NYC[0],
        longitude=NYC[1],
        email_status=Person.EmailStatus.UNSUBSCRIBED,
    )
    found = near(
        Person.objects.filter(email_status=Person.EmailStatus.SUBSCRIBED),
        latitude=NYC[0],
        longitude=NYC[1],
        radius_miles=1,
    )
    assert emails(found) == ["subscribed"]


@pytest.mark.django_db
def test_near_across_the_antimeridian_and_over_the_pole():
    person_at("fiji_east", -17.7, -179.95)
    person_at("fiji_west", -17.7, 179.95)
    person_at("greenwich", -17.7, 0)
    found = near(Person.objects.all(), latitude=-17.7, longitude=179.99, radius_miles=20)
    assert emails(found) == ["fiji_west", "fiji_east"]

    person_at("pole_other_side", 89.95, 170)
    found = near(Person.objects.all(), latitude=89.95, longitude=-10, radius_miles=10)
    assert emails(found) == ["pole_other_side"]
    assert found[0].distance_miles == pytest.approx(
        distance_miles(89.95, -10, 89.95, 170), abs=1e-6
    )


@pytest.mark.django_db
def test_near_antipodes_are_found_without_a_math_domain_error():
    # For this pair the haversine term rounds to 1.0000000000000002 (> 1).
    person_at("antipode", 0.82, 161.82)
    found = near(
        Person.objects.all(), latitude=-0.82, longitude=-18.18, radius_miles=MAX_DISTANCE_MILES
    )
    assert emails(found) == ["antipode"]
    assert found[0].distance_miles == pytest.approx(MAX_DISTANCE_MILES)


@pytest.mark.django_db
def test_near_survives_absurdly_small_coordinates():
    # On PostgreSQL radians(5e-324) or power(1e-200, 2) would raise an underflow error.
    person_at("tiny", 5e-324, -1e-200)
    person_at("tinier", -2.2e-309, 1e-160)
    person_at("bogus", 10.0, 720.0)  # impossible longitude: never a match
    found = near(
        Person.objects.all(), latitude=1e-300, longitude=0, radius_miles=MAX_DISTANCE_MILES
    )
    assert sorted(emails(found)) == ["tinier", "tiny"]
    assert all(p.distance_miles == pytest.approx(0, abs=1e-6) for p in found)


@pytest.mark.django_db
def test_near_is_one_query(django_assert_num_queries):
    for i in range(5):
        person_at(f"p{i}", *destination(*NYC, bearing=72 * i, miles=i + 0.5))
    with django_assert_num_queries(1):
        found = list(near(Person.objects.all(), latitude=NYC[0], longitude=NYC[1], radius_miles=5))
    assert len(found) == 5


@pytest.mark.django_db
def test_near_over_postal_codes_themselves():
    found = list(
        near(
            PostalCode.objects.filter(country="US"),
            latitude=NYC[0],
            longitude=NYC[1],
            radius_miles=1,
        )
    )
    assert found[0].code == "10001" and found[0].distance_miles == pytest.approx(0, abs=1e-6)
    assert len(found) > 3
    assert all(p.distance_miles <= 1 for p in found)
    assert [p.distance_miles for p in found] == sorted(p.distance_miles for p in found)


@pytest.mark.django_db
def test_near_through_a_join_to_profiles():
    make_member("nyc@example.org", postal_code="10001")
    make_member("brooklyn@example.org", postal_code="11201")
    make_member("la@example.org", postal_code="90210")
    make_member("nozip@example.org")

    found = near(
        User.objects.all(),
        latitude=NYC[0],
        longitude=NYC[1],
        radius_miles=25,
        lat_field="profile__latitude",
        lng_field="profile__longitude",
    )

    assert [u.email for u in found] == ["nyc@example.org", "brooklyn@example.org"]


@pytest.mark.django_db
def test_near_postal_code_centres_on_the_code():
    person_at("manhattan", *NYC)
    person_at("beverly_hills", 34.0901, -118.4065)

    found = near_postal_code(Person.objects.all(), country="US", code="90210", radius_miles=5)

    assert emails(found) == ["beverly_hills"]
    assert found[0].distance_miles == pytest.approx(0, abs=0.01)


@pytest.mark.django_db
def test_near_postal_code_unknown_code_is_a_clear_error():
    with pytest.raises(ValidationError) as caught:
        near_postal_code(Person.objects.all(), country="US", code="00000", radius_miles=5)
    assert caught.value.code == "unknown_postal_code"
    assert "00000" in caught.value.messages[0]


@pytest.mark.django_db
def test_near_postal_code_message_is_translatable():
    from django.utils.functional import Promise

    with pytest.raises(ValidationError) as caught:
        near_postal_code(Person.objects.all(), country="FR", code="99999", radius_miles=5)
    assert isinstance(caught.value.message, Promise)  # gettext_lazy, rendered per request


points = st.tuples(latitudes, longitudes)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    center=points,
    others=st.lists(points, min_size=1, max_size=8),
    radius=st.floats(min_value=0, max_value=13_000),
)
def test_database_distance_matches_python(center, others, radius):
    Person.objects.all().delete()  # one test transaction spans every example
    Person.objects.bulk_create(
        Person(email=f"p{i}@example.org", latitude=lat, longitude=lng)
        for i, (lat, lng) in enumerate(others)
    )
    expected = {f"p{i}": distance_miles(*center, lat, lng) for i, (lat, lng) in enumerate(others)}

    found = list(
        near(Person.objects.all(), latitude=center[0], longitude=center[1], radius_miles=radius)
    )

    tolerance = 1e-3  # miles; PostgreSQL's libm and Python's can differ in the last bits
    for person in found:
        assert person.distance_miles == pytest.approx(expected[emails([person])[0]], abs=tolerance)
    got = set(emails(found))
    assert {name for name, d in expected.items() if d <= radius - tolerance} <= got
    assert not {name for name, d in expected.items() if d > radius + tolerance} & got
    distances = [p.distance_miles for p in found]
    assert distances == sorted(distances)
