"""Host tools and organizer pages: create/edit/cancel an event, manage attendees, check-in,
messages, co-hosts, the report; the approval queue; campaigns.

Every event is fetched with `event_for_manager` (the same 404 for a missing event and one the
viewer may not manage); staff pages answer 404 to everyone else. Views parse, call one
service, and render or redirect.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groundswell.accounts.models import User
from groundswell.accounts.selectors import profile_for_owner
from groundswell.core.ratelimit import (
    RATE_LIMITED_MESSAGE,
    RATE_LIMITED_STATUS,
    rate_limit_consume,
)
from groundswell.events.forms_hosting import (
    CampaignForm,
    CoHostForm,
    EventForm,
    MessageForm,
    NearForm,
    ReportForm,
    ReviewForm,
    ShiftFormSet,
    WalkInForm,
    shift_specs,
)
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.policies import event_for_manager
from groundswell.events.selectors import MAX_RADIUS_MILES, event_card, events_search
from groundswell.events.selectors_hosting import (
    campaign_by_slug,
    campaigns_open,
    campaigns_with_totals,
    event_attendees,
    event_checkin_list,
    event_cohosts,
    event_has_attendees,
    event_messages_recent,
    event_shifts,
    events_hosted_by,
    events_pending_approval,
    groups_for_hosting,
)
from groundswell.events.services_hosting import (
    attendance_mark,
    event_approve,
    event_attendees_export_log,
    event_campaign_create,
    event_campaign_update,
    event_cancel,
    event_cohost_add,
    event_cohost_remove,
    event_create,
    event_message_attendees,
    event_reject,
    event_report_submit,
    event_update,
    event_when_text,
    host_trust_grant,
)
from groundswell.events.services_rsvp import attendance_check_in, attendance_walk_in
from groundswell.geo.selectors import postal_code_find

ATTENDEES_PER_PAGE = 50
CHECKIN_PER_PAGE = 100
EVENTS_PER_PAGE = 20
# Service errors on the event's span show next to the time fields of the form.
_TIME_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


class MemberRequest(HttpRequest):
    user: User


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _require_staff(request: HttpRequest) -> None:
    if not _is_staff(request.user):
        raise Http404


def _page(request: HttpRequest, queryset: Any, per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _form_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        remapped: dict[str, list[str]] = {}
        for field, field_messages in error.message_dict.items():
            remapped.setdefault(_TIME_FIELDS.get(field, field), []).extend(field_messages)
        error = ValidationError(remapped)
    form.add_service_error(error)


# --- create and edit -------------------------------------------------------------------------


def _formset_initial_from_post(data: Any, prefix: str = "form") -> list[dict[str, Any]]:
    """The rows a host typed, as initial values (to redisplay them without error messages)."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(min(total, ShiftFormSet.max_num or 0)):
        key = f"{prefix}-{index}-"
        rows.append(
            {
                name: data.get(key + name, "")
                for name in ("shift_id", "date", "start_time", "end_time", "capacity")
            }
        )
    return rows


def _event_form_page(
    request: MemberRequest,
    *,
    event: Event | None,
    initial: dict[str, Any],
    formset_initial: list[dict[str, Any]],
) -> HttpResponse:
    """GET and POST of the create and edit pages (one flow, two services)."""
    user = request.user
    creating = event is None
    status = 200
    if request.method == "POST" and "add_shift" in request.POST:
        # "Add another time slot" without JavaScript: show what was typed plus one empty row.
        form = EventForm(initial=request.POST.dict(), user=user, event=event)
        rows = [row for row in _formset_initial_from_post(request.POST) if any(row.values())]
        formset = ShiftFormSet(initial=rows)
        formset.extra = 1
    elif request.method == "POST":
        form = EventForm(request.POST, user=user, event=event)
        formset = ShiftFormSet(request.POST)
        valid = form.is_valid() and formset.is_valid()
        limited = (
            valid and creating and not rate_limit_consume(request=request, action="event.create")
        )
        if limited:
            form.add_error(None, RATE_LIMITED_MESSAGE)
        elif valid:
            fields = form.service_fields()
            specs = shift_specs(form, formset)
            try:
                if event is None:
                    event = event_create(host=user, actor=user, shifts=specs, **fields)
                else:
                    sequence_before = event.calendar_sequence
                    event = event_update(event=event, actor=user, shifts=specs, **fields)
            except ValidationError as error:
                _form_error(form, error)
            else:
                if creating:
                    if event.status == Event.Status.PUBLISHED:
                        messages.success(request, _("Your event is published."))
                    else:
                        messages.success(
                            request,
                            _(
                                "Thank you! An organizer will look at your event soon. "
                                "We will email you when it is published."
                            ),
                        )
                elif event.calendar_sequence > sequence_before and event_has_attendees(event=event):
                    # event_update bumps the sequence exactly when it queues a change notice.
                    messages.success(
                        request,
                        _(
                            "Your changes are saved. Everyone who RSVPed will get an email "
                            "listing what changed."
                        ),
                    )
                else:
                    messages.success(request, _("Your changes are saved."))
                return redirect("event_manage", event_id=event.pk)
        status = RATE_LIMITED_STATUS if limited else 400
    else:
        form = EventForm(initial=initial, user=user, event=event)
        formset = ShiftFormSet(initial=formset_initial)
        formset.extra = 0 if formset_initial else 1
    return render(
        request,
        "events/host_event_form.html",
        {"form": form, "formset": formset, "event": event},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def event_create_view(request: MemberRequest) -> HttpResponse:
    """`?campaign=<slug>` prefills from an open campaign; `?group=<id>` picks one of the
    member's groups (the ones the form offers). Anything else in them is ignored."""
    initial: dict[str, Any] = {}
    slug = request.GET.get("campaign", "")
    if slug:
        campaign = EventCampaign.objects.filter(slug=slug, archived_at__isnull=True).first()
        if campaign is not None:
            initial = {
                "campaign": campaign.pk,
                "event_type": campaign.event_type,
                "title": campaign.template_title or campaign.name,
                "description": campaign.template_description,
                "date": campaign.starts_on,
            }
    group_id = _int_or_none(request.GET.get("group"))
    if group_id is not None:
        # The same rule as the form's choices, so a prefilled group is always a valid choice.
        group = groups_for_hosting(request.user).filter(pk=group_id).only("pk").first()
        if group is not None:
            initial["group"] = group.pk
    return _event_form_page(request, event=None, initial=initial, formset_initial=[])


@require_http_methods(["GET", "POST"])
@login_required
def event_edit_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("A cancelled event can't be edited."))
        return redirect("event_manage", event_id=event.pk)
    shifts = event_shifts(event)
    initial = EventForm.initial_for(event, shifts[0]) if shifts else {}
    rows = []
    for shift in shifts[1:]:
        row = EventForm.initial_for(event, shift)
        rows.append(
            {
                "shift_id": shift.pk,
                "date": row["date"],
                "start_time": row["start_time"],
                "end_time": row["end_time"],
                "capacity": shift.capacity,
            }
        )
    return _event_form_page(request, event=event, initial=initial, formset_initial=rows)


@require_http_methods(["GET", "POST"])
@login_required
def event_cancel_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    if request.method == "POST":
        try:
            event_cancel(event=event, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The event is cancelled. Everyone who signed up is being told.")
            )
        return redirect("event_manage", event_id=event.pk)
    return render(
        request, "events/host_cancel.html", {"event": event, "shifts": event_shifts(event)}
    )


# --- the host's dashboard -------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _manage_page(
    request: MemberRequest,
    event: Event,
    *,
    message_form: MessageForm | None = None,
    cohost_form: CoHostForm | None = None,
    report_form: ReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    shifts = event_shifts(event)
    shift_id = _int_or_none(request.GET.get("shift"))
    if shift_id is not None and shift_id not in {shift.pk for shift in shifts}:
        shift_id = None
    attendee_status = request.GET.get("status", "")
    page = _page(
        request,
        event_attendees(event=event, shift_id=shift_id, status=attendee_status),
        ATTENDEES_PER_PAGE,
    )
    started = event.starts_at <= now
    filters = {
        key: value for key, value in (("shift", shift_id), ("status", attendee_status)) if value
    }
    context = {
        "event": event,
        "shifts": shifts,
        "page": page,
        "shift_filter": shift_id,
        "status_filter": attendee_status,
        "filter_query": urlencode(filters),
        "started": started,
        "over": event.ends_at <= now,
        "message_form": message_form or MessageForm(),
        "cohost_form": cohost_form or CoHostForm(),
        "report_form": report_form
        or ReportForm(
            initial={
                "doors_knocked": event.doors_knocked,
                "calls_made": event.calls_made,
                "notes": event.report_notes,
            }
        ),
        "cohosts": event_cohosts(event),
        "sent_messages": event_messages_recent(event),
        "is_host": event.host_id == request.user.pk,
        "going_total": sum(shift.confirmed_count for shift in shifts),
        "waiting_total": sum(shift.waitlist_count for shift in shifts),
    }
    return render(request, "events/host_manage.html", context, status=status)


@require_safe
@login_required
@never_cache
def event_manage_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    return _manage_page(request, event)


def _csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab/CR) would run as a
    formula (CSV injection), so such cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text and text[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_safe
@login_required
@never_cache
def event_attendees_csv(request: MemberRequest, event_id: int) -> StreamingHttpResponse:
    event = event_for_manager(request.user, event_id)
    event_attendees_export_log(event=event, actor=request.user)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.time_zone)
    rows = event_attendees(event=event).iterator(chunk_size=500)
    statuses = dict(Attendance.Status.choices)
    writer = csv.writer(_Echo())

    def local(value: Any) -> str:
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M %Z") if value else ""

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(
            [
                _("Time slot"),
                _("Status"),
                _("First name"),
                _("Last name"),
                _("Email"),
                _("Phone"),
                _("ZIP code"),
                _("Signed up"),
                _("Source"),
                _("Invited by"),
                _("Checked in"),
                _("Attended"),
            ]
        )
        for attendance in rows:
            person = attendance.person
            phones = getattr(person, "phones", [])
            inviter = attendance.referred_by
            attended = (
                "" if attendance.attended is None else _("yes") if attendance.attended else _("no")
            )
            yield writer.writerow(
                [
                    _csv_cell(value)
                    for value in (
                        local(attendance.shift.starts_at),
                        statuses.get(attendance.status, attendance.status),
                        person.given_name,
                        person.family_name,
                        person.email or "",
                        phones[0].number if phones else "",
                        person.postal_code,
                        local(attendance.created_at),
                        attendance.source,
                        str(inviter) if inviter else "",
                        local(attendance.checked_in_at),
                        attended,
                    )
                ]
            )

    name = slugify(event.title)[:50] or "event"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="event-{event.pk}-{name}-attendees.csv"'
    )
    return response


@require_POST
@login_required
def event_message_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        if not rate_limit_consume(request=request, action="event.message"):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return _manage_page(request, event, message_form=form, status=RATE_LIMITED_STATUS)
        try:
            message = event_message_attendees(
                event=event,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                include_waitlisted=form.cleaned_data["include_waitlisted"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            count = len(message.recipient_ids)
            messages.success(
                request,
                ngettext(
                    "Your message is on its way to %(count)s person.",
                    "Your message is on its way to %(count)s people.",
                    count,
                )
                % {"count": count},
            )
            return redirect("event_manage", event_id=event.pk)
    return _manage_page(request, event, message_form=form, status=400)


@require_POST
@login_required
def event_cohost_add_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    form = CoHostForm(request.POST)
    if form.is_valid():
        try:
            event_cohost_add(event=event, email=form.cleaned_data["email"], actor=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The co-host is added and we emailed them."))
            return redirect(reverse("event_manage", args=[event.pk]) + "#cohosts")
    return _manage_page(request, event, cohost_form=form, status=400)


@require_POST
@login_required
def event_cohost_remove_view(request: MemberRequest, event_id: int, user_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    cohost = User.objects.filter(pk=user_id).first()
    if cohost is None:
        raise Http404
    try:
        event_cohost_remove(event=event, user=cohost, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The co-host is removed."))
    if cohost.pk == request.user.pk and not _is_staff(request.user) and event.host_id != cohost.pk:
        return redirect("events_hosting")
    return redirect(reverse("event_manage", args=[event.pk]) + "#cohosts")


@require_POST
@login_required
def event_report_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            event_report_submit(
                event=event,
                actor=request.user,
                doors_knocked=form.cleaned_data["doors_knocked"],
                calls_made=form.cleaned_data["calls_made"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Thank you! Your report is saved."))
            return redirect(reverse("event_manage", args=[event.pk]) + "#report")
    return _manage_page(request, event, report_form=form, status=400)


def _attendance_for(event: Event, attendance_id: int) -> Attendance:
    attendance = (
        Attendance.objects.select_related("person", "shift", "event")
        .filter(pk=attendance_id, event=event)
        .first()
    )
    if attendance is None:
        raise Http404
    return attendance


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@login_required
def attendance_mark_view(request: MemberRequest, event_id: int, attendance_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    attendance = _attendance_for(event, attendance_id)
    attended = request.POST.get("attended") == "yes"
    try:
        attendance_mark(attendance=attendance, attended=attended, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_safe_next(request, reverse("event_manage", args=[event.pk])))


# --- at the door ------------------------------------------------------------------------------


def _checkin_page(
    request: MemberRequest,
    event: Event,
    *,
    walk_in_form: WalkInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    page = _page(request, event_checkin_list(event=event, text=text), CHECKIN_PER_PAGE)
    checked_in = event.attendances.filter(attended=True).count()
    return render(
        request,
        "events/host_checkin.html",
        {
            "event": event,
            "page": page,
            "q": text,
            "checked_in": checked_in,
            "several_shifts": event.shifts.count() > 1,
            "walk_in_form": walk_in_form or WalkInForm(),
        },
        status=status,
    )


@require_safe
@login_required
@never_cache
def event_checkin_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    return _checkin_page(request, event)


@require_POST
@login_required
def attendance_check_in_view(
    request: MemberRequest, event_id: int, attendance_id: int
) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    attendance = _attendance_for(event, attendance_id)
    attendance = attendance_check_in(attendance=attendance, actor=request.user)
    if request.headers.get("HX-Request"):
        attendance = _attendance_for(event, attendance.pk)
        context = {
            "event": event,
            "attendance": attendance,
            "several_shifts": event.shifts.count() > 1,
        }
        return render(request, "events/host_checkin_row.html", context)
    messages.success(
        request,
        _("%(name)s is checked in.") % {"name": str(attendance.person)},
    )
    return redirect(_safe_next(request, reverse("event_checkin", args=[event.pk])))


@require_POST
@login_required
def event_walk_in_view(request: MemberRequest, event_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            attendance = attendance_walk_in(event=event, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s is signed up and checked in.") % {"name": str(attendance.person)},
            )
            return redirect("event_checkin", event_id=event.pk)
    return _checkin_page(request, event, walk_in_form=form, status=400)


# --- events I host ----------------------------------------------------------------------------


@require_safe
@login_required
def events_hosting_view(request: MemberRequest) -> HttpResponse:
    when: Literal["upcoming", "past"] = "past" if request.GET.get("when") == "past" else "upcoming"
    page = _page(
        request, events_hosted_by(user=request.user, when=when, now=timezone.now()), EVENTS_PER_PAGE
    )
    return render(request, "events/host_hosting.html", {"page": page, "when": when})


# --- organizers: the approval queue -----------------------------------------------------------


@require_safe
@login_required
def event_approvals_view(request: MemberRequest) -> HttpResponse:
    _require_staff(request)
    page = _page(request, events_pending_approval(), EVENTS_PER_PAGE)
    return render(request, "events/host_approvals.html", {"page": page, "form": ReviewForm()})


@require_POST
@login_required
def event_review_view(request: MemberRequest, event_id: int) -> HttpResponse:
    _require_staff(request)
    event = event_for_manager(request.user, event_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject the event."))
        return redirect("event_approvals")
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            event_approve(
                event=event, actor=request.user, note=data["note"], trust_host=data["trust_host"]
            )
            messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
        else:
            event_reject(event=event, actor=request.user, note=data["note"])
            if data["trust_host"] and event.host is not None:
                host_trust_grant(user=event.host, actor=request.user)
            messages.success(
                request, _("“%(title)s” is sent back to its host.") % {"title": event.title}
            )
    except ValidationError as error:
        messages.error(
            request,
            _("“%(title)s”: %(error)s") % {"title": event.title, "error": " ".join(error.messages)},
        )
    return redirect("event_approvals")


# --- campaigns ----------------------------------------------------------------------------------


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
                "detail": " · ".join(part for part in (event_when_text(event), place) if part),
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
    page = _page(request, events, EVENTS_PER_PAGE)
    now = timezone.now()
    for event in page.object_list:
        event.card = event_card(event, now=now)
    totals = None
    if _is_staff(request.user):
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
    staff = _is_staff(request.user)
    campaigns = campaigns_with_totals() if staff else _campaigns_current(today=timezone.localdate())
    page = _page(request, campaigns, 50)
    return render(request, "events/campaign_list.html", {"page": page, "staff_view": staff})


@require_http_methods(["GET", "POST"])
@login_required
def campaign_create_view(request: MemberRequest) -> HttpResponse:
    _require_staff(request)
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
    _require_staff(request)
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
