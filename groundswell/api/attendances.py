"""OSDI attendances: an event's RSVPs, one of them, and the record attendance helper.

Reads go through the RSVP selectors, writes through the RSVP services
(groundswell.events.rsvp); the event is fetched as in api/events.py (one 404 for missing and
hidden). See docs/api.md, "Events and attendances".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from groundswell.api.auth import api_actor
from groundswell.api.errors import MAX_ID, ApiError, ErrorOut
from groundswell.api.events import EXT, WRITE_ERRORS, _event_or_404, _invalid, _with_curies
from groundswell.api.hal import CollectionOut, Hal, PageQuery, collection, identifiers, paginate
from groundswell.api.people import PersonIn, _domain_input
from groundswell.events.models import Attendance
from groundswell.events.rsvp.selectors import (
    event_attendance_for_person,
    event_attendance_get,
    event_attendances,
    event_shift_get,
)
from groundswell.events.rsvp.services import attendance_cancel, rsvp_submit
from groundswell.people.services import person_match_or_create

# The same tag as the events: OSDI files attendances under their event. The operation ids
# keep the names they had when these routes were in api/events.py (clients generated from the
# schema call them by these names).
router = Router(tags=["events"])
OPERATION_PREFIX = "groundswell_api_events_"

OSDI_ATTENDANCE_STATUS: dict[str, str] = {
    Attendance.Status.CONFIRMED: "accepted",
    Attendance.Status.WAITLISTED: "tentative",
    Attendance.Status.CANCELLED: "declined",
}
PERSON_FIELD_NAMES = {
    "email": "person.email_addresses",
    "email_addresses": "person.email_addresses",
    "address_line": "person.postal_addresses",
    "locality": "person.postal_addresses",
    "region": "person.postal_addresses",
    "postal_code": "person.postal_addresses",
    "country": "person.postal_addresses",
    "__all__": "person",
}


# --- Schemas -------------------------------------------------------------------------------


class ReferrerDataOut(Schema):
    source: str
    referrer: str | None


class AttendanceOut(Schema):
    identifiers: list[str]
    status: str
    created_date: datetime
    modified_date: datetime
    attended: bool | None
    referrer_data: ReferrerDataOut
    waitlisted: bool = Field(..., alias="groundswell:waitlisted")
    shift_id: int = Field(..., alias="groundswell:shift_id")
    links: dict[str, Any] = Field(..., alias="_links")


class AttendancesEmbedded(Schema):
    attendances: list[AttendanceOut] = Field(..., alias="osdi:attendances")


class AttendanceCollectionOut(CollectionOut):
    embedded: AttendancesEmbedded = Field(..., alias="_embedded")


class ReferrerDataIn(Schema):
    source: str | None = Field(None, max_length=100)


class RecordAttendanceIn(Schema):
    person: PersonIn
    status: Literal["accepted", "declined"] | None = Field(
        None, description="`declined` cancels the person's RSVP; default `accepted`."
    )
    shift_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        alias="groundswell:shift_id",
        description="Default: the event's next time slot.",
    )
    referrer_data: ReferrerDataIn | None = None


# --- Resources -----------------------------------------------------------------------------


def attendance_resource(hal: Hal, attendance: Attendance) -> dict[str, Any]:
    return {
        "identifiers": identifiers(attendance),
        "status": OSDI_ATTENDANCE_STATUS.get(attendance.status, "tentative"),
        "created_date": attendance.created_at,
        "modified_date": attendance.updated_at,
        "attended": attendance.attended,
        "referrer_data": {
            "source": attendance.source,
            "referrer": (
                f"{EXT}:{attendance.referred_by_id}" if attendance.referred_by_id else None
            ),
        },
        f"{EXT}:waitlisted": attendance.status == Attendance.Status.WAITLISTED,
        f"{EXT}:shift_id": attendance.shift_id,
        "_links": {
            "self": hal.link(f"events/{attendance.event_id}/attendances/{attendance.pk}"),
            "osdi:person": hal.link(f"people/{attendance.person_id}"),
            "osdi:event": hal.link(f"events/{attendance.event_id}"),
        },
    }


# --- Attendances ---------------------------------------------------------------------------


@router.get(
    "/events/{int:event_id}/attendances",
    response={200: AttendanceCollectionOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="events_attendances",
    operation_id=f"{OPERATION_PREFIX}events_attendances",
    summary="List an event's attendances",
)
def events_attendances(request: HttpRequest, event_id: int, paging: PageQuery):
    """Every RSVP to the event in id order: `accepted` (going), `tentative` (on the
    waitlist, with `groundswell:waitlisted: true`) or `declined` (cancelled)."""
    event = _event_or_404(request, event_id)
    hal = Hal(request)
    return collection(
        hal,
        paginate(event_attendances(event=event), paging),
        rel="osdi:attendances",
        item=lambda attendance: attendance_resource(hal, attendance),
    )


@router.get(
    "/events/{int:event_id}/attendances/{int:attendance_id}",
    response={200: AttendanceOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="events_attendance_detail",
    operation_id=f"{OPERATION_PREFIX}events_attendance_detail",
    summary="Get an attendance",
)
def events_attendance_detail(request: HttpRequest, event_id: int, attendance_id: int):
    event = _event_or_404(request, event_id)
    attendance = event_attendance_get(event=event, attendance_id=attendance_id)
    if attendance is None:
        raise Http404
    hal = Hal(request)
    return _with_curies(hal, attendance_resource(hal, attendance))


@router.post(
    "/events/{int:event_id}/record_attendance_helper",
    response={200: AttendanceOut, 404: ErrorOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="events_record_attendance_helper",
    operation_id=f"{OPERATION_PREFIX}events_record_attendance_helper",
    summary="Record attendance helper",
)
def events_record_attendance_helper(
    request: HttpRequest, event_id: int, payload: RecordAttendanceIn
):
    """Match the person by email (or create them; given fields overwrite stored ones, as the
    signup helper does), then RSVP them. Recording the same person twice returns the same
    attendance. A full event puts them on the waitlist: `status` is then `tentative` and
    `groundswell:waitlisted` is true. `status: declined` cancels their RSVP."""
    actor = api_actor(request)
    event = _event_or_404(request, event_id)
    shift = None
    if payload.shift_id is not None:
        shift = event_shift_get(event=event, shift_id=payload.shift_id)
        if shift is None:
            raise ApiError(
                422,
                _("The request body is not valid."),
                {f"{EXT}:shift_id": [_("That time slot is not part of this event.")]},
            )
    try:
        data = _domain_input(payload.person)
        if data["email"] is None:
            raise ValidationError(
                {"email_addresses": _("An email address is required to record an attendance.")}
            )
        person = person_match_or_create(**data, source="api", overwrite=True, actor=actor).person
    except ValidationError as exc:
        raise _invalid(exc, PERSON_FIELD_NAMES) from exc

    try:
        if payload.status == "declined":
            attendance = event_attendance_for_person(
                event=event, person_id=person.pk, shift_id=shift.pk if shift else None
            )
            if attendance is None:
                raise ValidationError({"status": _("This person has no RSVP to this event.")})
            attendance = attendance_cancel(attendance=attendance, actor=actor)
        else:
            source = payload.referrer_data.source if payload.referrer_data else None
            # The person was matched above, on its own: this match overwrites stored fields
            # (the signup helper's rule, unlike a guest RSVP's), its errors name person
            # fields, and a refused RSVP still records the person, as before.
            attendance = rsvp_submit(
                event=event,
                shift=shift,
                person=person,
                referred_by=None,
                source=source or "api",
                language="",
                actor=actor,
            ).attendance
    except ValidationError as exc:
        raise _invalid(exc, {"__all__": "event"}) from exc
    hal = Hal(request)
    return _with_curies(hal, attendance_resource(hal, attendance))
