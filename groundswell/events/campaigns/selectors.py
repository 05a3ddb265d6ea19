"""Reads for campaign pages: a campaign by its short name, and every campaign with its totals
(correlated subqueries, a fixed number of queries whatever the number of campaigns). The
campaigns open to hosts are the hosting selectors' (`campaigns_open`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from groundswell.events.hosting.selectors import _count_of
from groundswell.events.models import Attendance, Event, EventCampaign


def campaigns_with_totals() -> QuerySet[EventCampaign]:
    """Every campaign with its published events, RSVPs (people going) and attendance."""
    published = Q(status=Event.Status.PUBLISHED)
    events = Event.objects.filter(published)
    attendances = Attendance.objects.filter(event__status=Event.Status.PUBLISHED)
    return EventCampaign.objects.annotate(
        event_total=_count_of(events, "campaign"),
        pending_total=_count_of(Event.objects.filter(status=Event.Status.PENDING), "campaign"),
        rsvp_total=_count_of(
            attendances.filter(status=Attendance.Status.CONFIRMED), "event__campaign"
        ),
        attended_total=_count_of(attendances.filter(attended=True), "event__campaign"),
    ).order_by("-created_at", "-pk")


def campaign_by_slug(slug: str) -> EventCampaign:
    campaign = EventCampaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign
