"""A hidden address is for people going: the mails to the waitlist show the area only."""

from __future__ import annotations

import pytest

from groundswell.events.rsvp import emails
from groundswell.events.rsvp.services import attendance_rsvp
from groundswell.events.testing import PLACE_CHICAGO, make_event, make_person

pytestmark = pytest.mark.django_db

STREET, VENUE = "123 Maple Street", "Maple Street Library"


def _everything(message) -> str:
    parts = [message.subject, message.body]
    parts += [content for content, _mimetype in message.alternatives]
    for attachment in message.attachments:
        content = attachment[1]
        parts.append(content.decode() if isinstance(content, bytes) else str(content))
    return "\n".join(parts)


@pytest.fixture
def going_and_waiting(host):
    event = make_event(host, place=PLACE_CHICAGO, hide_address=True, capacity=1)
    going = attendance_rsvp(event=event, person=make_person("ana@example.org")).attendance
    waiting = attendance_rsvp(event=event, person=make_person("bob@example.org")).attendance
    assert (going.status, waiting.status) == ("confirmed", "waitlisted")
    return going, waiting


@pytest.mark.parametrize(
    "build",
    [emails.rsvp_waitlisted_email, emails.rsvp_demoted_email, emails.event_cancelled_email],
)
def test_the_waitlist_mails_show_the_area_only(going_and_waiting, build):
    _going, waiting = going_and_waiting
    text = _everything(build(attendance=waiting))
    assert STREET not in text
    assert VENUE not in text
    assert "Chicago" in text


@pytest.mark.parametrize("build", [emails.rsvp_confirmed_email, emails.event_cancelled_email])
def test_people_going_get_the_exact_address(going_and_waiting, build):
    going, _waiting = going_and_waiting
    text = _everything(build(attendance=going))
    assert STREET in text
    assert VENUE in text
