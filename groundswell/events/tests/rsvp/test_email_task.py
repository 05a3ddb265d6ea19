"""The confirmation mail is built by a task after commit, in the language the person used."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from groundswell.events.rsvp.services import (
    attendance_cancel,
    attendance_email_send,
    attendance_rsvp,
)
from groundswell.events.testing import PLACE_CHICAGO, make_event, make_person

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_commit_and_one_mail_after(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attendance_rsvp(event=event, person=make_person("ana@example.org"))
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]
    assert any(a[0].endswith(".ics") for a in mail.outbox[0].attachments)


def test_the_mail_keeps_the_language_of_the_request(member, django_capture_on_commit_callbacks):
    event = make_event(member, place=PLACE_CHICAGO)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        attendance_rsvp(event=event, person=make_person("ana@example.org"))
    english = make_person("bob@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        attendance_rsvp(event=event, person=english)
    french_mail, english_mail = mail.outbox
    assert french_mail.subject != english_mail.subject


def test_a_cancelled_rsvp_gets_no_late_confirmation(member):
    event = make_event(member, place=PLACE_CHICAGO)
    attendance = attendance_rsvp(event=event, person=make_person("ana@example.org")).attendance
    attendance_cancel(attendance=attendance)
    mail.outbox.clear()
    assert (
        attendance_email_send(attendance_id=attendance.pk, kind="confirmed", language="en")
        == "skipped"
    )
    assert mail.outbox == []
