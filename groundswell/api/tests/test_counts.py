"""Large collection counts are reused for a minute; small ones are always exact."""

from __future__ import annotations

import pytest

from groundswell.api import hal
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_small_counts_are_exact(django_assert_num_queries):
    Person.objects.create(email="a@example.org")
    queryset = Person.objects.filter(erased_at__isnull=True)
    assert hal.collection_count(queryset) == 1
    Person.objects.create(email="b@example.org")
    with django_assert_num_queries(1):
        assert hal.collection_count(queryset) == 2


def test_large_counts_are_cached(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(hal, "LARGE_COUNT", 2)
    Person.objects.create(email="a@example.org")
    Person.objects.create(email="b@example.org")
    queryset = Person.objects.filter(erased_at__isnull=True)
    assert hal.collection_count(queryset) == 2
    Person.objects.create(email="c@example.org")
    with django_assert_num_queries(0):
        assert hal.collection_count(queryset) == 2
    # Another filter is another count.
    assert hal.collection_count(queryset.filter(email__startswith="c")) == 1
