"""Staff admin for members and profiles."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import profile_photo_set
from groundswell.accounts.testing import image_bytes, upload
from groundswell.core.models import AuditEntry
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_admin_pages_are_for_staff_with_permissions(client, member, organizer):
    url = reverse("admin:accounts_user_changelist")
    assert client.get(url).status_code == 302  # anonymous: to the admin login
    client.force_login(member)
    assert client.get(url).status_code == 302  # not staff
    client.force_login(organizer)
    assert client.get(url).status_code == 403  # staff without the permission


def test_user_changelist_search_and_filters(admin_client, member, other_member, organizer):
    url = reverse("admin:accounts_user_changelist")
    response = admin_client.get(url, {"q": "other@"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "other@example.org" in html and "member@example.org" not in html
    assert reverse("admin:people_person_change", args=[other_member.person_id]) in html
    response = admin_client.get(url, {"staff_role__exact": "organizer"})
    assert "organizer@example.org" in response.content.decode()
    assert "member@example.org" not in response.content.decode()


def test_user_change_page_shows_no_editable_password_hash(admin_client, member):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' not in html
    assert member.password not in html
    assert "Reset password" in html
    assert 'name="email"' not in html  # the login address is changed by its owner


def test_user_change_goes_through_the_service_and_is_audited(admin_client, superuser, member):
    url = reverse("admin:accounts_user_change", args=[member.pk])
    response = admin_client.post(url, {"is_active": "on", "staff_role": "organizer"})
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.staff_role == "organizer" and member.is_staff
    entry = AuditEntry.objects.get(action="member.access_update")
    assert entry.actor == superuser and entry.details["after"]["staff_role"] == "organizer"


def test_no_add_or_plain_delete(admin_client, member):
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:accounts_user_delete", args=[member.pk])).status_code == 403
    )


def test_erase_action_confirms_then_deletes_and_erases(admin_client, superuser, member):
    url = reverse("admin:accounts_user_changelist")
    data = {"action": "erase_accounts", ACTION_CHECKBOX_NAME: [member.pk, superuser.pk]}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "member@example.org" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    response = admin_client.post(url, {**data, "post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert User.objects.filter(pk=superuser.pk).exists()  # never yourself
    assert Person.objects.get(pk=member.person_id).erased_at is not None
    assert AuditEntry.objects.get(action="account.delete").actor == superuser


def test_profile_admin_search_filter_and_photo_removal(admin_client, member, other_member):
    Profile.objects.filter(user=member).update(display_name="Maya the Bold", privacy="public")
    profile_photo_set(user=member, upload=upload(image_bytes()))
    url = reverse("admin:accounts_profile_changelist")
    response = admin_client.get(url, {"q": "Bold"})
    assert response.status_code == 200 and "Maya the Bold" in response.content.decode()
    response = admin_client.get(url, {"privacy__exact": "private"})
    assert "Maya the Bold" not in response.content.decode()
    profile = Profile.objects.get(user=member)
    admin_client.post(url, {"action": "remove_photos", ACTION_CHECKBOX_NAME: [profile.pk]})
    profile.refresh_from_db()
    assert not profile.photo


def test_erase_action_needs_the_delete_permission(client, organizer, member):
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(
        Permission.objects.get(codename="view_user"), Permission.objects.get(codename="change_user")
    )
    client.force_login(organizer)
    url = reverse("admin:accounts_user_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "erase_accounts" not in response.content.decode()
    client.post(url, {"action": "erase_accounts", ACTION_CHECKBOX_NAME: [member.pk], "post": "yes"})
    assert User.objects.filter(pk=member.pk).exists()
    # Without superuser status, raw permissions and superuser status are read-only.
    html = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert 'name="is_superuser"' not in html
