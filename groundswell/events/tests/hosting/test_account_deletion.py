"""A host can delete their account: upcoming events pass to a co-host or are cancelled;
past events keep their attendance with an empty host."""

from __future__ import annotations

import pytest
from django.core import mail

from groundswell.accounts.models import User
from groundswell.accounts.services import account_delete
from groundswell.accounts.testing import make_member
from groundswell.core.models import AuditEntry
from groundswell.events.hosting.services.cohosts import event_cohost_add
from groundswell.events.models import Attendance, Event, EventCoHost
from groundswell.events.rsvp.selectors import event_host_name
from groundswell.events.testing import host_event, make_cohost, make_person, move_to_past, rsvp

pytestmark = pytest.mark.django_db


def test_upcoming_event_passes_to_the_cohost(member, organizer, django_capture_on_commit_callbacks):
    event = host_event(member, publish_as=organizer)
    cohost = make_cohost()
    event_cohost_add(event=event, email=cohost.email, actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member, actor=member)
    event.refresh_from_db()
    assert event.host_id == cohost.pk
    assert event.status == Event.Status.PUBLISHED
    assert not EventCoHost.objects.filter(event=event).exists()
    assert AuditEntry.objects.filter(
        action="event.host_handover", subject_id=str(event.pk)
    ).exists()


def test_upcoming_event_without_cohost_is_cancelled_and_attendees_told(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer)
    rsvp(event, make_person("ana@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member, actor=member)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.host_id is None
    assert any("ana@example.org" in message.to for message in mail.outbox)


def test_past_event_keeps_its_attendance_with_an_empty_host(member, organizer):
    event = host_event(member, publish_as=organizer)
    rsvp(event, make_person("ana@example.org"))
    move_to_past(event)
    account_delete(user=member, actor=member)
    event.refresh_from_db()
    assert event.host_id is None
    assert event.status == Event.Status.PUBLISHED
    assert Attendance.objects.filter(event=event).count() == 1
    assert event_host_name(event=event) == "Deleted member"
    assert not User.objects.filter(pk=member.pk).exists()


def test_event_page_of_a_deleted_host_still_renders(client, member, organizer):
    event = host_event(member, publish_as=organizer)
    move_to_past(event)
    account_delete(user=member, actor=member)
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    assert "Deleted member" in response.content.decode()


def test_a_cohost_deleting_their_account_leaves_the_event_alone(member, organizer):
    event = host_event(member, publish_as=organizer)
    cohost = make_member("co@example.org")
    event_cohost_add(event=event, email=cohost.email, actor=member)
    account_delete(user=cohost, actor=cohost)
    event.refresh_from_db()
    assert event.host_id == member.pk
    assert event.status == Event.Status.PUBLISHED
