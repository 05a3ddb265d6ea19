"""Reads for hosts and organizers: events I host, attendee lists, the approval queue, the
campaigns open to hosts (campaign pages and totals are in events.campaigns). Each returns what its page needs in a fixed number of queries (sums and counts are
correlated subqueries, never per-row lookups)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from groundswell.events.models import (
    Attendance,
    Event,
    EventCampaign,
    EventCoHost,
    EventMessage,
    Shift,
)
from groundswell.groups.models import Group
from groundswell.people.models import PhoneNumber

When_ = Literal["upcoming", "past"]


def _sum_of_shifts(field: str) -> Coalesce:
    sums = (
        Shift.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=IntegerField()), Value(0))


def _count_of(queryset: QuerySet[Any], outer_field: str) -> Coalesce:
    counts = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def events_hosted_by(*, user: Any, when: When_ = "upcoming", now: datetime) -> QuerySet[Event]:
    """Events this member hosts or co-hosts (staff included: only their own), with the
    people going and waiting. Upcoming soonest first; past most recent first."""
    cohosted = EventCoHost.objects.filter(user=user).values("event_id")
    queryset = Event.objects.filter(Q(host=user) | Q(pk__in=cohosted))
    if when == "past":
        queryset = queryset.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        queryset = queryset.filter(ends_at__gt=now).order_by("starts_at", "pk")
    return queryset.select_related("group", "campaign").annotate(
        going=_sum_of_shifts("confirmed_count"),
        waiting=_sum_of_shifts("waitlist_count"),
    )


ATTENDEE_STATUSES = ("confirmed", "waitlisted", "cancelled")


def event_attendees(
    *, event: Event, shift_id: int | None = None, status: str = ""
) -> QuerySet[Attendance]:
    """An event's sign-ups with contact details, by shift: going first, then the waitlist in
    promotion order, then cancellations. Phones come in one prefetch query per page."""
    queryset = Attendance.objects.filter(event=event)
    if shift_id is not None:
        queryset = queryset.filter(shift_id=shift_id)
    if status in ATTENDEE_STATUSES:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("person", "shift", "referred_by")
        .prefetch_related(
            Prefetch(
                "person__phone_numbers",
                queryset=PhoneNumber.objects.order_by("-primary", "pk"),
                to_attr="phones",
            )
        )
        .annotate(
            status_rank=Case(
                When(status=Attendance.Status.CONFIRMED, then=Value(0)),
                When(status=Attendance.Status.WAITLISTED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "shift__starts_at",
            "shift_id",
            "status_rank",
            "waitlisted_at",
            "person__family_name",
            "person__given_name",
            "pk",
        )
    )


def event_has_attendees(*, event: Event) -> bool:
    """Anyone going or on a waitlist, from the shifts' counters (one query)."""
    return (
        Shift.objects.filter(event=event)
        .filter(Q(confirmed_count__gt=0) | Q(waitlist_count__gt=0))
        .exists()
    )


def event_checkin_list(*, event: Event, text: str = "") -> QuerySet[Attendance]:
    """Who may walk through the door: people going (and the waitlist, who often come
    anyway), by name; `text` narrows by name or email."""
    queryset = Attendance.objects.filter(
        event=event, status__in=(Attendance.Status.CONFIRMED, Attendance.Status.WAITLISTED)
    )
    for word in text.split()[:4]:
        queryset = queryset.filter(
            Q(person__given_name__icontains=word)
            | Q(person__family_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    return queryset.select_related("person", "shift").order_by(
        "person__given_name", "person__family_name", "pk"
    )


def event_shifts(event: Event) -> list[Shift]:
    return list(Shift.objects.filter(event=event).order_by("starts_at", "id"))


def event_cohosts(event: Event) -> list[EventCoHost]:
    return list(
        EventCoHost.objects.filter(event=event)
        .select_related("user__person", "user__profile")
        .order_by("added_at", "pk")
    )


def event_messages_recent(event: Event, *, limit: int = 10) -> list[EventMessage]:
    return list(
        EventMessage.objects.filter(event=event, kind=EventMessage.Kind.HOST)
        .select_related("sender")
        .order_by("-created_at", "-pk")[:limit]
    )


def events_pending_approval() -> QuerySet[Event]:
    """The organizers' queue: waiting events, the soonest first (they are the most urgent)."""
    return (
        Event.objects.filter(status=Event.Status.PENDING)
        .select_related("host__person", "host__profile", "group", "campaign")
        .annotate(shift_count=_count_of(Shift.objects.all(), "event"))
        .order_by("starts_at", "pk")
    )


def events_pending_count() -> int:
    return Event.objects.filter(status=Event.Status.PENDING).count()


def campaigns_open() -> QuerySet[EventCampaign]:
    return EventCampaign.objects.filter(archived_at__isnull=True).order_by("name")


def groups_for_hosting(user: Any) -> QuerySet[Group]:
    """The groups a member may tie an event to: those they belong to."""
    return Group.objects.filter(memberships__user=user, archived_at__isnull=True).order_by(
        "name", "pk"
    )
