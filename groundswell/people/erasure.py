"""Erasure: strip a Person of everything that identifies them, keep the row.

Records the campaign must keep (donations for campaign-finance reports, event attendance
counts) point at the Person; blanking the row in place leaves them de-identified instead of
dangling. Apps that store personal data of their own about a person (RSVP notes, canvass
answers) register an eraser from their AppConfig.ready():

    from groundswell.people.erasure import person_eraser_register
    person_eraser_register("events", rsvp_notes_erase)

Each eraser is called as `eraser(person=..., actor=...)` inside the erasing transaction,
before the Person is blanked, so it can still find its rows by person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from groundswell.core.audit import audit_record
from groundswell.people.models import Person

PersonEraser = Callable[..., None]
_ERASERS: dict[str, PersonEraser] = {}

# Fields blanked on erasure; everything else on Person is bookkeeping (dates, source, status).
ERASED_BLANK_FIELDS = (
    "given_name",
    "family_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
)


def person_eraser_register(name: str, eraser: PersonEraser) -> None:
    """Add an app's eraser; registering the same name twice with another function is an error."""
    existing = _ERASERS.get(name)
    if existing is not None and existing is not eraser:
        raise ImproperlyConfigured(f"A person eraser named {name!r} is already registered.")
    _ERASERS[name] = eraser


def person_erasers() -> dict[str, PersonEraser]:
    return dict(_ERASERS)


def person_erase(*, person: Person, actor: Any) -> Person:
    """Blank the person's names, address, email, phones, custom fields and tags; set erased_at.

    The audit row names only the person's id. Safe to call twice.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        for eraser in _ERASERS.values():
            eraser(person=person, actor=actor)
        person.phone_numbers.all().delete()
        person.taggings.all().delete()
        for name in ERASED_BLANK_FIELDS:
            setattr(person, name, "")
        person.email = None
        person.email_status = Person.EmailStatus.UNSUBSCRIBED
        person.latitude = person.longitude = None
        person.languages_spoken = []
        person.preferred_language = ""
        person.custom_fields = {}
        person.erased_at = timezone.now()
        person.save()
        # The admin's history shows str(person) (a name or an email) for past edits.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
        ).update(object_repr=f"person {person.pk} (erased)")
        audit_record(actor=actor, action="person.erase", subject=person)
    return person
