"""Who may see and who may manage an event: one policy, as point checks and querysets.

- A published or cancelled event is visible to everyone.
- A pending or rejected event is visible only to its host, co-hosts and staff.
- Managing (host tools) is for the host, co-hosts and staff.
Views fetch through `event_for_viewer` / `event_for_manager`, which answer the same 404 for a
missing event and one the viewer may not see or manage; services acting on an event their
caller already holds check `event_manager_or_403`. Who is staff is core.policies' question.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from groundswell.core.policies import is_staff
from groundswell.events.models import Event

PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def events_visible_to(viewer: Any, queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    queryset = Event.objects.all() if queryset is None else queryset
    if is_staff(viewer):
        return queryset
    public = Q(status__in=PUBLIC_STATUSES)
    if not getattr(viewer, "is_authenticated", False):
        return queryset.filter(public)
    return queryset.filter(public | Q(host=viewer) | Q(cohosts__user=viewer)).distinct()


def events_managed_by(viewer: Any, queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    queryset = Event.objects.all() if queryset is None else queryset
    if is_staff(viewer):
        return queryset
    if not getattr(viewer, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(Q(host=viewer) | Q(cohosts__user=viewer)).distinct()


def event_can_manage(viewer: Any, event: Event) -> bool:
    """Point check; agrees with `events_managed_by` (a test pins that)."""
    if is_staff(viewer):
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    return event.host_id == viewer.pk or event.cohosts.filter(user=viewer).exists()


def event_can_view(viewer: Any, event: Event) -> bool:
    return event.status in PUBLIC_STATUSES or event_can_manage(viewer, event)


def event_for_viewer(viewer: Any, event_id: int, *, related: bool = True) -> Event:
    """The event if `viewer` may see it, else 404. `related=False` skips loading its host,
    group and campaign, for a write that needs none of them (an RSVP)."""
    events = Event.objects.select_related("host", "group", "campaign") if related else Event.objects
    event = events.filter(pk=event_id).first()
    if event is None or not event_can_view(viewer, event):
        raise Http404
    return event


def event_for_manager(viewer: Any, event_id: int) -> Event:
    event = Event.objects.select_related("host", "group", "campaign").filter(pk=event_id).first()
    if event is None or not event_can_manage(viewer, event):
        raise Http404
    return event


def event_manager_or_403(viewer: Any, event: Event) -> None:
    """For services acting on an event the caller holds: PermissionDenied unless `viewer`
    may manage it."""
    if not event_can_manage(viewer, event):
        raise PermissionDenied
