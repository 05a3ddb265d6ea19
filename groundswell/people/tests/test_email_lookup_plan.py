"""Email lookups must use an index on both databases: a scan over millions of people made
every sign-up and RSVP take most of a second on the campaign-scale data set."""

from __future__ import annotations

import pytest
from django.db import connection

from groundswell.accounts.models import User
from groundswell.people.selectors import person_by_email_qs

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
        return plan


def test_person_email_lookup_uses_the_unique_index():
    plan = _plan(person_by_email_qs("ana@example.org").order_by("pk")[:1])
    assert "people_person_email_unique_ci" in plan, plan


def test_login_email_lookup_uses_an_index():
    plan = _plan(User.objects.filter(email="ana@example.org"))
    assert "SCAN accounts_user" not in plan and "Seq Scan" not in plan, plan
