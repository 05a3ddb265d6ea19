"""An edit of what attendees rely on (times, place, whether the address is hidden, the online
link, the title) sends everyone going or waitlisted one notice: what changed, old → new, the
updated calendar entry (same UID, higher SEQUENCE) for those going, the signed cancel link and
the event page, in the reader's language. Description-only edits mail nobody."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from groundswell.events import ics
from groundswell.events.display import event_page_url, when_text
from groundswell.events.hosting.services.events import event_update
from groundswell.events.hosting.services.messages import event_message_batch_deliver
from groundswell.events.hosting.services.validation import ShiftSpec
from groundswell.events.models import Attendance, Event, EventMessage
from groundswell.events.rsvp.services import attendance_cancel
from groundswell.events.testing import first_shift, host_event, make_person, next_week_local, rsvp

pytestmark = pytest.mark.django_db
NBSP = "\N{NO-BREAK SPACE}"
CANCEL_LINK = re.compile(r"https?://[^\s/]+(/events/rsvp/[^\s/]+/cancel/)")


def _notices(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def _notice(address: str) -> Any:
    (message,) = _notices(address)
    return message


def _calendar(message: Any) -> Calendar | None:
    files = [a for a in message.attachments if a[2].startswith("text/calendar")]
    if not files:
        return None
    (attachment,) = files
    content = attachment[1]
    return Calendar.from_ical(content.encode() if isinstance(content, str) else content)


def _vevent(message: Any) -> Any:
    calendar = _calendar(message)
    assert calendar is not None, "no calendar attached"
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def _html(message: Any) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def _edit(django_capture_on_commit_callbacks: Any, event: Event, actor: Any, **changes: Any):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return event_update(event=event, actor=actor, **changes)


def test_a_new_time_mails_each_attendee_old_and_new_with_calendar_and_cancel_link(
    client, event, member, django_capture_on_commit_callbacks
):
    ana = rsvp(event, make_person("ana@example.org", "Ana"))
    ben = rsvp(event, make_person("ben@example.org", "Ben"))
    shift = first_shift(event)
    old_when = when_text(event, shift)

    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        starts_at=next_week_local(14),
        ends_at=next_week_local(16),
    )

    event.refresh_from_db()
    shift.refresh_from_db()
    new_when = when_text(event, shift)
    assert old_when != new_when
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]
    notice = _notice("ana@example.org")
    assert notice.subject == "New time: Canvass Chelsea"
    assert f"- When: {old_when} → {new_when}" in notice.body
    assert "2 p.m." in _html(notice)
    assert event_page_url(event) in notice.body
    vevent = _vevent(notice)
    assert str(vevent["UID"]) == ics.shift_uid(shift)
    assert int(vevent["SEQUENCE"]) == event.calendar_sequence == 1
    assert vevent.start == shift.starts_at and vevent.end == shift.ends_at
    assert vevent.start.hour == 14  # in the event's zone

    # The signed cancel link works without logging in: GET asks, POST cancels.
    (path,) = CANCEL_LINK.findall(notice.body)
    assert "Cancel my RSVP" in client.get(path).content.decode()
    ana.refresh_from_db()
    assert ana.status == Attendance.Status.CONFIRMED
    client.post(path)
    ana.refresh_from_db()
    ben.refresh_from_db()
    assert ana.status == Attendance.Status.CANCELLED
    assert ben.status == Attendance.Status.CONFIRMED


def test_a_new_place_mails_old_and_new_address_and_the_calendar_moves(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org", "Ana"))
    old_place = ics.event_location(event, exact=True)

    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        venue_name="Hoboken Public Library",
        address_line="500 Park Ave",
        postal_code="07030",
    )

    event.refresh_from_db()
    new_place = ics.event_location(event, exact=True)
    assert "Hoboken" in new_place and "500 Park Ave" in new_place
    notice = _notice("ana@example.org")
    assert notice.subject == "Update: Canvass Chelsea"
    assert f"- Where: {old_place} → {new_place}" in notice.body
    assert "When:" in notice.body and "- When:" not in notice.body  # the time didn't change
    vevent = _vevent(notice)
    assert str(vevent["LOCATION"]) == new_place
    assert int(vevent["SEQUENCE"]) == event.calendar_sequence == 1
    assert CANCEL_LINK.search(notice.body)


def test_time_and_place_changed_together_make_one_mail(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org", "Ana"))
    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        venue_name="Chelsea Library, room 2",
        starts_at=next_week_local(14),
        ends_at=next_week_local(16),
    )
    notice = _notice("ana@example.org")
    assert "- When: " in notice.body and "- Where: " in notice.body
    event.refresh_from_db()
    assert event.calendar_sequence == 1  # bumped once
    assert EventMessage.objects.filter(event=event, kind=EventMessage.Kind.CHANGE).count() == 1


def test_hiding_the_address_tells_everyone_and_the_waitlist_sees_only_the_area(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, capacity=1)
    rsvp(event, make_person("going@example.org", "Gina"))
    waiting = rsvp(event, make_person("waiting@example.org", "Walt"))
    assert waiting.status == Attendance.Status.WAITLISTED

    _edit(django_capture_on_commit_callbacks, event, member, hide_address=True)

    event.refresh_from_db()
    assert event.calendar_sequence == 1
    note = "The exact address is now shared only with people who are going."
    going, waiting_mail = _notice("going@example.org"), _notice("waiting@example.org")
    assert note in going.body and note in waiting_mail.body
    assert f"Where: {ics.event_location(event, exact=True)}" in going.body
    assert "303 W 10th St" in _vevent(going)["LOCATION"]
    assert "303 W 10th St" not in waiting_mail.body
    assert "303 W 10th St" not in _html(waiting_mail)
    assert f"Where: {ics.event_area(event)}" in waiting_mail.body
    assert _calendar(waiting_mail) is None  # nothing in their calendar to update
    assert "still on the waitlist" in waiting_mail.body
    assert CANCEL_LINK.search(waiting_mail.body)


def test_a_hidden_address_that_moves_is_shown_to_people_going_only(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(member, publish_as=organizer, capacity=1, hide_address=True)
    rsvp(event, make_person("going@example.org", "Gina"))
    rsvp(event, make_person("waiting@example.org", "Walt"))

    _edit(django_capture_on_commit_callbacks, event, member, address_line="305 W 10th St")

    going = _notice("going@example.org")
    assert "303 W 10th St" in going.body and "305 W 10th St" in going.body
    assert "305 W 10th St" in _vevent(going)["LOCATION"]
    # Same ZIP code, so the area the waitlist sees did not change: nothing to tell them.
    assert _notices("waiting@example.org") == []


def test_a_new_online_link_goes_to_people_going_with_the_calendar(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(
        member,
        publish_as=organizer,
        is_virtual=True,
        virtual_url="https://meet.example.org/old-room",
        venue_name="",
        address_line="",
        postal_code="",
        time_zone="America/New_York",
        capacity=1,
    )
    rsvp(event, make_person("going@example.org", "Gina"))
    rsvp(event, make_person("waiting@example.org", "Walt"))

    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        virtual_url="https://meet.example.org/new-room",
    )

    event.refresh_from_db()
    assert event.calendar_sequence == 1
    going = _notice("going@example.org")
    assert (
        "- Join online: https://meet.example.org/old-room → https://meet.example.org/new-room"
        in going.body
    )
    vevent = _vevent(going)
    assert "https://meet.example.org/new-room" in str(vevent["DESCRIPTION"])
    assert int(vevent["SEQUENCE"]) == 1
    # The waitlist never sees the link, so its change is nothing to them.
    assert _notices("waiting@example.org") == []


def test_a_new_title_is_announced(event, member, django_capture_on_commit_callbacks):
    rsvp(event, make_person("ana@example.org", "Ana"))
    _edit(django_capture_on_commit_callbacks, event, member, title="Canvass Chelsea and Flatiron")
    notice = _notice("ana@example.org")
    assert notice.subject == "Update: Canvass Chelsea and Flatiron"
    assert "- What: Canvass Chelsea → Canvass Chelsea and Flatiron" in notice.body
    assert str(_vevent(notice)["SUMMARY"]) == "Canvass Chelsea and Flatiron"


def test_description_and_accessibility_edits_mail_nobody_but_a_place_change_does(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org", "Ana"))
    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        description="Bring water and comfortable shoes.",
        accessibility_notes="Step-free entrance on 10th St.",
    )
    assert mail.outbox == []
    assert not EventMessage.objects.filter(event=event).exists()
    event.refresh_from_db()
    assert event.calendar_sequence == 0

    _edit(django_capture_on_commit_callbacks, event, member, venue_name="Chelsea Library, room 2")
    assert len(_notices("ana@example.org")) == 1


def test_cancelled_attendees_get_nothing(event, member, django_capture_on_commit_callbacks):
    rsvp(event, make_person("ana@example.org", "Ana"))
    ben = rsvp(event, make_person("ben@example.org", "Ben"))
    attendance_cancel(attendance=ben)
    _edit(django_capture_on_commit_callbacks, event, member, venue_name="Chelsea Library, room 2")
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_a_slot_someone_is_not_on_moving_mails_only_that_slots_people(
    member, organizer, django_capture_on_commit_callbacks
):
    event = host_event(
        member,
        publish_as=organizer,
        shifts=[
            (next_week_local(10), next_week_local(12), None),
            (next_week_local(13), next_week_local(15), None),
        ],
    )
    morning, afternoon = event.shifts.order_by("starts_at")
    rsvp(event, make_person("morning@example.org", "Mo"), shift=morning)
    rsvp(event, make_person("afternoon@example.org", "Al"), shift=afternoon)
    _edit(
        django_capture_on_commit_callbacks,
        event,
        member,
        shifts=[
            ShiftSpec(morning.starts_at, morning.ends_at, None, shift_id=morning.pk),
            ShiftSpec(next_week_local(16), next_week_local(18), None, shift_id=afternoon.pk),
        ],
    )
    assert [m.to for m in mail.outbox] == [["afternoon@example.org"]]
    assert "4 p.m." in mail.outbox[0].body


def test_delivery_run_twice_sends_once(event, member, django_capture_on_commit_callbacks):
    rsvp(event, make_person("ana@example.org", "Ana"))
    with django_capture_on_commit_callbacks(execute=False):
        event_update(event=event, actor=member, venue_name="Chelsea Library, room 2")
    message = EventMessage.objects.get(event=event, kind=EventMessage.Kind.CHANGE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 0
    assert len(_notices("ana@example.org")) == 1


def test_a_french_attendee_gets_french_whatever_the_editors_language(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("fr@example.org", "Fanny", preferred_language="fr"))
    rsvp(event, make_person("en@example.org", "Emma", preferred_language="en"))
    old_place = ics.event_location(event, exact=True)
    with translation.override("en"):
        _edit(
            django_capture_on_commit_callbacks,
            event,
            member,
            venue_name="Chelsea Library, room 2",
            starts_at=next_week_local(14),
            ends_at=next_week_local(16),
        )
    event.refresh_from_db()
    with translation.override("fr"):
        french_when = when_text(event, first_shift(event))
    french = _notice("fr@example.org")
    assert french.subject == f"Mise à jour{NBSP}: Canvass Chelsea"
    assert "Bonjour Fanny," in french.body
    assert "Des changements ont été apportés à Canvass Chelsea" in french.body
    assert f"Quand{NBSP}: " in french.body and french_when in french.body
    assert f"- Où{NBSP}: {old_place} → {ics.event_location(event, exact=True)}" in french.body
    assert "Annulez votre inscription" in french.body
    assert _calendar(french) is not None
    assert _notice("en@example.org").subject == "Update: Canvass Chelsea"


def test_a_time_notice_queued_before_notices_recorded_changes_still_goes_out(
    event, member, django_capture_on_commit_callbacks
):
    rsvp(event, make_person("ana@example.org", "Ana"))
    message = EventMessage.objects.create(
        event=event,
        kind=EventMessage.Kind.CHANGE,
        subject="New time: Canvass Chelsea",
        body="",
        include_waitlisted=True,
        recipient_ids=list(event.attendances.values_list("person_id", flat=True)),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert event_message_batch_deliver(message_id=message.pk, batch=0) == 1
    notice = _notice("ana@example.org")
    assert notice.subject == "New time: Canvass Chelsea"
    assert f"- When: {when_text(event, first_shift(event))}" in notice.body
    assert _calendar(notice) is not None and CANCEL_LINK.search(notice.body)
