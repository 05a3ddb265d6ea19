"""At the door: the check-in list, checking someone in (htmx or a plain POST), walk-ins.

Every event is fetched with `event_for_manager` (the same 404 for a missing event and one the
viewer may not manage). Views parse, call one service, and render or redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from groundswell.events.hosting.forms import (
    WalkInForm,
)
from groundswell.events.hosting.selectors import (
    event_checkin_list,
)
from groundswell.events.hosting.services.attendance import (
    attendance_check_in,
    attendance_walk_in,
)
from groundswell.events.hosting.views.common import (
    MemberRequest,
    attendance_for,
    page_of,
    safe_next,
)
from groundswell.events.models import Event
from groundswell.events.policies import event_for_manager

CHECKIN_PER_PAGE = 100


def _checkin_page(
    request: MemberRequest,
    event: Event,
    *,
    walk_in_form: WalkInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    page = page_of(request, event_checkin_list(event=event, text=text), CHECKIN_PER_PAGE)
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
    attendance = attendance_for(event, attendance_id)
    attendance = attendance_check_in(attendance=attendance, actor=request.user)
    if request.headers.get("HX-Request"):
        attendance = attendance_for(event, attendance.pk)
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
    return redirect(safe_next(request, reverse("event_checkin", args=[event.pk])))


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
