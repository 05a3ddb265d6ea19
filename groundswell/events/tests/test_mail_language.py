"""Every event mail is written in its recipient's language (Person.preferred_language), not
in the language of whoever caused it: each test sends while the *other* language is active."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from groundswell.accounts.testing import make_member
from groundswell.events.display import when_text
from groundswell.events.hosting.services.approval import event_approve
from groundswell.events.hosting.services.events import event_cancel, event_update
from groundswell.events.hosting.services.messages import event_message_attendees
from groundswell.events.reminders.services import REMINDER_DAY_BEFORE, attendance_reminder_deliver
from groundswell.events.rsvp.services import attendance_cancel
from groundswell.events.testing import (
    PLACE_CHICAGO,
    first_shift,
    host_event,
    make_event,
    make_person,
    next_week_local,
    rsvp,
)
from groundswell.people.services import person_language_set

pytestmark = pytest.mark.django_db
NBSP = "\N{NO-BREAK SPACE}"  # French puts one before a colon


def _mail_to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def test_the_reminder_is_in_each_attendees_language_with_dates_to_match(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, title="Canvass")
    french = rsvp(event, make_person("fr@example.org", preferred_language="fr"))
    english = rsvp(event, make_person("en@example.org", preferred_language="en"))
    shift = first_shift(event)
    mail.outbox.clear()
    for attendance, active in ((french, "en"), (english, "fr")):
        with translation.override(active), django_capture_on_commit_callbacks(execute=True):
            attendance_reminder_deliver(
                attendance_id=attendance.pk,
                kind=REMINDER_DAY_BEFORE,
                scheduled_starts_at=shift.starts_at,
            )
    with translation.override("fr"):
        french_when = when_text(event, shift)
    with translation.override("en"):
        english_when = when_text(event, shift)
    assert french_when != english_when

    french_mail = _mail_to("fr@example.org")
    assert french_mail.subject == f"Demain{NBSP}: Canvass"
    assert "Oui, je serai là" in french_mail.body
    assert french_when in french_mail.body
    english_mail = _mail_to("en@example.org")
    assert english_mail.subject == "Tomorrow: Canvass"
    assert english_when in english_mail.body


def test_a_promotion_is_in_the_promoted_persons_language(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, title="Canvass", capacity=1)
    going = rsvp(event, make_person("going@example.org"))
    rsvp(event, make_person("fr@example.org", preferred_language="fr"))  # waitlisted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_cancel(attendance=going)  # in English, the canceller's language
    assert (
        _mail_to("fr@example.org").subject
        == f"Une place s\u2019est libérée, vous participez{NBSP}: Canvass"
    )


def test_a_person_with_no_language_gets_the_sites_default(
    member, django_capture_on_commit_callbacks
):
    event = make_event(member, place=PLACE_CHICAGO, title="Canvass", capacity=1)
    going = rsvp(event, make_person("going@example.org"))
    rsvp(event, make_person("waiting@example.org"))
    mail.outbox.clear()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        attendance_cancel(attendance=going)
    assert _mail_to("waiting@example.org").subject == "A place opened up, you're going: Canvass"


def test_the_cancellation_is_in_each_attendees_language(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, title="Canvass")
    rsvp(event, make_person("fr@example.org", preferred_language="fr"))
    rsvp(event, make_person("en@example.org", preferred_language="en"))
    mail.outbox.clear()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=member)
    assert _mail_to("fr@example.org").subject == f"Annulé{NBSP}: Canvass"
    assert _mail_to("en@example.org").subject == "Cancelled: Canvass"


def test_a_host_message_has_each_attendees_language_around_the_hosts_words(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, title="Canvass")
    rsvp(event, make_person("fr@example.org", preferred_language="fr"))
    rsvp(event, make_person("en@example.org", preferred_language="en"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_message_attendees(event=event, actor=member, subject="Parking", body="Use lot B.")
    french, english = _mail_to("fr@example.org"), _mail_to("en@example.org")
    assert french.subject == english.subject == "Canvass: Parking"  # the host's own words
    assert "Use lot B." in french.body and "Use lot B." in english.body
    assert "vous envoient ce message" in french.body
    assert "sent you this message because you signed up" in english.body


def test_a_new_time_is_announced_in_each_attendees_language(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, title="Canvass")
    rsvp(event, make_person("fr@example.org", preferred_language="fr"))
    rsvp(event, make_person("en@example.org", preferred_language="en"))
    mail.outbox.clear()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        event_update(
            event=event, actor=member, starts_at=next_week_local(14), ends_at=next_week_local(16)
        )
    assert _mail_to("fr@example.org").subject == f"Nouvel horaire{NBSP}: Canvass"
    english = _mail_to("en@example.org")
    assert english.subject == "New time: Canvass"
    assert "2 p.m." in english.body


def test_the_approval_mail_is_in_the_hosts_language(organizer, django_capture_on_commit_callbacks):
    host = make_member("host@example.org", given_name="Hana")
    assert host.person is not None
    person_language_set(person=host.person, language="fr")
    event = host_event(host, title="Canvass")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_approve(event=event, actor=organizer)
    assert _mail_to("host@example.org").subject == f"Votre événement est approuvé{NBSP}: Canvass"
