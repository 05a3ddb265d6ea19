"""`rsvp_submit`: the one way in for an RSVP (the event page, the OSDI
record_attendance_helper). It matches the person, RSVPs them in one transaction, retries the
email race and keeps the idempotency key (decision 0024)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from groundswell.core.idempotency import (
    IdempotencyInFlight,
    IdempotencyMismatch,
    JsonObject,
    idempotent_run,
    request_fingerprint,
)
from groundswell.core.languages import language_supported
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.rsvp.services import RsvpResult, attendance_rsvp
from groundswell.people.models import Person
from groundswell.people.selectors import person_email_known
from groundswell.people.services import person_language_set, person_match_or_create

if TYPE_CHECKING:
    from groundswell.accounts.models import User

logger = logging.getLogger(__name__)


# --- The one way in: rsvp_submit ----------------------------------------------------------

RSVP_IDEMPOTENCY_SCOPE = "events.rsvp"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuestDetails:
    """What someone without an account gives to RSVP; their person is matched by email."""

    email: str
    given_name: str
    family_name: str
    postal_code: str


def _member_person(user: User, *, language: str) -> Person:
    """The member's person, with the language they use now recorded for their mail."""
    person = user.person
    if person is None:
        # Accounts made with createsuperuser have no Person yet: match one by their email.
        return person_match_or_create(
            email=user.email, overwrite=False, actor=user, language=language
        ).person
    if person.preferred_language != language_supported(language):
        person_language_set(person=person, language=language, actor=user)
    return person


def _rsvp_write(
    *,
    event: Event,
    shift: Shift | None,
    member: User | None,
    guest: GuestDetails | None,
    person: Person | None,
    referred_by: Person | None,
    source: str,
    language: str,
    actor: Any,
    expect_new: bool,
) -> RsvpResult:
    """rsvp_submit's person and RSVP, inside its transaction: a refused RSVP leaves no new
    person behind."""
    person_created = False
    if member is not None:
        person = _member_person(member, language=language)
    elif guest is not None:
        match = person_match_or_create(
            email=guest.email,
            fields={
                "given_name": guest.given_name,
                "family_name": guest.family_name,
                "postal_code": guest.postal_code,
                "country": event.country or "US",
            },
            overwrite=False,
            source=source or "rsvp",
            language=language,
            expect_new=expect_new,
        )
        person, person_created = match.person, match.created
    assert person is not None
    return attendance_rsvp(
        event=event,
        person=person,
        shift=shift,
        user=member,
        referred_by=referred_by,
        source=source,
        actor=actor,
        person_created=person_created,
    )


def _rsvp_replayed(stored: JsonObject) -> RsvpResult:
    """The first answer to a replayed key: its attendance, as an RSVP that already existed."""
    attendance = (
        Attendance.objects.select_related("person").filter(pk=stored["attendance_id"]).first()
    )
    if attendance is None:  # erased since: the first answer can't be shown again
        raise ValidationError(
            _("This form was already sent. Reload the page to send it again."),
            code="idempotency_mismatch",
        )
    return RsvpResult(
        attendance=attendance,
        created=False,
        waitlisted=attendance.status == Attendance.Status.WAITLISTED,
    )


def rsvp_submit(
    *,
    event: Event,
    shift: Shift | None,
    member: User | None = None,
    guest: GuestDetails | None = None,
    person: Person | None = None,
    referred_by: Person | None,
    source: str,
    language: str,
    actor: Any,
    idempotency_key: str | None = None,
) -> RsvpResult:
    """RSVP a member (their account's person), a guest (matched by email or created, never
    renamed) or a `person` the caller has matched already (the OSDI helper, whose match
    overwrites stored fields as Action Network's does), to `shift` (default: the event's
    first upcoming one). Exactly one of the three. See `attendance_rsvp` for the rules.

    The person and the RSVP are one transaction. For a guest, whether the email is known is
    read before it opens (on SQLite every other RSVP waits while it is open), so a new
    person is inserted without a lookup or a savepoint (decision 0017); if someone took the
    email in between, the insert is refused and the transaction runs again, matching them.

    `idempotency_key` (the form's hidden key): the first result is kept in the database
    with the RSVP, and the same key again returns that attendance with created=False,
    writing nothing. The same key with another request raises a ValidationError.
    """
    if sum(who is not None for who in (member, guest, person)) != 1:
        raise ValueError("rsvp_submit takes exactly one of member, guest and person")
    fingerprint = request_fingerprint(
        {
            "event": event.pk,
            "shift": shift.pk if shift is not None else None,
            "member": member.pk if member is not None else None,
            "guest": asdict(guest) if guest is not None else None,
            "person": person.pk if person is not None else None,
        }
    )
    write = partial(
        _rsvp_write,
        event=event,
        shift=shift,
        member=member,
        guest=guest,
        person=person,
        referred_by=referred_by,
        source=source,
        language=language,
        actor=actor,
    )

    def run(*, expect_new: bool) -> RsvpResult:
        return idempotent_run(
            scope=RSVP_IDEMPOTENCY_SCOPE,
            key=idempotency_key,
            fingerprint=fingerprint,
            work=partial(write, expect_new=expect_new),
            to_result=lambda result: {"attendance_id": result.attendance.pk},
            from_result=_rsvp_replayed,
        )

    # Read before the write transaction: on SQLite every other RSVP waits while it is open.
    expect_new = guest is not None and not person_email_known(guest.email)
    try:
        try:
            return run(expect_new=expect_new)
        except IntegrityError:
            if not expect_new:
                raise
            # Someone took this email between the check and the insert: again, matching it.
            return run(expect_new=False)
    except IdempotencyMismatch as error:
        raise ValidationError(
            _("This form was already sent with other answers. Reload the page to send it again."),
            code="idempotency_mismatch",
        ) from error
    except IdempotencyInFlight as error:
        raise ValidationError(
            _("This form is still being sent. Wait a moment, then reload the page."),
            code="idempotency_in_flight",
        ) from error
