"""Staff admin for groups: lists with search and filters, edits through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.core.models import AuditEntry
from groundswell.groups.services import group_post_create
from groundswell.groups.testing import UNKNOWN_ZIP

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["group", "groupmembership", "grouppost", "groupannouncement"])
def test_changelists_search_and_filter(admin_client, world, model):
    group_post_create(group=world["group"], author=world["member"], body="Hello")
    url = reverse(f"admin:groups_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Chelsea"}).status_code == 200


def test_filters_on_the_group_list(admin_client, world):
    url = reverse("admin:groups_group_changelist")
    response = admin_client.get(url, {"focus": "neighborhood", "archived_at__isnull": "True"})
    assert response.status_code == 200
    assert "Chelsea for Change" in response.content.decode()


def test_editing_a_group_goes_through_the_service(admin_client, world):
    group = world["group"]
    url = reverse("admin:groups_group_change", args=[group.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "name": "Chelsea Organizes",
        "focus": "issue",
        "description": "x",
        "postal_code": "10011",
        "country": "US",
        "meeting_area": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "3",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    group.refresh_from_db()
    assert (group.name, group.postal_code, group.latitude) == (
        "Chelsea Organizes",
        "10011",
        40.7402,
    )
    assert AuditEntry.objects.filter(action="group.update").exists()
    response = admin_client.post(url, {**data, "postal_code": UNKNOWN_ZIP})
    assert response.status_code == 200
    assert "know the postal code" in response.content.decode()
    group.refresh_from_db()
    assert group.postal_code == "10011"


def test_archive_action(admin_client, world):
    url = reverse("admin:groups_group_changelist")
    admin_client.post(url, {"action": "archive_groups", "_selected_action": [world["group"].pk]})
    world["group"].refresh_from_db()
    assert world["group"].archived_at is not None
    assert AuditEntry.objects.filter(action="group.archive").count() == 1


def test_memberships_posts_and_announcements_are_read_only(admin_client, world):
    assert admin_client.get(reverse("admin:groups_groupmembership_add")).status_code == 403
    assert admin_client.get(reverse("admin:groups_grouppost_add")).status_code == 403
    assert admin_client.get(reverse("admin:groups_group_add")).status_code == 403
