"""A host message's subject is one line: line breaks typed into it (or sent through the API)
are folded into spaces, as group announcements do, so every send task can build the mail."""

from __future__ import annotations

import pytest
from django.core import mail

from groundswell.events.hosting.services.messages import (
    event_message_attendees,
    event_message_batch_deliver,
)
from groundswell.events.models import EventMessage
from groundswell.events.testing import make_person, rsvp

pytestmark = pytest.mark.django_db


def test_line_breaks_in_the_subject_are_folded_and_the_mail_goes(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = event_message_attendees(
            event=event, actor=member, subject="Meet\r\nat the\rdoor\n", body="Bring a pen."
        )
    assert message.subject == "Meet at the door"
    assert [sent.subject for sent in mail.outbox] == ["Canvass Chelsea: Meet at the door"]


def test_a_stored_subject_with_a_line_break_still_sends(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org"))
    with django_capture_on_commit_callbacks(execute=False):
        message = event_message_attendees(event=event, actor=member, subject="S", body="B")
    EventMessage.objects.filter(pk=message.pk).update(subject="Meet\r\nBcc: x@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 1
    assert [sent.subject for sent in mail.outbox] == ["Canvass Chelsea: Meet Bcc: x@example.org"]
    assert mail.outbox[0].bcc == []
