"""Campaign pages: the public list and a campaign's events (nearest first with a ZIP code),
and the staff forms to create and edit a campaign. Staff pages answer 404 to everyone else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groundswell.accounts.selectors import profile_for_owner
from groundswell.core.policies import is_staff, staff_or_404
from groundswell.events.campaigns.forms import CampaignForm, NearForm
from groundswell.events.campaigns.selectors import campaign_by_slug, campaigns_with_totals
from groundswell.events.campaigns.services import event_campaign_create, event_campaign_update
from groundswell.events.display import when_text
from groundswell.events.finding.selectors import MAX_RADIUS_MILES, event_card, events_search
from groundswell.events.hosting.selectors import (
    campaigns_open,
)
from groundswell.events.hosting.views.common import (
    EVENTS_PER_PAGE,
    MemberRequest,
    page_of,
)
from groundswell.events.models import EventCampaign
from groundswell.geo.selectors import postal_code_find


def _campaign_map_data(page: Page, near: Any) -> dict[str, Any]:
    """Markers for the in-person events of the page (the list stays the primary view)."""
    markers = []
    for event in page.object_list:
        if event.is_virtual or event.latitude is None or event.longitude is None:
            continue
        place = ", ".join(part for part in (event.locality, event.region) if part)
        markers.append(
            {
                "lat": event.latitude,
                "lng": event.longitude,
                "title": event.title,
                "url": f"/events/{event.pk}/",
                "detail": " · ".join(part for part in (when_text(event), place) if part),
            }
        )
    center = [near.latitude, near.longitude] if near is not None else None
    return {"center": center, "markers": markers}


@require_safe
def campaign_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's events. Like the finder, a signed-in member's profile ZIP is the place
    when the URL names none (`?near=` with nothing lists by date)."""
    campaign = campaign_by_slug(slug)
    params = request.GET.copy()
    country = "US"
    from_profile = False
    if "near" not in params and request.user.is_authenticated:
        profile = profile_for_owner(user=request.user)
        if profile.postal_code:
            params["near"] = profile.postal_code
            country = profile.country or "US"
            from_profile = True
    form = NearForm(params or None)
    if from_profile and not form.is_valid():
        form, from_profile = NearForm(), False  # a profile ZIP the box can't hold: no place
    near = None
    if form.is_valid() and form.cleaned_data["near"]:
        near = postal_code_find(country=country, code=form.cleaned_data["near"])
        if near is None and from_profile:
            # A profile ZIP we don't know is not the visitor's mistake here: list by date.
            from_profile = False
        elif near is None:
            form.add_error(
                "near",
                _("We don't know the ZIP code “%(code)s”. Check it and try again.")
                % {"code": form.cleaned_data["near"]},
            )
    events = events_search(
        viewer=request.user,
        near=near,
        radius_miles=MAX_RADIUS_MILES,
        campaign=campaign,
        order="distance" if near else "date",
        include_virtual=True,
    )
    page = page_of(request, events, EVENTS_PER_PAGE)
    now = timezone.now()
    for event in page.object_list:
        event.card = event_card(event, now=now)
    totals = None
    if is_staff(request.user):
        totals = campaigns_with_totals().filter(pk=campaign.pk).first()
    query = urlencode({"near": form.cleaned_data["near"]}) if near and not from_profile else ""
    return render(
        request,
        "events/campaign_detail.html",
        {
            "campaign": campaign,
            "form": form,
            "near": near,
            "from_profile": from_profile and near is not None,
            "page": page,
            "totals": totals,
            "page_query": query,
            "max_radius": int(MAX_RADIUS_MILES),
            "map_data": _campaign_map_data(page, near),
            "tile_url": settings.TILE_SERVER_URL,
        },
        status=400 if form.errors else 200,
    )


def _campaigns_current(*, today: date) -> QuerySet[EventCampaign]:
    """The campaigns members may join: open, and not over (or with no last day); the next to
    start first."""
    return (
        campaigns_open()
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by(F("starts_on").asc(nulls_last=True), "name", "pk")
    )


@require_safe
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """Everyone sees the current campaigns; staff see every campaign with its totals."""
    staff = is_staff(request.user)
    campaigns = campaigns_with_totals() if staff else _campaigns_current(today=timezone.localdate())
    page = page_of(request, campaigns, 50)
    return render(request, "events/campaign_list.html", {"page": page, "staff_view": staff})


@require_http_methods(["GET", "POST"])
@login_required
def campaign_create_view(request: MemberRequest) -> HttpResponse:
    staff_or_404(request.user)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = event_campaign_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The campaign is created."))
            return redirect("campaign_detail", slug=campaign.slug)
    status = 400 if form.errors else 200
    return render(
        request, "events/campaign_form.html", {"form": form, "campaign": None}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit_view(request: MemberRequest, slug: str) -> HttpResponse:
    staff_or_404(request.user)
    campaign = campaign_by_slug(slug)
    if request.method == "POST":
        form = CampaignForm(request.POST, editing=True)
        if form.is_valid():
            try:
                campaign = event_campaign_update(
                    campaign=campaign,
                    actor=request.user,
                    archived=form.cleaned_data["archived"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The campaign is saved."))
                return redirect("campaign_detail", slug=campaign.slug)
    else:
        form = CampaignForm(initial=CampaignForm.initial_for(campaign), editing=True)
    status = 400 if form.errors else 200
    return render(
        request, "events/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )
