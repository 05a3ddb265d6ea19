"""The event page, RSVPs, the signed links from emails, and calendar files.

Views fetch through the events policy (`event_for_viewer`: one 404 for missing and hidden)
and call the RSVP services and selectors; they hold no rules of their own.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groundswell.core.ratelimit import (
    RATE_LIMITED_MESSAGE,
    RATE_LIMITED_STATUS,
    rate_limit_consume,
)
from groundswell.core.sanitize import html_sanitize
from groundswell.events import ics
from groundswell.events.display import when_text
from groundswell.events.models import Attendance, Event
from groundswell.events.policies import event_for_viewer
from groundswell.events.rsvp.forms import GuestRsvpForm, MemberRsvpForm
from groundswell.events.rsvp.selectors import (
    attendance_from_token,
    calendar_feed_by_token,
    calendar_feed_for_user,
    event_host_name,
    event_rsvp_panel,
    event_shift_get,
    feed_attendances,
    feed_hosted_shifts,
    group_feed_shifts,
    referral_person,
)
from groundswell.events.rsvp.services import (
    GuestDetails,
    attendance_cancel,
    attendance_reminder_reply,
    calendar_feed_regenerate,
    rsvp_submit,
)
from groundswell.groups.models import Group

HOST_PANEL_TEMPLATE = "events/_host_panel.html"


def _new_form(request: HttpRequest, event: Event) -> MemberRsvpForm:
    initial = {
        "ref": request.GET.get("ref", "")[:200],
        "source": request.GET.get("source", "")[:100],
        "idempotency_key": uuid.uuid4(),
    }
    if request.user.is_authenticated:
        return MemberRsvpForm(initial=initial)
    return GuestRsvpForm(initial=initial, event=event)


# --- The event page -----------------------------------------------------------------------


def _url_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _host_panel_template() -> str:
    try:
        get_template(HOST_PANEL_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return HOST_PANEL_TEMPLATE


def _map_data(event: Event, *, exact: bool) -> dict[str, Any] | None:
    """One marker at the event's geocoded point (its ZIP's centre, so never more precise
    than the area shown to everyone), closer in for people who may see the address."""
    if event.latitude is None or event.longitude is None:
        return None
    return {
        "zoom": 14 if exact else 12,
        "markers": [
            {
                "lat": event.latitude,
                "lng": event.longitude,
                "title": event.title,
                "detail": ics.event_area(event),
            }
        ],
    }


def _render_event(
    request: HttpRequest, event: Event, form: MemberRsvpForm, *, status: int = 200
) -> HttpResponse:
    panel = event_rsvp_panel(event=event, viewer=request.user)
    share_url = ""
    if panel["referral"]:
        share_url = request.build_absolute_uri(
            reverse("event_detail", args=[event.pk]) + "?ref=" + panel["referral"] + "&source=share"
        )
    context = {
        "event": event,
        "panel": panel,
        "form": form,
        "host_name": event_host_name(event=event),
        "event_when": when_text(event),
        "description_html": html_sanitize(event.description or ""),
        "area": ics.event_area(event),
        "group_url": _url_or_empty("groups:detail", event.group_id) if event.group_id else "",
        "campaign_url": (
            _url_or_empty("campaign_detail", event.campaign.slug) if event.campaign else ""
        ),
        "map_data": _map_data(event, exact=panel["can_see_address"]),
        "tile_url": settings.TILE_SERVER_URL,
        "host_panel_template": _host_panel_template() if panel["can_manage"] else "",
        "share_url": share_url,
        "now": timezone.now(),
    }
    return render(request, "events/event_detail.html", context, status=status)


@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = event_for_viewer(request.user, event_id)
    return _render_event(request, event, _new_form(request, event))


@require_POST
def event_rsvp(request: HttpRequest, event_id: int) -> HttpResponse:
    """Parse the form, rate-limit guests, and hand the RSVP to `rsvp_submit` (decision 0024)."""
    # The host, group and campaign are only needed to show the page again after a refusal.
    event = event_for_viewer(request.user, event_id, related=False)
    user = request.user
    member = user if user.is_authenticated else None
    form: MemberRsvpForm = (
        MemberRsvpForm(request.POST) if member else GuestRsvpForm(request.POST, event=event)
    )
    if not form.is_valid():
        return _render_event(request, event, form)
    data = form.cleaned_data
    shift = None
    if data["shift"]:
        shift = event_shift_get(event=event, shift_id=data["shift"])
        if shift is None:
            form.add_error(None, _("Choose one of this event's time slots."))
            return _render_event(request, event, form)
    if not member and not rate_limit_consume(
        request=request, action="event.rsvp_guest", key=f"{event.pk}:{data['email']}"
    ):
        form.add_error(None, RATE_LIMITED_MESSAGE)
        return _render_event(request, event, form, status=RATE_LIMITED_STATUS)
    guest = None
    if not member:
        guest = GuestDetails(
            email=data["email"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            postal_code=data["postal_code"],
        )
    try:
        result = rsvp_submit(
            event=event,
            shift=shift,
            member=member,
            guest=guest,
            referred_by=referral_person(token=data["ref"]),
            source=data["source"],
            language=translation.get_language() or "",
            actor=request.user,
            idempotency_key=str(data["idempotency_key"]) if data["idempotency_key"] else None,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_event(request, event, form)
    if not result.created:
        messages.info(request, _("You had already RSVPed to this time slot."))
    elif result.waitlisted:
        messages.success(
            request,
            _(
                "This time slot is full, so you're on the waitlist. We'll email you if a "
                "place opens up."
            ),
        )
    elif member:
        messages.success(request, _("You're going! We've emailed you the details."))
    else:
        messages.success(
            request,
            _("You're going! We've emailed the details and the address to %(email)s.")
            % {"email": result.attendance.person.email},
        )
    return redirect(reverse("event_detail", args=[event.pk]) + "#rsvp")


# --- Links from emails (no login) ---------------------------------------------------------


def _attendance_or_404(token: str) -> Attendance:
    attendance = attendance_from_token(token=token)
    if attendance is None:
        raise Http404
    return attendance


def _token_page(request: HttpRequest, attendance: Attendance, action: str) -> HttpResponse:
    started = attendance.shift.starts_at <= timezone.now()
    return render(
        request,
        "events/rsvp_action.html",
        {
            "attendance": attendance,
            "event": attendance.event,
            "shift": attendance.shift,
            "when": when_text(attendance.event, attendance.shift),
            "action": action,
            "started": started,
            "event_cancelled": attendance.event.status == Event.Status.CANCELLED,
        },
    )


def _token_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    attendance = _attendance_or_404(token)
    if request.method == "POST":
        actor = request.user if request.user.is_authenticated else None
        if attendance.shift.starts_at > timezone.now():
            try:
                if action == "cancel":
                    attendance_cancel(attendance=attendance, actor=actor)
                else:
                    attendance_reminder_reply(
                        attendance=attendance, coming=action == "confirm", actor=actor
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect(request.path)
    return _token_page(request, attendance, action)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def rsvp_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel from the email link: GET shows a button, only the POST cancels (mail scanners
    open links)."""
    return _token_action(request, token, "cancel")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def rsvp_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """ "I'll be there", from the day-before reminder."""
    return _token_action(request, token, "confirm")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def rsvp_decline(request: HttpRequest, token: str) -> HttpResponse:
    """ "I can't make it", from the day-before reminder: cancels and frees the place."""
    return _token_action(request, token, "decline")


# --- Calendars ----------------------------------------------------------------------------


def _ics_response(body: bytes, *, filename: str, private: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache" if private else "public, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = event_for_viewer(request.user, event_id)
    panel = event_rsvp_panel(event=event, viewer=request.user)
    body = ics.event_calendar(
        event=event,
        shifts=[option.shift for option in panel["shifts"]],
        show_address=panel["can_see_address"],
        show_link=panel["can_see_link"],
    )
    personal = request.user.is_authenticated or event.status not in (
        Event.Status.PUBLISHED,
        Event.Status.CANCELLED,
    )
    return _ics_response(body, filename=f"event-{event.pk}.ics", private=personal)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@never_cache
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Get (or replace) the private link of the member's "my events" calendar feed."""
    if request.method == "POST":
        calendar_feed_regenerate(user=request.user, actor=request.user)
        messages.success(
            request, _("Your calendar link is ready. Any earlier link no longer works.")
        )
        return redirect("calendar_settings")
    feed = calendar_feed_for_user(user=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    )
    return render(request, "events/rsvp_calendar.html", {"feed": feed, "feed_url": feed_url})


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's events as an .ics feed, by its secret token (calendar apps can't log in).
    Confirmed RSVPs and hosted events show the exact address; waitlisted ones are
    TENTATIVE and show only the area of a hidden address."""
    feed = calendar_feed_by_token(token=token)
    if feed is None:
        raise Http404
    user = feed.user
    entries: dict[int, ics.IcsEntry] = {}
    for attendance in feed_attendances(user=user):
        confirmed = attendance.status == Attendance.Status.CONFIRMED
        entries[attendance.shift_id] = ics.IcsEntry(
            shift=attendance.shift,
            event=attendance.event,
            show_address=confirmed or not attendance.event.hide_address,
            show_link=confirmed,
            tentative=not confirmed,
        )
    for shift in feed_hosted_shifts(user=user):
        entries[shift.pk] = ics.IcsEntry(
            shift=shift, event=shift.event, show_address=True, show_link=True
        )
    ordered = sorted(entries.values(), key=lambda entry: (entry.shift.starts_at, entry.shift.pk))
    body = ics.calendar_build(ordered, name=_("My events"))
    return _ics_response(body, filename="my-events.ics", private=True)


@require_safe
def group_events_ics(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's public events as an .ics feed (hidden addresses show only the area)."""
    group = Group.objects.filter(pk=group_id).only("pk", "name").first()
    if group is None:
        raise Http404
    entries = [
        ics.IcsEntry(
            shift=shift,
            event=shift.event,
            show_address=not shift.event.hide_address,
            show_link=False,
        )
        for shift in group_feed_shifts(group_id=group.pk)
    ]
    body = ics.calendar_build(entries, name=group.name)
    return _ics_response(body, filename=f"group-{group.pk}-events.ics", private=False)
