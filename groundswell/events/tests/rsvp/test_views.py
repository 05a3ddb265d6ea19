"""The event page and RSVP views: what each persona sees and may do, RSVPs by members and
guests, the signed links from emails, and the page's query count."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp.selectors import attendance_token, referral_token
from groundswell.events.rsvp.services import attendance_cancel, attendance_rsvp
from groundswell.events.testing import PLACE_CHICAGO, first_shift, make_event, make_person, zip_code
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "member", "other_member", "host", "staff"]


@pytest.fixture
def login(client, member, other_member, host, organizer):
    users = {"member": member, "other_member": other_member, "host": host, "staff": organizer}

    def as_persona(persona):
        client.logout()
        if persona != "anonymous":
            client.force_login(users[persona])
        return client

    return as_persona


def _going(event, user):
    return attendance_rsvp(event=event, person=user.person, user=user).attendance


# --- The event page ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_published_event_page_is_public(login, host, persona):
    event = make_event(
        host,
        place=PLACE_CHICAGO,
        description="<p>Knock on <strong>doors</strong></p><script>alert(1)</script>",
    )
    response = login(persona).get(reverse("event_detail", args=[event.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert event.title in body
    assert "Hana H." in body  # the host's public name ...
    assert "host@example.org" not in body  # ... never their email
    assert "<script>alert(1)</script>" not in body  # the description is sanitized
    assert "<strong>doors</strong>" in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("member", 404), ("other_member", 404), ("host", 200), ("staff", 200)],
)
@pytest.mark.parametrize("event_status", [Event.Status.PENDING, Event.Status.REJECTED])
def test_unpublished_event_page_only_for_hosts_and_staff(
    login, host, persona, status, event_status
):
    event = make_event(host, place=PLACE_CHICAGO, status=event_status)
    for name in ("event_detail", "event_ics"):
        response = login(persona).get(reverse(name, args=[event.pk]))
        assert response.status_code == status, name


def test_missing_event_is_the_same_404(login):
    for name in ("event_detail", "event_ics"):
        assert login("staff").get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "sees_address"),
    [
        ("anonymous", False),
        ("member", True),  # a confirmed attendee
        ("other_member", False),
        ("host", True),
        ("staff", True),
    ],
)
def test_hidden_address_shown_only_to_attendees_hosts_and_staff(
    login, host, member, persona, sees_address
):
    event = make_event(host, place=PLACE_CHICAGO, hide_address=True)
    _going(event, member)
    body = login(persona).get(reverse("event_detail", args=[event.pk])).content.decode()
    assert ("123 Maple Street" in body) is sees_address
    assert "Chicago, IL 60601" in body  # the area is always shown
    ics_body = login(persona).get(reverse("event_ics", args=[event.pk])).content.decode()
    assert ("123 Maple Street" in ics_body) is sees_address


def test_waitlisted_member_does_not_see_the_hidden_address(client, host, member, other_member):
    event = make_event(host, place=PLACE_CHICAGO, hide_address=True, capacity=1)
    _going(event, other_member)
    assert _going(event, member).status == "waitlisted"
    client.force_login(member)
    body = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert "123 Maple Street" not in body
    assert "on the waitlist" in body


@pytest.mark.parametrize(
    ("persona", "sees_link"),
    [
        ("anonymous", False),
        ("member", True),
        ("other_member", False),
        ("host", True),
        ("staff", True),
    ],
)
def test_virtual_link_only_for_confirmed_attendees(login, host, member, persona, sees_link):
    event = make_event(
        host,
        place=PLACE_CHICAGO,
        is_virtual=True,
        virtual_url="https://meet.example.org/secret-room",
        address_line="",
        venue_name="",
    )
    _going(event, member)
    body = login(persona).get(reverse("event_detail", args=[event.pk])).content.decode()
    assert ("secret-room" in body) is sees_link


def test_page_shows_times_in_the_events_zone_with_places_left(client, host):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2030, 3, 9, 10, 0, tzinfo=ZoneInfo("America/Denver"))
    event = make_event(
        host, place=PLACE_CHICAGO, starts_at=start, time_zone="America/Denver", capacity=5
    )
    body = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert "MST" in body and "10" in body
    assert "5 places left" in body


@pytest.mark.parametrize(
    ("status", "banner"),
    [(Event.Status.CANCELLED, "This event was cancelled."), ("past", "This event is over.")],
)
def test_status_banners_and_closed_rsvps(client, host, status, banner):
    from datetime import timedelta

    from django.utils import timezone

    if status == "past":
        event = make_event(host, place=PLACE_CHICAGO, starts_at=timezone.now() - timedelta(days=2))
    else:
        event = make_event(host, place=PLACE_CHICAGO, status=status)
    body = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert banner in body
    assert f'action="{reverse("event_rsvp", args=[event.pk])}"' not in body


def test_event_page_query_count_does_not_grow_with_shifts_or_attendees(
    client, host, member, django_assert_num_queries
):
    small = make_event(host, place=PLACE_CHICAGO, shifts=1)
    big = make_event(host, place=PLACE_CHICAGO, shifts=6, capacity=10)
    for shift in big.shifts.all():
        for i in range(3):
            attendance_rsvp(event=big, shift=shift, person=make_person(f"{shift.pk}-{i}@e.org"))
    _going(big, member)
    client.force_login(member)
    for event in (small, big):
        # session + user, event, cohost check, host profile, shifts, the viewer's RSVPs
        with django_assert_num_queries(7):
            assert client.get(reverse("event_detail", args=[event.pk])).status_code == 200
    client.logout()
    with django_assert_num_queries(3):  # event, shifts, host profile
        assert client.get(reverse("event_detail", args=[big.pk])).status_code == 200


# --- RSVP -------------------------------------------------------------------------------------


def _guest_data(**overrides):
    data = {
        "given_name": "Gail",
        "family_name": "Guest",
        "email": "Gail@Example.org",
        "postal_code": "60601",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["member", "other_member", "host", "staff"])
def test_signed_in_member_rsvps_in_one_step(login, host, member, other_member, organizer, persona):
    users = {"member": member, "other_member": other_member, "host": host, "staff": organizer}
    event = make_event(host, place=PLACE_CHICAGO)
    client = login(persona)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert "I'm going" in page and 'name="email"' not in page  # one button, no form to fill
    response = client.post(reverse("event_rsvp", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("event_detail", args=[event.pk]) + "#rsvp")
    attendance = Attendance.objects.get(event=event)
    assert attendance.person_id == users[persona].person_id
    assert attendance.user_id == users[persona].pk
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert "You're going." in page


def test_guest_rsvp_creates_one_person_and_emails_the_details(
    client, host, django_capture_on_commit_callbacks
):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, hide_address=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("event_rsvp", args=[event.pk]), _guest_data())
    assert response.status_code == 302
    person = Person.objects.get(email="gail@example.org")
    assert (person.given_name, person.family_name, person.postal_code) == ("Gail", "Guest", "60601")
    assert Attendance.objects.get(event=event).person_id == person.pk
    assert [m.to for m in mail.outbox] == [["gail@example.org"]]
    assert "123 Maple Street" in mail.outbox[0].body
    # The guest's page doesn't reveal the hidden address: the email does.
    page = client.get(response["Location"]).content.decode()
    assert "We&#x27;ve emailed the details" in page or "We've emailed the details" in page
    assert "123 Maple Street" not in page


def test_guest_rsvp_matches_an_existing_person_without_renaming_them(client, host, member):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    client.post(
        reverse("event_rsvp", args=[event.pk]),
        _guest_data(email="MEMBER@example.org", given_name="Someone", family_name="Else"),
    )
    assert Person.objects.filter(email="member@example.org").count() == 1
    member.person.refresh_from_db()
    assert member.person.given_name == "Maya"
    assert Attendance.objects.get(event=event).person_id == member.person_id


def test_a_guest_whose_email_is_taken_meanwhile_is_matched_not_duplicated(
    client, host, member, monkeypatch
):
    from groundswell.events.rsvp.services import submit as rsvp_submit_module

    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    # The check before the transaction says "new", but the email is the member's (as if
    # they had signed up between the check and the insert): the insert is refused and
    # rsvp_submit runs the transaction again, matching the person.
    monkeypatch.setattr(rsvp_submit_module, "person_email_known", lambda email: False)
    response = client.post(
        reverse("event_rsvp", args=[event.pk]), _guest_data(email="member@example.org")
    )
    assert response.status_code == 302
    assert Person.objects.filter(email="member@example.org").count() == 1
    assert Attendance.objects.get(event=event).person_id == member.person_id


def test_double_submit_with_the_same_key_says_going_once_and_is_one_rsvp(client, host):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, capacity=10)
    data = _guest_data()
    said = []
    for _ in range(2):
        response = client.post(reverse("event_rsvp", args=[event.pk]), data, follow=True)
        assert response.status_code == 200
        said.append([str(message) for message in response.context["messages"]])
    assert said[0] == [
        "You're going! We've emailed the details and the address to gail@example.org."
    ]
    assert said[1] == ["You had already RSVPed to this time slot."]
    assert Attendance.objects.filter(event=event).count() == 1
    assert first_shift(event).confirmed_count == 1


def test_the_same_key_for_another_time_slot_is_refused_on_the_form(client, host):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, shifts=2)
    first_slot, second_slot = event.shifts.order_by("starts_at")
    data = _guest_data(shift=first_slot.pk)
    client.post(reverse("event_rsvp", args=[event.pk]), data)
    response = client.post(
        reverse("event_rsvp", args=[event.pk]), {**data, "shift": second_slot.pk}
    )
    assert response.status_code == 200
    assert "already sent with other answers" in response.content.decode()
    assert list(Attendance.objects.values_list("shift_id", flat=True)) == [first_slot.pk]


def test_double_submit_is_one_attendance(client, host):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, capacity=10)
    data = _guest_data()
    for _ in range(2):
        assert client.post(reverse("event_rsvp", args=[event.pk]), data).status_code == 302
    # A retry with a fresh key (the form reloaded) is still the same RSVP.
    client.post(reverse("event_rsvp", args=[event.pk]), _guest_data())
    assert Attendance.objects.filter(event=event).count() == 1
    assert Person.objects.filter(email="gail@example.org").count() == 1
    assert first_shift(event).confirmed_count == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"postal_code": "99999"}, "We don&#x27;t know the ZIP code"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"given_name": ""}, "This field is required"),
    ],
)
def test_guest_rsvp_bad_input_gets_a_clear_error(client, host, overrides, message):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    response = client.post(reverse("event_rsvp", args=[event.pk]), _guest_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attendance.objects.exists()
    assert not Person.objects.filter(email="gail@example.org").exists()


def test_rsvp_to_a_cancelled_event_is_refused_with_no_person_left_behind(client, host):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, status=Event.Status.CANCELLED)
    response = client.post(reverse("event_rsvp", args=[event.pk]), _guest_data())
    assert response.status_code == 200
    assert "This event was cancelled." in response.content.decode()
    assert not Person.objects.filter(email="gail@example.org").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("member", 404), ("other_member", 404), ("host", 200), ("staff", 200)],
)
def test_rsvp_to_a_pending_event_is_hidden_or_refused(login, host, persona, status):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO, status=Event.Status.PENDING)
    response = login(persona).post(reverse("event_rsvp", args=[event.pk]), _guest_data())
    assert response.status_code == status
    assert not Attendance.objects.exists()


def test_rsvp_view_rejects_get(client, host):
    event = make_event(host, place=PLACE_CHICAGO)
    assert client.get(reverse("event_rsvp", args=[event.pk])).status_code == 405


def test_shift_choice_when_there_are_several(client, host, member):
    event = make_event(host, place=PLACE_CHICAGO, shifts=3)
    shifts = list(event.shifts.order_by("starts_at"))
    client.force_login(member)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert page.count('name="shift"') == 3
    client.post(reverse("event_rsvp", args=[event.pk]), {"shift": shifts[1].pk})
    assert Attendance.objects.get(event=event).shift_id == shifts[1].pk
    other = make_event(host, place=PLACE_CHICAGO)
    response = client.post(reverse("event_rsvp", args=[event.pk]), {"shift": first_shift(other).pk})
    assert "Choose one of this event" in response.content.decode()


def test_bring_a_friend_link_records_the_referrer_and_source(client, host, member):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    _going(event, member)
    client.force_login(member)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    share = re.search(r'value="(http[^"]+\?ref=[^"]+)"', page).group(1).replace("&amp;", "&")
    client.logout()
    path = share.split("testserver", 1)[1]
    friend_page = client.get(path).content.decode()
    ref = re.search(r'name="ref" value="([^"]+)"', friend_page).group(1)
    source = re.search(r'name="source" value="([^"]+)"', friend_page).group(1)
    assert ref == referral_token(person=member.person) and source == "share"
    client.post(
        reverse("event_rsvp", args=[event.pk]),
        _guest_data(email="friend@example.org", ref=ref, source=source),
    )
    attendance = Attendance.objects.get(person__email="friend@example.org")
    assert attendance.referred_by_id == member.person_id
    assert attendance.source == "share"


def test_a_forged_referral_is_ignored(client, host, member):
    zip_code("60601")
    event = make_event(host, place=PLACE_CHICAGO)
    forged = f"{member.person_id}:not-a-signature"
    client.post(reverse("event_rsvp", args=[event.pk]), _guest_data(ref=forged))
    assert Attendance.objects.get(event=event).referred_by_id is None


# --- Links from emails ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["rsvp_cancel", "rsvp_confirm", "rsvp_decline"])
def test_email_links_get_changes_nothing_and_bad_tokens_are_404(login, host, member, persona, name):
    event = make_event(host, place=PLACE_CHICAGO)
    attendance = _going(event, member)
    client = login(persona)
    url = reverse(name, args=[attendance_token(attendance=attendance)])
    response = client.get(url)
    assert response.status_code == 200
    attendance.refresh_from_db()
    assert (attendance.status, attendance.reminder_reply) == ("confirmed", None)
    tampered = attendance_token(attendance=attendance)[:-2] + "xx"
    assert client.get(reverse(name, args=[tampered])).status_code == 404
    assert client.post(reverse(name, args=[tampered])).status_code == 404
    assert client.get(reverse(name, args=[f"{attendance.pk}"])).status_code == 404


def test_cancel_link_cancels_without_logging_in_and_promotes(client, host, member, other_member):
    event = make_event(host, place=PLACE_CHICAGO, capacity=1)
    attendance = _going(event, member)
    waiting = _going(event, other_member)
    url = reverse("rsvp_cancel", args=[attendance_token(attendance=attendance)])
    page = client.get(url).content.decode()
    assert "Cancel my RSVP" in page
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    attendance.refresh_from_db()
    waiting.refresh_from_db()
    assert attendance.status == "cancelled" and waiting.status == "confirmed"
    assert "Your RSVP is cancelled" in client.get(url).content.decode()
    assert client.post(url).status_code == 302  # twice is harmless
    assert first_shift(event).confirmed_count == 1


def test_confirm_and_decline_links(client, host, member, other_member):
    event = make_event(host, place=PLACE_CHICAGO)
    attendance = _going(event, member)
    token = attendance_token(attendance=attendance)
    client.post(reverse("rsvp_confirm", args=[token]))
    attendance.refresh_from_db()
    assert attendance.reminder_reply is True
    assert (
        "The hosts know you" in client.get(reverse("rsvp_confirm", args=[token])).content.decode()
    )
    client.post(reverse("rsvp_decline", args=[token]))
    attendance.refresh_from_db()
    assert (attendance.status, attendance.reminder_reply) == ("cancelled", False)


def test_links_do_nothing_once_the_event_started(client, host, member):
    from datetime import timedelta

    from django.utils import timezone

    event = make_event(host, place=PLACE_CHICAGO)
    attendance = _going(event, member)
    Shift.objects.filter(event=event).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    url = reverse("rsvp_cancel", args=[attendance_token(attendance=attendance)])
    assert "already started" in client.get(url).content.decode()
    client.post(url)
    attendance.refresh_from_db()
    assert attendance.status == "confirmed"


def test_member_can_cancel_from_the_event_page(client, host, member):
    event = make_event(host, place=PLACE_CHICAGO)
    attendance = _going(event, member)
    client.force_login(member)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    cancel = reverse("rsvp_cancel", args=[attendance_token(attendance=attendance)])
    assert cancel in page
    attendance_cancel(attendance=attendance)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert "I'm going" in page  # can RSVP again
