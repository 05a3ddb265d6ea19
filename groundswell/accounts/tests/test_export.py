"""Download my data: the JSON export and its section registry."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from groundswell.accounts import selectors
from groundswell.accounts.selectors import account_export, export_section_register
from groundswell.accounts.services import profile_photo_set, profile_update
from groundswell.accounts.testing import image_bytes, upload
from groundswell.core.audit import audit_record
from groundswell.core.models import AuditEntry
from groundswell.people.models import PhoneNumber, Tag, Tagging

pytestmark = pytest.mark.django_db


def _rich_member(member, other_member, postal_codes):
    profile_update(
        user=member,
        display_name="Maya",
        bio="Organizer of the block",
        postal_code="10001",
        country="US",
        interests=["canvassing"],
        languages=["es"],
        time_zone="America/New_York",
        privacy="members",
    )
    profile_photo_set(user=member, upload=upload(image_bytes()))
    PhoneNumber.objects.create(person=member.person, number="+12025550143", sms_opted_in=True)
    Tagging.objects.create(person=member.person, tag=Tag.objects.create(name="Volunteer"))
    EmailAddress.objects.create(user=member, email="maya@work.example", verified=False)
    audit_record(actor=other_member, action="test.other", subject=other_member)


def test_export_download_contains_everything_about_the_member_only(
    client, member, other_member, postal_codes
):
    _rich_member(member, other_member, postal_codes)
    client.force_login(member)
    response = client.get(reverse("account_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="groundswell-my-data-')
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["format"] == "groundswell.account-export" and data["version"] == 1
    assert data["account"]["email"] == "member@example.org"
    assert data["account"]["staff_role"] == ""
    assert "password" not in data["account"]
    assert {a["email"] for a in data["email_addresses"]} == {
        "member@example.org",
        "maya@work.example",
    }
    person = data["person"]
    assert person["given_name"] == "Maya" and person["email"] == "member@example.org"
    assert person["postal_code"] == "10001"
    assert person["phone_numbers"][0]["number"] == "+12025550143"
    assert person["phone_numbers"][0]["sms_opted_in"] is True
    assert person["tags"] == ["Volunteer"]
    profile = data["profile"]
    assert profile["bio"] == "Organizer of the block"
    assert profile["languages"] == ["es"]
    assert profile["photo_url"].startswith("/media/profiles/")
    actions = [entry["action"] for entry in data["audit_log"]]
    assert "profile.update" in actions and "account.export" in actions
    assert "test.other" not in actions
    assert "other@example.org" not in response.content.decode()


def test_export_is_get_only(member_client):
    assert member_client.post(reverse("account_export")).status_code == 405


def test_export_records_the_download(member_client, member):
    member_client.get(reverse("account_export"))
    assert AuditEntry.objects.filter(action="account.export", actor=member).count() == 1


def test_export_query_count_does_not_grow_with_rows(
    member, other_member, postal_codes, django_assert_num_queries, monkeypatch
):
    # The sections of this app; other apps pin the query counts of the sections they add.
    own = ("account", "email_addresses", "person", "profile", "audit_log")
    monkeypatch.setattr(
        selectors, "_EXPORT_SECTIONS", {k: selectors._EXPORT_SECTIONS[k] for k in own}
    )
    _rich_member(member, other_member, postal_codes)
    with django_assert_num_queries(7):
        account_export(user=member)
    for number in ["+12025550100", "+12025550101", "+12025550102"]:
        PhoneNumber.objects.create(person=member.person, number=number)
    for index in range(3):
        audit_record(actor=member, action=f"test.{index}", subject=member)
    with django_assert_num_queries(7):
        account_export(user=member)


def test_apps_can_add_export_sections(member):
    def rsvps(*, user):
        return [{"event": "Canvass kickoff", "user": user.pk}]

    export_section_register("event_rsvps", rsvps)
    try:
        data = account_export(user=member)
        assert data["event_rsvps"] == [{"event": "Canvass kickoff", "user": member.pk}]
        export_section_register("event_rsvps", rsvps)  # registering twice is harmless
        with pytest.raises(ImproperlyConfigured):
            export_section_register("event_rsvps", lambda *, user: None)
        with pytest.raises(ImproperlyConfigured):
            export_section_register("version", rsvps)
    finally:
        selectors._EXPORT_SECTIONS.pop("event_rsvps")


def test_export_without_person_or_profile(member):
    member.person = None
    member.save()
    member.profile.delete()
    data = account_export(user=member)
    assert data["person"] is None and data["profile"] is None
