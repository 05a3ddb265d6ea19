"""Writes on people. One human, one Person: every path that learns an email meets here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from groundswell.core.audit import audit_record
from groundswell.geo.selectors import postal_code_find
from groundswell.people.models import Person

# Fields a caller may set on a Person through person_match_or_create / person_update.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "country",
    "languages_spoken",
    "source",
)


def email_normalize(email: str) -> str:
    email = (email or "").strip().lower()
    validate_email(email)
    return email


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    created: bool


def _apply_fields(person: Person, fields: dict[str, Any], *, only_blank: bool) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in PERSON_FIELDS or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
        if only_blank and getattr(person, name):
            continue
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if "postal_code" in changed or "country" in changed:
        _geocode(person)
        changed += ["latitude", "longitude"]
    return changed


def _geocode(person: Person) -> None:
    found = postal_code_find(country=person.country or "US", code=person.postal_code)
    person.latitude = found.latitude if found else None
    person.longitude = found.longitude if found else None


def person_match_or_create(
    *,
    email: str,
    fields: dict[str, Any] | None = None,
    custom_fields: dict[str, Any] | None = None,
    overwrite: bool = True,
    actor: Any = None,
) -> PersonMatch:
    """Find the Person with this email (case-insensitive) or create one; never a duplicate.

    With `overwrite`, given values replace stored ones (Action Network's signup helper does
    this); without it they only fill blanks (a non-member RSVP must not rename a member).
    Safe under concurrent calls: the unique index on lower(email) decides, and the loser
    of the race updates the winner's row.
    """
    email = email_normalize(email)
    fields = dict(fields or {})
    for attempt in range(2):
        try:
            with transaction.atomic():
                person = Person.objects.select_for_update().filter(email=email).first()
                created = person is None
                if person is None:
                    person = Person(email=email)
                changed = _apply_fields(person, fields, only_blank=not overwrite and not created)
                if custom_fields:
                    person.custom_fields = {**person.custom_fields, **custom_fields}
                    changed.append("custom_fields")
                person.full_clean(exclude=["latitude", "longitude"])
                if created:
                    person.save()
                    audit_record(actor=actor, action="person.create", subject=person)
                elif changed:
                    person.save(update_fields=[*set(changed), "modified_at"])
                return PersonMatch(person=person, created=created)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def person_update(
    *,
    person: Person,
    fields: dict[str, Any],
    email: str | None = None,
    custom_fields: dict[str, Any] | None = None,
    actor: Any = None,
) -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = _apply_fields(person, fields, only_blank=False)
        if email is not None:
            email = email_normalize(email)
            if email != person.email:
                if Person.objects.filter(email=email).exclude(pk=person.pk).exists():
                    raise ValidationError({"email": "Another person already has this email address."})
                person.email = email
                changed.append("email")
        if custom_fields:
            person.custom_fields = {**person.custom_fields, **custom_fields}
            changed.append("custom_fields")
        if changed:
            person.full_clean(exclude=["latitude", "longitude"])
            person.save(update_fields=[*set(changed), "modified_at"])
            audit_record(actor=actor, action="person.update", subject=person, details={"fields": sorted(set(changed))})
        return person
