"""What create and update share: a host's time slots, and the checks of an event's fields.

Times: an event's shifts are given either aware, or naive in the event's own time zone
(what a host types); the event spans its shifts (first start to last end).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.policies import is_staff
from groundswell.events.display import zone_named
from groundswell.events.finding.selectors import LONGEST_LISTED_EVENT
from groundswell.events.models import Event, EventCampaign, event_days
from groundswell.geo.selectors import postal_code_find, postal_code_normalize
from groundswell.groups.models import GroupMembership

MAX_SHIFTS = 20


@dataclass(frozen=True)
class ShiftSpec:
    """One time slot as a host gives it. Naive times are in the event's zone.

    `shift_id` (edits only) names the existing shift this row changes; rows without one are
    new slots, and existing shifts left out are removed.
    """

    starts_at: datetime
    ends_at: datetime
    capacity: int | None = None
    shift_id: int | None = None


def _in_zone(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, zone)
    return value


def _spec(value: ShiftSpec | tuple[Any, ...]) -> ShiftSpec:
    if isinstance(value, ShiftSpec):
        return value
    starts_at, ends_at, *rest = value
    return ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=rest[0] if rest else None)


def _validate_and_build(
    *,
    event: Event,
    host: User,
    actor: Any,
    shifts: Sequence[ShiftSpec],
    changed_shift_keys: set[int] | None,
    time_zone: str,
    now: datetime,
    changed_fields: set[str] | None = None,
) -> tuple[dict[str, list[str]], list[tuple[ShiftSpec, datetime, datetime]]]:
    """Check an event's fields (already set on `event`) and its shifts; fill geocoding.

    Returns the errors by field and the shifts with aware times. `changed_shift_keys` holds
    the indexes of shifts whose times are new or changed (only those must be in the future);
    None means all of them (a new event). Likewise `changed_fields` limits the checks of
    group, campaign and official status to the fields an edit changes (None: check all).
    """

    def changed(field: str) -> bool:
        return changed_fields is None or field in changed_fields

    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # One line: a title lands in email subjects, file names and calendar entries.
    event.title = " ".join((event.title or "").split())
    if not event.title:
        error("title", _("Give your event a title."))
    elif len(event.title) > 150:
        error("title", _("Keep the title to 150 characters or fewer."))
    if event.event_type not in Event.Type.values:
        error("event_type", _("Choose a type of event."))
    event.description = (event.description or "").strip()
    if len(event.description) > 20000:
        error("description", _("Keep the description to 20,000 characters or fewer."))
    event.accessibility_notes = (event.accessibility_notes or "").strip()
    if len(event.accessibility_notes) > 2000:
        error(
            "accessibility_notes", _("Keep the accessibility notes to 2,000 characters or fewer.")
        )
    for field, limit in (("venue_name", 150), ("address_line", 200)):
        value = (getattr(event, field) or "").strip()
        setattr(event, field, value)
        if len(value) > limit:
            error(field, _("Keep this to %(limit)s characters or fewer.") % {"limit": limit})

    # Where: the ZIP code is geocoded; an in-person event needs one.
    event.country = (event.country or "US").strip().upper()[:2] or "US"
    event.postal_code = postal_code_normalize(country=event.country, code=event.postal_code or "")
    found = None
    if event.postal_code:
        found = postal_code_find(country=event.country, code=event.postal_code)
        if found is None:
            error(
                "postal_code",
                _("We don't know the ZIP code “%(code)s”. Check it and try again.")
                % {"code": event.postal_code},
            )
    elif not event.is_virtual:
        error("postal_code", _("Enter the ZIP code where the event takes place."))
    if found is not None:
        event.latitude, event.longitude = found.latitude, found.longitude
        event.locality = found.place_name[:100]
        event.region = found.admin1[:100]
    elif not event.postal_code:
        event.latitude = event.longitude = None
        event.locality = event.region = ""

    # Online: the link is required and must be a web address.
    event.virtual_url = (event.virtual_url or "").strip()
    if event.is_virtual:
        if not event.virtual_url:
            error("virtual_url", _("Add the link attendees will use to join."))
        else:
            try:
                URLValidator(schemes=["https", "http"])(event.virtual_url)
            except ValidationError:
                error("virtual_url", _("Enter a full web address, starting with https://."))
            if len(event.virtual_url) > 200:
                error("virtual_url", _("Keep the link to 200 characters or fewer."))
    else:
        event.virtual_url = ""

    # The event's zone: as chosen, else the ZIP code's, else the host's.
    zone_name = time_zone or (found.time_zone if found is not None and found.time_zone else "")
    zone_name = zone_name or getattr(getattr(host, "profile", None), "time_zone", "")
    zone_name = zone_name or settings.TIME_ZONE
    zone = zone_named(zone_name)
    if zone is None:
        error("time_zone", _("Choose a time zone from the list."))
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event.time_zone = zone_name

    # When: every slot ends after it starts, new times are in the future, no negative capacity.
    built: list[tuple[ShiftSpec, datetime, datetime]] = []
    several = len(shifts) > 1
    if not shifts:
        error("starts_at", _("Choose when the event starts."))
    if len(shifts) > MAX_SHIFTS:
        error(
            "shifts", _("An event can have at most %(count)s time slots.") % {"count": MAX_SHIFTS}
        )
    last_day = event_days(timezone.localdate(now))[1]
    for index, spec in enumerate(shifts):
        number = {"number": index + 1}
        starts_at = _in_zone(spec.starts_at, zone)
        ends_at = _in_zone(spec.ends_at, zone)
        changed_times = changed_shift_keys is None or index in changed_shift_keys
        if changed_times and (
            starts_at.date() > last_day or ends_at.date() > last_day + LONGEST_LISTED_EVENT
        ):
            # Checked first: a time near year 9999 overflows once converted to another zone.
            ahead = {"last": formats.date_format(last_day, "DATE_FORMAT"), **number}
            if several:
                error(
                    "shifts",
                    _(
                        "Time slot %(number)s is too far ahead: events can start until "
                        "%(last)s at the latest."
                    )
                    % ahead,
                )
            else:
                error(
                    "starts_at",
                    _("This is too far ahead: events can start until %(last)s at the latest.")
                    % ahead,
                )
            continue
        if ends_at <= starts_at:
            if several:
                error("shifts", _("Time slot %(number)s must end after it starts.") % number)
            else:
                error("ends_at", _("The event must end after it starts."))
        if changed_times and starts_at < now:
            if several:
                error("shifts", _("Time slot %(number)s starts in the past.") % number)
            else:
                error("starts_at", _("The event can't start in the past."))
        if spec.capacity is not None and spec.capacity < 0:
            if several:
                error("shifts", _("Time slot %(number)s: capacity can't be below zero.") % number)
            else:
                error("capacity", _("Capacity can't be below zero."))
        built.append((spec, starts_at, ends_at))
    if built and not errors.get("starts_at") and not errors.get("ends_at"):
        event.starts_at = min(start for _spec_, start, _end in built)
        event.ends_at = max(end for _spec_, _start, end in built)
        if event.ends_at - event.starts_at > LONGEST_LISTED_EVENT:
            error(
                "ends_at",
                _("An event can last at most %(days)s days. Host a longer one as several events.")
                % {"days": LONGEST_LISTED_EVENT.days},
            )

    # Under a campaign: the campaign is open and the event falls within its days.
    campaign = event.campaign
    times_changed = changed_shift_keys is None or bool(changed_shift_keys)
    if campaign is not None and (changed("campaign") or times_changed):
        if campaign.archived_at is not None and changed("campaign"):
            error("campaign", _("This campaign is closed to new events."))
        elif built and event.starts_at:
            first_day = timezone.localtime(event.starts_at, zone).date()
            if (campaign.starts_on and first_day < campaign.starts_on) or (
                campaign.ends_on and first_day > campaign.ends_on
            ):
                error("starts_at", _campaign_dates_message(campaign))

    if event.group_id is not None and changed("group") and not is_staff(actor):
        group = event.group
        is_member = GroupMembership.objects.filter(group=group, user=host).exists()
        if not is_member or (group is not None and group.archived_at is not None):
            error("group", _("You can only link an event to a group you belong to."))
    if event.is_official and changed("is_official") and not is_staff(actor):
        error("is_official", _("Only campaign staff can mark an event as official."))
    return errors, built


def _campaign_dates_message(campaign: EventCampaign) -> str:
    if campaign.starts_on and campaign.ends_on:
        return _("%(name)s runs from %(start)s to %(end)s: choose a day in between.") % {
            "name": campaign.name,
            "start": formats.date_format(campaign.starts_on, "DATE_FORMAT"),
            "end": formats.date_format(campaign.ends_on, "DATE_FORMAT"),
        }
    if campaign.starts_on:
        return _("%(name)s starts on %(start)s: choose that day or later.") % {
            "name": campaign.name,
            "start": formats.date_format(campaign.starts_on, "DATE_FORMAT"),
        }
    return _("%(name)s ends on %(end)s: choose that day or earlier.") % {
        "name": campaign.name,
        "end": formats.date_format(campaign.ends_on or "", "DATE_FORMAT"),
    }


def _shift_specs(
    *,
    shifts: Sequence[ShiftSpec | tuple[Any, ...]] | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    capacity: int | None,
) -> list[ShiftSpec]:
    if shifts is not None:
        return [_spec(value) for value in shifts]
    if starts_at is None or ends_at is None:
        return []
    return [ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=capacity)]
