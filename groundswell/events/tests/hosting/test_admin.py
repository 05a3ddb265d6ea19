"""The events admin: searchable lists, and state changes that go through the services."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from groundswell.core.models import AuditEntry
from groundswell.events.models import Event, EventCoHost, TrustedHost
from groundswell.events.testing import host_event, make_cohost, make_person, rsvp

pytestmark = pytest.mark.django_db


def test_lists_and_search(admin_client, member, organizer):
    event = host_event(member, publish_as=organizer, title="Chelsea doors")
    host_event(organizer, title="Elsewhere", postal_code="94103")
    rsvp(event, make_person("ana@example.org"))
    html = admin_client.get(
        reverse("admin:events_event_changelist") + "?q=member@example.org"
    ).content.decode()
    assert "Chelsea doors" in html and "Elsewhere" not in html
    html = admin_client.get(
        reverse("admin:events_event_changelist") + "?status__exact=published&q=94103"
    ).content.decode()
    assert "Elsewhere" in html and "Chelsea doors" not in html
    html = admin_client.get(
        reverse("admin:events_attendance_changelist") + "?q=ana@example"
    ).content.decode()
    assert "Pat Guest" in html
    assert (
        admin_client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    )
    for name in ("eventcampaign", "trustedhost", "eventcohost", "eventmessage"):
        assert admin_client.get(reverse(f"admin:events_{name}_changelist")).status_code == 200


def test_the_approve_action_uses_the_service(admin_client, member):
    event = host_event(member)
    admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="event.approve", subject_id=str(event.pk)).exists()


def test_trusted_hosts_are_granted_and_revoked_through_the_services(admin_client, member):
    admin_client.post(reverse("admin:events_trustedhost_add"), {"user": member.pk})
    trust = TrustedHost.objects.get(user=member)
    assert AuditEntry.objects.filter(action="event.host_trust_grant").exists()
    admin_client.post(reverse("admin:events_trustedhost_delete", args=[trust.pk]), {"post": "yes"})
    assert not TrustedHost.objects.exists()
    assert AuditEntry.objects.filter(action="event.host_trust_revoke").exists()


def test_removing_a_co_host_goes_through_the_service(admin_client, member):
    event = host_event(member)
    cohost = EventCoHost.objects.create(event=event, user=make_cohost())
    admin_client.post(reverse("admin:events_eventcohost_delete", args=[cohost.pk]), {"post": "yes"})
    assert not EventCoHost.objects.exists()
    assert AuditEntry.objects.filter(action="event.cohost_remove").exists()
