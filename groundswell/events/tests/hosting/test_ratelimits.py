"""Rate limits on the host tools (decision 0013): creating events and messaging attendees.
The attempt over the limit gets 429, the message, and the form with what the host typed."""

from __future__ import annotations

import html

import pytest

from groundswell.core import ratelimit
from groundswell.events.models import Event, EventMessage
from groundswell.events.testing import event_form_data, host_event, make_person, rsvp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rate_limit_window_start")]

LIMITED = "too many times in a short while"


def _limit(action: str) -> int:
    return ratelimit.rate_limits_for(action)[0].count


def _event_form(title: str, **overrides: str) -> dict[str, str]:
    return event_form_data(title=title, **overrides)


def test_one_event_too_many_in_an_hour_is_refused_and_keeps_the_form(member_client, member):
    allowed = _limit("event.create")
    for index in range(allowed):
        response = member_client.post("/events/new/", _event_form(f"Canvass {index}"))
        assert response.status_code == 302, response.content.decode()[:500]
    response = member_client.post(
        "/events/new/",
        _event_form(
            "Phone bank at Ana's",
            description="Bring a charged phone.",
            **{"form-0-start_time": "13:00", "form-0-end_time": "15:00", "form-0-capacity": "4"},
        ),
    )
    assert response.status_code == 429
    page = html.unescape(response.content.decode())
    assert LIMITED in page
    assert 'value="Phone bank at Ana\'s"' in page
    assert "Bring a charged phone." in page
    assert 'value="13:00"' in page  # the extra time slot too
    assert Event.objects.filter(host=member).count() == allowed


def test_editing_an_event_is_not_limited(member_client, member):
    event = host_event(member)
    for index in range(_limit("event.create") + 1):
        data = _event_form(f"Canvass Chelsea, edit {index}")
        response = member_client.post(f"/events/{event.pk}/edit/", data)
        assert response.status_code == 302, response.content.decode()[:500]


def test_staff_create_events_without_a_limit(client, organizer):
    client.force_login(organizer)
    for index in range(_limit("event.create") + 1):
        response = client.post("/events/new/", _event_form(f"Official canvass {index}"))
        assert response.status_code == 302


def test_one_message_too_many_in_an_hour_is_refused_and_keeps_the_text(
    member_client, member, organizer
):
    # An event takes five messages a day (the service's own brake); the per-host limit is
    # about one host across many events.
    allowed = _limit("event.message")
    events = []
    for index in range(allowed // 5 + 1):
        event = host_event(member, publish_as=organizer, title=f"Canvass {index}")
        rsvp(event, make_person(f"ana{index}@example.org"))
        events.append(event)
    for index in range(allowed):
        response = member_client.post(
            f"/events/{events[index // 5].pk}/message/",
            {"message-subject": f"Update {index}", "message-body": "See you there."},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    response = member_client.post(
        f"/events/{events[-1].pk}/message/",
        {
            "message-subject": "We moved to the park",
            "message-body": "Same time, by the fountain.",
            "message-include_waitlisted": "on",
        },
    )
    assert response.status_code == 429
    page = html.unescape(response.content.decode())
    assert LIMITED in page
    assert 'value="We moved to the park"' in page
    assert "Same time, by the fountain." in page
    assert 'name="message-include_waitlisted" id="id_message-include_waitlisted" checked' in page
    assert EventMessage.objects.filter(kind=EventMessage.Kind.HOST).count() == allowed
