"""The PostalCode admin: who can open it, and search over ~42k rows in a fixed query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:geo_postalcode_changelist")


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_supporters_are_sent_to_the_admin_login(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("persona", ["organizer", "hq"])
def test_staff_without_the_permission_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CHANGELIST).status_code == 403


def test_superuser_searches_by_code_and_place(client, superuser, django_assert_max_num_queries):
    client.force_login(superuser)
    with django_assert_max_num_queries(10):
        response = client.get(CHANGELIST, {"q": "90210"})
    assert response.status_code == 200
    assert [p.code for p in response.context["cl"].result_list] == ["90210"]

    response = client.get(CHANGELIST, {"q": "Beverly Hills", "admin1": "CA"})
    codes = {p.code for p in response.context["cl"].result_list}
    assert "90210" in codes
    assert all(p.place_name == "Beverly Hills" for p in response.context["cl"].result_list)


def test_superuser_filters_by_country(client, superuser):
    client.force_login(superuser)
    response = client.get(CHANGELIST, {"country": "US", "admin1": "DC"})
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert rows and all(p.country == "US" and p.admin1 == "DC" for p in rows)
