"""The host's dashboard for one event: attendees (and their CSV), messages to them,
co-hosts, the report after the event, and who came.

Every event is fetched with `event_for_manager` (the same 404 for a missing event and one the
viewer may not manage). Views parse, call one service, and render or redirect.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from groundswell.accounts.models import User
from groundswell.core.policies import is_staff
from groundswell.core.ratelimit import (
    RATE_LIMITED_MESSAGE,
    RATE_LIMITED_STATUS,
    rate_limit_consume,
)
from groundswell.events.display import event_zone
from groundswell.events.hosting.forms import (
    CoHostForm,
    MessageForm,
    ReportForm,
)
from groundswell.events.hosting.selectors import (
    event_attendees,
    event_cohosts,
    event_messages_recent,
    event_shifts,
)
from groundswell.events.hosting.services.attendance import (
    attendance_mark,
    event_attendees_export_log,
    event_report_submit,
)
from groundswell.events.hosting.services.cohosts import event_cohost_add, event_cohost_remove
from groundswell.events.hosting.services.messages import event_message_attendees
from groundswell.events.hosting.views.common import (
    MemberRequest,
    attendance_for,
    int_or_none,
    page_of,
    safe_next,
)
from groundswell.events.models import Attendance, Event
from groundswell.events.policies import event_for_manager

ATTENDEES_PER_PAGE = 50


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
    shift_id = int_or_none(request.GET.get("shift"))
    if shift_id is not None and shift_id not in {shift.pk for shift in shifts}:
        shift_id = None
    attendee_status = request.GET.get("status", "")
    page = page_of(
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
    zone = event_zone(event)
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
    if cohost.pk == request.user.pk and not is_staff(request.user) and event.host_id != cohost.pk:
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


@require_POST
@login_required
def attendance_mark_view(request: MemberRequest, event_id: int, attendance_id: int) -> HttpResponse:
    event = event_for_manager(request.user, event_id)
    attendance = attendance_for(event, attendance_id)
    attended = request.POST.get("attended") == "yes"
    try:
        attendance_mark(attendance=attendance, attended=attended, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(safe_next(request, reverse("event_manage", args=[event.pk])))
