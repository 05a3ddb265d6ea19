"""The group page leads to the events tools: "Host an event for this group" for its members
(the event form comes back with the group chosen) and the group's calendar feed for
everyone."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client

from groundswell.groups.services import group_archive

pytestmark = pytest.mark.django_db

HOST_LINK = "Host an event for this group"


def _client(user=None, *, language: str = "") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(world, persona: str, *, language: str = "") -> str:
    user = None if persona == "anonymous" else world[persona]
    response = _client(user, language=language).get(f"/groups/{world['group'].pk}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("anonymous", False),
        ("other_member", False),
        ("organizer", False),  # staff outside the group can't tie an event to it
        ("member", True),
        ("co_leader", True),
        ("leader", True),
    ],
)
def test_members_of_the_group_are_offered_to_host_an_event(world, persona, shown):
    page = _page(world, persona)
    link = f'href="/events/new/?group={world["group"].pk}"'
    assert (HOST_LINK in page) == shown
    assert (link in page) == shown


def test_the_link_opens_the_event_form_with_the_group_chosen(world):
    client = _client(world["member"])
    response = client.get(f"/events/new/?group={world['group'].pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["group"] == world["group"].pk


def test_an_archived_group_offers_no_hosting(world):
    group_archive(group=world["group"], actor=world["leader"])
    assert HOST_LINK not in _page(world, "member")


@pytest.mark.parametrize("persona", ["anonymous", "other_member", "member"])
def test_everyone_can_subscribe_to_the_group_calendar(world, persona):
    pk = world["group"].pk
    page = _page(world, persona)
    assert (
        f'<a href="/events/group/{pk}.ics" type="text/calendar">Subscribe in your calendar</a>'
        in page
    )
    assert f'value="http://testserver/events/group/{pk}.ics"' in page
    assert 'aria-describedby="group-calendar-help"' in page and 'id="group-calendar-help"' in page


def test_the_calendar_link_serves_the_feed(world):
    response = _client().get(f"/events/group/{world['group'].pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"Chelsea for Change" in response.content


def test_the_links_in_french(world):
    page = _page(world, "member", language="fr")
    assert "Organiser un événement pour ce groupe" in page
    assert "S\u2019abonner dans votre agenda" in page
    assert "Ou copiez le lien d\u2019agenda du groupe" in page
    assert HOST_LINK not in page and "Subscribe in your calendar" not in page
