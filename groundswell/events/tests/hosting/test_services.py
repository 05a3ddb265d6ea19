"""event_create: who publishes directly, times in the event's zone, geocoding, and one clear
message for each kind of bad input (nothing is written when it fails)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from groundswell.core.models import AuditEntry
from groundswell.events.hosting.services.approval import host_trust_grant
from groundswell.events.hosting.services.events import event_create
from groundswell.events.hosting.services.validation import ShiftSpec
from groundswell.events.models import Event, EventCampaign, Shift, TrustedHost
from groundswell.events.testing import host_event, next_week_local
from groundswell.groups.models import Group, GroupMembership

pytestmark = pytest.mark.django_db


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_member_s_event_waits_for_approval(member):
    event = host_event(member)
    assert event.status == Event.Status.PENDING
    assert event.approved_at is None
    assert AuditEntry.objects.filter(action="event.create", subject_id=str(event.pk)).exists()


def test_staff_events_are_published_at_once(organizer):
    event = host_event(organizer, is_official=True)
    assert event.status == Event.Status.PUBLISHED
    assert event.approved_by == organizer
    assert event.is_official


def test_a_trusted_host_skips_the_queue(member, organizer):
    host_trust_grant(user=member, actor=organizer)
    event = host_event(member)
    assert event.status == Event.Status.PUBLISHED
    assert event.approved_by is None
    assert event.approved_at is not None


def test_times_are_in_the_zip_code_s_zone_and_the_place_is_geocoded(member):
    event = host_event(
        member,
        postal_code="94103",
        starts_at_local=next_week_local(10),
        ends_at_local=next_week_local(12),
    )
    assert event.time_zone == "America/Los_Angeles"
    local = event.starts_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute) == (10, 0)
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    assert event.locality == "San Francisco"
    assert event.region == "CA"
    assert event.latitude == pytest.approx(37.77, abs=0.05)
    shift = Shift.objects.get(event=event)
    assert (shift.starts_at, shift.ends_at, shift.capacity) == (
        event.starts_at,
        event.ends_at,
        None,
    )


def test_a_chosen_time_zone_wins_over_the_zip_code_s(member):
    event = host_event(member, postal_code="10001", time_zone="America/Chicago")
    assert event.time_zone == "America/Chicago"
    assert event.starts_at.astimezone(ZoneInfo("America/Chicago")).hour == 10


def test_several_shifts_each_with_its_capacity_and_the_event_spans_them(member):
    event = host_event(
        member,
        shifts=[
            ShiftSpec(next_week_local(13), next_week_local(15), 5),
            (next_week_local(9), next_week_local(12), 10),
        ],
    )
    shifts = list(Shift.objects.filter(event=event).order_by("starts_at"))
    assert [s.capacity for s in shifts] == [10, 5]
    assert event.starts_at == shifts[0].starts_at
    assert event.ends_at == shifts[1].ends_at


def test_an_online_event_needs_no_zip_and_keeps_its_link(member):
    event = host_event(
        member,
        postal_code="",
        venue_name="",
        address_line="",
        is_virtual=True,
        virtual_url="https://meet.example.org/abc",
    )
    assert event.virtual_url == "https://meet.example.org/abc"
    assert event.latitude is None
    # No ZIP: the host's own time zone (profiles default to New York).
    assert event.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give your event a title."),
        ({"title": "x" * 151}, "title", "Keep the title to 150 characters or fewer."),
        ({"event_type": "picnic"}, "event_type", "Choose a type of event."),
        (
            {"postal_code": "00000"},
            "postal_code",
            "We don't know the ZIP code “00000”. Check it and try again.",
        ),
        ({"postal_code": ""}, "postal_code", "Enter the ZIP code where the event takes place."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Choose a time zone from the list."),
        (
            {"is_virtual": True, "virtual_url": ""},
            "virtual_url",
            "Add the link attendees will use to join.",
        ),
        (
            {"is_virtual": True, "virtual_url": "javascript:alert(1)"},
            "virtual_url",
            "Enter a full web address, starting with https://.",
        ),
        (
            {"starts_at_local": next_week_local(12), "ends_at_local": next_week_local(10)},
            "ends_at",
            "The event must end after it starts.",
        ),
        (
            {
                "starts_at_local": next_week_local(10, days=-2),
                "ends_at_local": next_week_local(12, days=-2),
            },
            "starts_at",
            "The event can't start in the past.",
        ),
        ({"capacity": -1}, "capacity", "Capacity can't be below zero."),
        (
            {"starts_at_local": next_week_local(10), "ends_at_local": next_week_local(10, days=22)},
            "ends_at",
            "An event can last at most 14 days. Host a longer one as several events.",
        ),
        (
            {"is_official": True},
            "is_official",
            "Only campaign staff can mark an event as official.",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(member, changes, field, message):
    with pytest.raises(ValidationError) as excinfo:
        host_event(member, **changes)
    assert message in _errors(excinfo)[field]
    assert not Event.objects.exists()
    assert not Shift.objects.exists()


def test_shift_errors_name_the_slot(member):
    with pytest.raises(ValidationError) as excinfo:
        host_event(
            member,
            shifts=[
                (next_week_local(9), next_week_local(10), 3),
                (next_week_local(12), next_week_local(11), -2),
            ],
        )
    errors = _errors(excinfo)["shifts"]
    assert "Time slot 2 must end after it starts." in errors
    assert "Time slot 2: capacity can't be below zero." in errors


def test_a_missing_time_is_an_error(member):
    with pytest.raises(ValidationError) as excinfo:
        event_create(host=member, title="No time", event_type="meeting", postal_code="10001")
    assert "Choose when the event starts." in _errors(excinfo)["starts_at"]


def test_an_event_can_be_tied_to_a_group_its_host_belongs_to(member, other_member):
    group = Group.objects.create(name="Chelsea for Change", postal_code="10001")
    GroupMembership.objects.create(group=group, user=member, role="leader")
    event = host_event(member, group=group)
    assert event.group == group
    with pytest.raises(ValidationError) as excinfo:
        host_event(other_member, group=group)
    assert _errors(excinfo)["group"] == ["You can only link an event to a group you belong to."]


def test_a_closed_campaign_or_a_day_outside_it_is_refused(member, organizer):
    today = timezone.localdate()
    campaign = EventCampaign.objects.create(
        name="Weekend of Action",
        slug="weekend",
        starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=21),
    )
    with pytest.raises(ValidationError) as excinfo:
        host_event(member, campaign=campaign)
    assert "Weekend of Action runs from" in _errors(excinfo)["starts_at"][0]

    campaign.archived_at = timezone.now()
    campaign.save()
    with pytest.raises(ValidationError) as excinfo:
        host_event(member, campaign=campaign)
    assert _errors(excinfo)["campaign"] == ["This campaign is closed to new events."]


def test_an_inactive_member_cannot_host(member):
    from django.core.exceptions import PermissionDenied

    member.is_active = False
    member.save()
    with pytest.raises(PermissionDenied):
        host_event(member)


def test_trust_is_granted_once_and_only_by_staff(member, other_member, organizer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        host_trust_grant(user=member, actor=other_member)
    host_trust_grant(user=member, actor=organizer)
    host_trust_grant(user=member, actor=organizer)
    assert TrustedHost.objects.filter(user=member).count() == 1
    assert AuditEntry.objects.filter(action="event.host_trust_grant").count() == 1


def test_campaign_dates_message_with_one_bound(member):
    campaign = EventCampaign.objects.create(
        name="Kickoff", slug="kickoff", starts_on=date.today() + timedelta(days=30)
    )
    with pytest.raises(ValidationError) as excinfo:
        host_event(member, campaign=campaign)
    assert "Kickoff starts on" in _errors(excinfo)["starts_at"][0]


@pytest.mark.parametrize(
    "offset", [timezone.get_fixed_timezone(-12 * 60), timezone.get_fixed_timezone(14 * 60)]
)
def test_a_start_in_year_9999_is_refused_in_any_zone(member, offset):
    starts_at = datetime(9999, 12, 31, 10, tzinfo=offset)
    with pytest.raises(ValidationError) as excinfo:
        host_event(member, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    assert any("too far ahead" in message for message in _errors(excinfo)["starts_at"])
    assert not Event.objects.exists()


@override_settings(EVENT_MAX_YEARS_AHEAD=1)
def test_events_are_accepted_up_to_the_configured_horizon(member):
    today = timezone.localdate()
    last = today.replace(year=today.year + 1, day=min(today.day, 28))
    inside = datetime(last.year, last.month, last.day, 10)
    host_event(member, starts_at_local=inside, ends_at_local=inside + timedelta(hours=2))
    later = inside + timedelta(days=2)
    with pytest.raises(ValidationError) as excinfo:
        host_event(
            member,
            shifts=[
                (next_week_local(9), next_week_local(10), 3),
                (later, later + timedelta(hours=2), 3),
            ],
        )
    assert "Time slot 2 is too far ahead: events can start until" in " ".join(
        _errors(excinfo)["shifts"]
    )
