"""Event campaigns: staff create and edit them, members host under them from the template,
the public page lists the nearest events first, and organizers see totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.events.campaigns.selectors import campaigns_with_totals
from groundswell.events.campaigns.services import (
    event_campaign_create,
    event_campaign_update,
    event_create_from_campaign,
)
from groundswell.events.hosting.services.attendance import attendance_check_in
from groundswell.events.models import Event, EventCampaign
from groundswell.events.testing import host_event, make_person, next_week_local, rsvp

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(organizer):
    return event_campaign_create(
        actor=organizer,
        name="Weekend of Action",
        description="Knock doors everywhere.",
        event_type="canvass",
        template_title="Weekend of Action canvass",
        template_description="We meet, we knock, we report.",
    )


def test_create_makes_a_slug_and_only_staff_may(campaign, member):
    assert campaign.slug == "weekend-of-action"
    with pytest.raises(PermissionDenied):
        event_campaign_create(actor=member, name="Mine")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", "Give the campaign a name."),
        (
            {"name": "Other", "slug": "weekend-of-action"},
            "slug",
            "Another campaign already uses this short name.",
        ),
        ({"name": "Other", "event_type": "picnic"}, "event_type", "Choose a type of event."),
        (
            {
                "name": "Other",
                "starts_on": timezone.localdate(),
                "ends_on": timezone.localdate() - timedelta(days=1),
            },
            "ends_on",
            "The last day can't be before the first day.",
        ),
    ],
)
def test_campaign_errors(campaign, organizer, fields, field, message):
    with pytest.raises(ValidationError) as excinfo:
        event_campaign_create(actor=organizer, **fields)
    assert excinfo.value.message_dict[field] == [message]
    assert EventCampaign.objects.count() == 1


def test_update_and_archive(campaign, organizer, member):
    event_campaign_update(
        campaign=campaign, actor=organizer, name="Weekend of Action II", archived=True
    )
    campaign.refresh_from_db()
    assert campaign.name == "Weekend of Action II" and campaign.archived_at is not None
    with pytest.raises(ValidationError):
        event_create_from_campaign(
            campaign=campaign,
            host=member,
            postal_code="10001",
            starts_at_local=next_week_local(10),
            ends_at_local=next_week_local(12),
        )
    with pytest.raises(TypeError):
        event_campaign_update(campaign=campaign, actor=organizer, created_by=member)


def test_hosting_from_the_template(campaign, member):
    event = event_create_from_campaign(
        campaign=campaign,
        host=member,
        postal_code="10001",
        starts_at_local=next_week_local(10),
        ends_at_local=next_week_local(12),
    )
    assert (event.title, event.event_type, event.campaign) == (
        "Weekend of Action canvass",
        "canvass",
        campaign,
    )
    assert event.description == "We meet, we knock, we report."
    own = event_create_from_campaign(
        campaign=campaign,
        host=member,
        title="Our street",
        event_type="house_party",
        postal_code="10001",
        starts_at_local=next_week_local(10),
        ends_at_local=next_week_local(12),
    )
    assert (own.title, own.event_type) == ("Our street", "house_party")


def test_totals_count_published_events_rsvps_and_attendance(campaign, member, organizer):
    published = host_event(member, publish_as=organizer, campaign=campaign)
    host_event(member, campaign=campaign, title="Waiting")
    cancelled = host_event(organizer, campaign=campaign, title="Cancelled")
    rsvp(cancelled, make_person("zed@example.org"))
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED)
    host_event(organizer, title="Elsewhere")
    going = [rsvp(published, make_person(f"p{i}@example.org")) for i in range(3)]
    attendance_check_in(attendance=going[0], actor=member)
    totals = campaigns_with_totals().get(pk=campaign.pk)
    assert (totals.event_total, totals.pending_total, totals.rsvp_total, totals.attended_total) == (
        1,
        1,
        3,
        1,
    )


def test_the_campaign_page_lists_the_nearest_first(client, campaign, organizer):
    host_event(organizer, campaign=campaign, title="In Los Angeles", postal_code="90012")
    host_event(organizer, campaign=campaign, title="In Newark", postal_code="07102")
    host_event(organizer, campaign=campaign, title="In Manhattan", postal_code="10001")
    host_event(
        organizer,
        campaign=campaign,
        title="Online",
        postal_code="",
        is_virtual=True,
        virtual_url="https://meet.example.org/x",
    )
    host_event(organizer, title="Not in the campaign", postal_code="10001")
    html = client.get("/events/campaigns/weekend-of-action/?near=10001").content.decode()
    order = [html.index(t) for t in ("In Manhattan", "In Newark", "Online")]
    assert order == sorted(order)
    assert "In Los Angeles" not in html  # beyond the 500-mile search
    assert "Not in the campaign" not in html
    assert "Host an event for this campaign" in html
    assert "/events/new/?campaign=weekend-of-action" in html
    by_date = client.get("/events/campaigns/weekend-of-action/").content.decode()
    assert "In Los Angeles" in by_date


def test_an_unknown_zip_on_the_campaign_page(client, campaign):
    response = client.get("/events/campaigns/weekend-of-action/?near=00000")
    assert response.status_code == 400
    assert "We don&#x27;t know the ZIP code" in response.content.decode()


def test_a_missing_campaign_is_404(client):
    assert client.get("/events/campaigns/nope/").status_code == 404


def test_campaign_pages_query_counts(client, campaign, organizer):
    for index in range(3):
        host_event(organizer, campaign=campaign, title=f"E{index}")
    with CaptureQueriesContext(connection) as few:
        client.get("/events/campaigns/weekend-of-action/?near=10001")
    for index in range(15):
        host_event(organizer, campaign=campaign, title=f"F{index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/events/campaigns/weekend-of-action/?near=10001")
    assert len(few) == len(many) <= 6

    client.force_login(organizer)
    for index in range(5):
        event_campaign_create(actor=organizer, name=f"Campaign {index}")
    with CaptureQueriesContext(connection) as listing:
        html = client.get("/events/campaigns/").content.decode()
    assert "Campaign 4" in html
    assert len(listing) <= 5  # + the staff nav's pending-approvals count
    with CaptureQueriesContext(connection) as staff_page:
        client.get("/events/campaigns/weekend-of-action/")
    assert len(staff_page) <= 10  # + the staff nav's pending-approvals count, the profile ZIP


def test_staff_create_and_edit_pages(client, campaign, organizer):
    client.force_login(organizer)
    response = client.post(
        "/events/campaigns/new/",
        {"name": "Day of Action", "slug": "", "starts_on": "2030-05-01", "ends_on": "2030-04-01"},
    )
    assert response.status_code == 400
    assert "The last day can&#x27;t be before the first day." in response.content.decode()
    response = client.post("/events/campaigns/new/", {"name": "Day of Action"})
    assert response["Location"] == "/events/campaigns/day-of-action/"
    form = client.get("/events/campaigns/weekend-of-action/edit/").content.decode()
    assert 'value="Weekend of Action canvass"' in form
    response = client.post(
        "/events/campaigns/weekend-of-action/edit/",
        {"name": "Weekend of Action", "slug": "woa", "archived": "on"},
    )
    assert response["Location"] == "/events/campaigns/woa/"
    assert "closed to new events" in client.get("/events/campaigns/woa/").content.decode()
