"""What the host pages share: the signed-in request, paging, the attendance an URL names,
and where to go back after a POST."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from groundswell.accounts.models import User
from groundswell.events.models import Attendance, Event

# Events per page on the host and organizer lists (and the campaign pages).
EVENTS_PER_PAGE = 20


class MemberRequest(HttpRequest):
    user: User


def page_of(request: HttpRequest, queryset: Any, per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def attendance_for(event: Event, attendance_id: int) -> Attendance:
    attendance = (
        Attendance.objects.select_related("person", "shift", "event")
        .filter(pk=attendance_id, event=event)
        .first()
    )
    if attendance is None:
        raise Http404
    return attendance


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
