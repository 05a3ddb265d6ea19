"""People reads: fixed query counts, stable order, and the email lookup uses the index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from groundswell.people.models import Person
from groundswell.people.selectors import (
    PersonFilter,
    person_by_email_qs,
    person_get,
    person_list,
    tags_by_names,
)
from groundswell.people.services import PhoneNumberInput, person_match_or_create, tag_create


def _make(count: int) -> list[Person]:
    return [
        person_match_or_create(
            email=f"p{index}@example.org",
            fields={"given_name": "Ana" if index % 2 else "Bo"},
            phone_numbers=[PhoneNumberInput(number=f"202555{index:04d}")],
        ).person
        for index in range(count)
    ]


@pytest.mark.parametrize("count", [2, 25])
def test_person_list_is_two_queries_whatever_the_size(db, count, django_assert_num_queries):
    people = _make(count)
    with django_assert_num_queries(2):
        rows = list(person_list())
        numbers = [phone.number for person in rows for phone in person.phone_numbers.all()]
    assert [p.pk for p in rows] == sorted(p.pk for p in people)
    assert len(numbers) == count


def test_person_list_filters(db):
    people = _make(4)
    assert list(person_list(filters=PersonFilter(email="P1@EXAMPLE.ORG"))) == [people[1]]
    assert list(person_list(filters=PersonFilter(given_name="ana"))) == [people[1], people[3]]
    Person.objects.filter(pk=people[0].pk).update(modified_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert people[0] not in person_list(
        filters=PersonFilter(modified_after=datetime(2021, 1, 1, tzinfo=UTC))
    )
    assert list(
        person_list(filters=PersonFilter(modified_before=datetime(2021, 1, 1, tzinfo=UTC)))
    ) == [people[0]]


def test_person_get_guards_impossible_ids(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert person_get(person_id=2**63) is None
        assert person_get(person_id=0) is None


def test_tags_by_names_matches_case_insensitively_and_skips_unknown(db):
    tag = tag_create(name="Volunteer")
    assert tags_by_names(names=["VOLUNTEER", "nope", "", "  "]) == [tag]
    assert tags_by_names(names=[]) == []


@pytest.mark.postgres
def test_email_lookup_uses_the_case_insensitive_unique_index(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL query plans")
    _make(3)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = person_by_email_qs("p1@example.org").explain()
    assert "people_person_email_unique_ci" in plan
