"""Co-hosts, messages to attendees (batched through the queue, one address per email, at most
five a day), the after-event report and recording who came."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from groundswell.core.models import AuditEntry
from groundswell.events.hosting.services import messages as hosting_messages
from groundswell.events.hosting.services.attendance import attendance_mark, event_report_submit
from groundswell.events.hosting.services.cohosts import event_cohost_add, event_cohost_remove
from groundswell.events.hosting.services.messages import (
    event_message_attendees,
    event_message_batch_deliver,
)
from groundswell.events.models import Attendance, EventCoHost, EventMessage
from groundswell.events.testing import make_cohost, make_person, move_to_past, rsvp
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


# --- co-hosts -----------------------------------------------------------------------------


def test_a_host_adds_a_co_host_by_email_who_gets_the_tools(
    event, member, django_capture_on_commit_callbacks
):
    cohost = make_cohost()
    with django_capture_on_commit_callbacks(execute=True):
        event_cohost_add(event=event, email="  COHOST@example.org ", actor=member)
    assert EventCoHost.objects.filter(event=event, user=cohost, added_by=member).exists()
    assert mail.outbox[-1].to == ["cohost@example.org"]
    assert f"/events/{event.pk}/manage/" in mail.outbox[-1].body
    # Same tools: the co-host can message attendees and add another co-host.
    rsvp(event, make_person("ana@example.org"))
    event_message_attendees(event=event, actor=cohost, subject="Hi", body="See you")
    make_cohost("second@example.org")
    event_cohost_add(event=event, email="second@example.org", actor=cohost)
    assert event.cohosts.count() == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No member has this email address. Ask them to join first."),
        ("member@example.org", "They already host this event."),
    ],
)
def test_co_host_errors(event, member, email, message):
    with pytest.raises(ValidationError) as excinfo:
        event_cohost_add(event=event, email=email, actor=member)
    assert excinfo.value.message_dict["email"] == [message]
    assert not EventCoHost.objects.exists()


def test_adding_the_same_co_host_twice_is_an_error(event, member):
    make_cohost()
    event_cohost_add(event=event, email="cohost@example.org", actor=member)
    with pytest.raises(ValidationError) as excinfo:
        event_cohost_add(event=event, email="cohost@example.org", actor=member)
    assert excinfo.value.message_dict["email"] == ["They are already a co-host."]


def test_outsiders_cannot_add_or_remove_co_hosts(event, member, other_member):
    cohost = make_cohost()
    with pytest.raises(PermissionDenied):
        event_cohost_add(event=event, email="cohost@example.org", actor=other_member)
    event_cohost_add(event=event, email="cohost@example.org", actor=member)
    with pytest.raises(PermissionDenied):
        event_cohost_remove(event=event, user=cohost, actor=other_member)
    event_cohost_remove(event=event, user=cohost, actor=member)
    assert not EventCoHost.objects.exists()
    assert AuditEntry.objects.filter(action="event.cohost_remove").count() == 1


# --- messages -----------------------------------------------------------------------------


def test_a_message_goes_to_each_attendee_alone_in_batches(
    event, member, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(hosting_messages, "MESSAGE_BATCH_SIZE", 2)
    for index in range(3):
        rsvp(event, make_person(f"going{index}@example.org"))
    rsvp(event, make_person("waiting@example.org"))  # full: waitlisted
    bounced = make_person("bounced@example.org")
    Person.objects.filter(pk=bounced.pk).update(email_status=Person.EmailStatus.BOUNCING)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message = event_message_attendees(
            event=event, actor=member, subject="Meet at the door", body="Bring a pen."
        )
    # The waitlisted and the bouncing address are left out.
    assert len(message.recipient_ids) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "going0@example.org",
        "going1@example.org",
        "going2@example.org",
    ]
    for sent in mail.outbox:
        assert len(sent.to) == 1 and not sent.cc and not sent.bcc
        assert sent.subject == "Canvass Chelsea: Meet at the door"
        assert "Bring a pen." in sent.body
        assert "member@example.org" not in sent.body
    assert sorted(EventMessage.objects.get(pk=message.pk).batches_sent) == [0, 1]


def test_a_batch_run_twice_sends_once(event, member, django_capture_on_commit_callbacks):
    rsvp(event, make_person("ana@example.org"))
    with django_capture_on_commit_callbacks(execute=False):
        message = event_message_attendees(event=event, actor=member, subject="S", body="B")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 0
    assert len(mail.outbox) == 1


def test_the_waitlist_gets_it_only_when_asked(event, member, django_capture_on_commit_callbacks):
    for index in range(3):
        rsvp(event, make_person(f"going{index}@example.org"))
    rsvp(event, make_person("waiting@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_message_attendees(
            event=event, actor=member, subject="S", body="B", include_waitlisted=True
        )
    assert "waiting@example.org" in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 4


def test_five_messages_a_day_per_event(event, member):
    rsvp(event, make_person("ana@example.org"))
    for index in range(5):
        event_message_attendees(event=event, actor=member, subject=f"S{index}", body="B")
    with pytest.raises(ValidationError, match="up to 5 messages a day"):
        event_message_attendees(event=event, actor=member, subject="S6", body="B")
    # A day later the oldest no longer count.
    later = timezone.now() + timedelta(days=1, minutes=1)
    event_message_attendees(event=event, actor=member, subject="S6", body="B", now=later)
    assert EventMessage.objects.filter(event=event).count() == 6


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("", "B", "subject", "Write a subject."),
        ("S", " ", "body", "Write a message."),
        ("x" * 151, "B", "subject", "Keep the subject to 150 characters or fewer."),
        ("S", "x" * 5001, "body", "Keep the message to 5,000 characters or fewer."),
    ],
)
def test_message_errors(event, member, subject, body, field, message):
    rsvp(event, make_person("ana@example.org"))
    with pytest.raises(ValidationError) as excinfo:
        event_message_attendees(event=event, actor=member, subject=subject, body=body)
    assert excinfo.value.message_dict[field] == [message]
    assert not EventMessage.objects.exists()


def test_nobody_to_message_and_outsiders_cannot(event, member, other_member):
    with pytest.raises(ValidationError, match="nobody to message"):
        event_message_attendees(event=event, actor=member, subject="S", body="B")
    rsvp(event, make_person("ana@example.org"))
    with pytest.raises(PermissionDenied):
        event_message_attendees(event=event, actor=other_member, subject="S", body="B")
    assert not EventMessage.objects.exists()


# --- after the event ----------------------------------------------------------------------


def test_the_report_is_only_for_after_the_start(event, member):
    with pytest.raises(ValidationError, match="once it has started"):
        event_report_submit(event=event, actor=member, doors_knocked=10, calls_made=0)
    later = event.starts_at + timedelta(hours=3)
    with pytest.raises(ValidationError) as excinfo:
        event_report_submit(event=event, actor=member, doors_knocked=-1, calls_made=None, now=later)
    assert excinfo.value.message_dict["doors_knocked"] == ["Enter zero or more."]
    event = event_report_submit(
        event=event,
        actor=member,
        doors_knocked=140,
        calls_made=12,
        notes="Great turnout",
        now=later,
    )
    event.refresh_from_db()
    assert (event.doors_knocked, event.calls_made, event.report_notes) == (140, 12, "Great turnout")
    assert event.reported_at == later


def test_attendance_is_recorded_after_the_start(event, member, other_member):
    attendance = rsvp(event, make_person("ana@example.org"))
    with pytest.raises(ValidationError, match="once the event has started"):
        attendance_mark(attendance=attendance, attended=True, actor=member)
    move_to_past(event)
    attendance.refresh_from_db()
    with pytest.raises(PermissionDenied):
        attendance_mark(attendance=attendance, attended=True, actor=other_member)
    attendance_mark(attendance=attendance, attended=True, actor=member)
    attendance.refresh_from_db()
    assert attendance.attended is True and attendance.checked_in_at is not None
    attendance_mark(attendance=attendance, attended=False, actor=member)
    attendance.refresh_from_db()
    assert attendance.attended is False and attendance.checked_in_at is None
    assert Attendance.objects.get(pk=attendance.pk).status == Attendance.Status.CONFIRMED
