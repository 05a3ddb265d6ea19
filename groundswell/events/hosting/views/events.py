"""Host pages for an event's life: create and edit (one flow, two services), cancel, the
events I host, and the organizers' approval queue.

Every event is fetched with `event_for_manager` (the same 404 for a missing event and one the
viewer may not manage); staff pages answer 404 to everyone else. Views parse, call one
service, and render or redirect.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groundswell.core.policies import staff_or_404
from groundswell.core.ratelimit import (
    RATE_LIMITED_MESSAGE,
    RATE_LIMITED_STATUS,
    rate_limit_consume,
)
from groundswell.events.hosting.forms import (
    EventForm,
    ReviewForm,
    ShiftFormSet,
    shift_specs,
)
from groundswell.events.hosting.selectors import (
    event_has_attendees,
    event_shifts,
    events_hosted_by,
    events_pending_approval,
    groups_for_hosting,
)
from groundswell.events.hosting.services.approval import (
    event_approve,
    event_reject,
    host_trust_grant,
)
from groundswell.events.hosting.services.events import event_cancel, event_create, event_update
from groundswell.events.hosting.views.common import (
    EVENTS_PER_PAGE,
    MemberRequest,
    int_or_none,
    page_of,
)
from groundswell.events.models import Event, EventCampaign
from groundswell.events.policies import event_for_manager

# Service errors on the event's span show next to the time fields of the form.
_TIME_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


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
    group_id = int_or_none(request.GET.get("group"))
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


# --- events I host ----------------------------------------------------------------------------


@require_safe
@login_required
def events_hosting_view(request: MemberRequest) -> HttpResponse:
    when: Literal["upcoming", "past"] = "past" if request.GET.get("when") == "past" else "upcoming"
    page = page_of(
        request, events_hosted_by(user=request.user, when=when, now=timezone.now()), EVENTS_PER_PAGE
    )
    return render(request, "events/host_hosting.html", {"page": page, "when": when})


# --- organizers: the approval queue -----------------------------------------------------------


@require_safe
@login_required
def event_approvals_view(request: MemberRequest) -> HttpResponse:
    staff_or_404(request.user)
    page = page_of(request, events_pending_approval(), EVENTS_PER_PAGE)
    return render(request, "events/host_approvals.html", {"page": page, "form": ReviewForm()})


@require_POST
@login_required
def event_review_view(request: MemberRequest, event_id: int) -> HttpResponse:
    staff_or_404(request.user)
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
