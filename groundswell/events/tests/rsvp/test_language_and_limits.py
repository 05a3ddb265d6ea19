"""RSVPs record the language the person uses, their mail follows it, and guest RSVPs are
rate limited per address and per email."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from groundswell.accounts.testing import make_member
from groundswell.events.models import Attendance, Shift
from groundswell.events.testing import PLACE_CHICAGO, make_event, zip_code
from groundswell.people.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rate_limit_window_start")]


def _guest(email="gail@example.org", **overrides):
    data = {
        "given_name": "Gail",
        "family_name": "Guest",
        "email": email,
        "postal_code": "60601",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def _post(client, event, data, language="en", **extra):
    client.cookies["django_language"] = language
    return client.post(reverse("event_rsvp", args=[event.pk]), data, **extra)


def test_a_guest_rsvp_in_french_records_french_and_mails_in_french(
    client, host, django_capture_on_commit_callbacks
):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event, _guest(), language="fr").status_code == 302
    assert Person.objects.get(email="gail@example.org").preferred_language == "fr"
    assert mail.outbox[0].subject.startswith("Vous participez")


def test_the_confirmation_follows_the_persons_language_not_the_pages(
    client, host, django_capture_on_commit_callbacks
):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    member = make_member("francoise@example.org", given_name="Françoise")
    Person.objects.filter(pk=member.person_id).update(preferred_language="fr")
    client.force_login(member)
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("event_rsvp", args=[event.pk]), {})
    assert response.status_code == 302
    french_subject = mail.outbox[0].subject
    # The same RSVP made from an English page by someone whose language is French.
    mail.outbox.clear()
    Attendance.objects.all().delete()
    Shift.objects.update(confirmed_count=0)
    client.cookies["django_language"] = "en"
    Person.objects.filter(pk=member.person_id).update(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("event_rsvp", args=[event.pk]), {})
    member.person.refresh_from_db()
    # Using the site in English now makes English their language, and the mail follows.
    assert member.person.preferred_language == "en"
    assert french_subject.startswith("Vous participez")
    assert mail.outbox[0].subject.startswith("You're going")


def test_a_member_rsvp_records_the_language_in_use(client, host, member):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    assert member.person.preferred_language == ""
    client.force_login(member)
    client.cookies["django_language"] = "fr"
    assert client.post(reverse("event_rsvp", args=[event.pk]), {}).status_code == 302
    member.person.refresh_from_db()
    assert member.person.preferred_language == "fr"


def test_guest_rsvps_are_limited_per_address(client, host, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {
        **settings.GROUNDSWELL_RATE_LIMITS,
        "event.rsvp_guest": "3/m/client,5/h/key",
    }
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, capacity=50)
    for index in range(3):
        assert _post(client, event, _guest(f"guest{index}@example.org")).status_code == 302
    response = _post(client, event, _guest("fourth@example.org", given_name="Quatre"))
    assert response.status_code == 429
    body = response.content.decode()
    assert "Quatre" in body and "fourth@example.org" in body  # nothing typed is lost
    assert not Person.objects.filter(email="fourth@example.org").exists()
    assert Attendance.objects.filter(event=event).count() == 3
    # Another address is not held back by this one.
    other = _post(client, event, _guest("fifth@example.org"), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_guest_rsvps_are_limited_per_email_and_event(client, host, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {
        **settings.GROUNDSWELL_RATE_LIMITS,
        "event.rsvp_guest": "100/m/client,2/h/key",
    }
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, capacity=50)
    other_event = make_event(host, place=PLACE_CHICAGO, capacity=50)
    for _ in range(2):
        assert _post(client, event, _guest()).status_code == 302
    assert _post(client, event, _guest()).status_code == 429
    assert _post(client, other_event, _guest()).status_code == 302


def test_members_are_not_limited_as_guests(client, host, member, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {
        **settings.GROUNDSWELL_RATE_LIMITS,
        "event.rsvp_guest": "1/m/client,1/h/key",
    }
    zip_code("60601")
    events = [make_event(host, place=PLACE_CHICAGO, capacity=50) for _ in range(3)]
    client.force_login(member)
    for event in events:
        assert client.post(reverse("event_rsvp", args=[event.pk]), {}).status_code == 302
