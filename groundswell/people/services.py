"""Writes on people. One human, one Person: every path that learns an email meets here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.core.audit import audit_record
from groundswell.core.languages import language_supported
from groundswell.geo.selectors import postal_code_find
from groundswell.people.models import Person, PhoneNumber, Tag, Tagging, name_key
from groundswell.people.phones import phone_normalize
from groundswell.people.selectors import person_by_email_qs, tags_by_names

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
    "email_status",
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


@dataclass(frozen=True)
class PhoneNumberInput:
    """A phone number as a caller gives it; `None` means "leave as it is"."""

    number: str
    number_type: str | None = None
    primary: bool | None = None
    do_not_call: bool | None = None
    # Consent to text messages (Action Network's mobile `status`: subscribed/unsubscribed).
    sms_opted_in: bool | None = None


def _apply_fields(person: Person, fields: dict[str, Any], *, only_blank: bool) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in PERSON_FIELDS or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
        if name in {"postal_code", "country"}:
            value = value.upper()
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


def _custom_fields_merge(current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Given keys replace stored ones; a key given as null is removed."""
    merged = {**current, **new}
    return {key: value for key, value in merged.items() if value is not None}


def _phones_normalize(phones: Sequence[PhoneNumberInput]) -> list[PhoneNumberInput]:
    """E.164 numbers, checked before anything is written (one error lists every bad number)."""
    normalized, errors = [], []
    for phone in phones:
        try:
            number = phone_normalize(phone.number)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if phone.number_type is not None and phone.number_type not in PhoneNumber.NumberType:
            errors.append(_("“%(type)s” is not a phone number type.") % {"type": phone.number_type})
            continue
        normalized.append(
            PhoneNumberInput(
                number=number,
                number_type=phone.number_type,
                primary=phone.primary,
                do_not_call=phone.do_not_call,
                sms_opted_in=phone.sms_opted_in,
            )
        )
    if errors:
        raise ValidationError({"phone_numbers": errors})
    return normalized


def _phones_apply(
    person: Person, phones: Sequence[PhoneNumberInput], *, only_new: bool, source: str
) -> bool:
    """Add or update the person's numbers (never removes one). Returns whether any changed.

    With `only_new`, existing numbers keep their settings (a guest RSVP must not change a
    member's preferences); new numbers are still added.
    """
    if not phones:
        return False
    existing = {phone.number: phone for phone in person.phone_numbers.all()}
    changed = False
    now = timezone.now()
    for given in phones:
        phone = existing.get(given.number)
        if phone is None:
            phone = PhoneNumber(person=person, number=given.number)
            existing[given.number] = phone
        elif only_new:
            continue
        before = (phone.number_type, phone.primary, phone.do_not_call, phone.sms_opted_in)
        if given.number_type is not None:
            phone.number_type = given.number_type
        if given.primary is not None:
            phone.primary = given.primary
        if given.do_not_call is not None:
            phone.do_not_call = given.do_not_call
        if given.sms_opted_in is not None and given.sms_opted_in != phone.sms_opted_in:
            phone.sms_opted_in = given.sms_opted_in
            phone.consent_source, phone.consent_at = source[:100], now
        after = (phone.number_type, phone.primary, phone.do_not_call, phone.sms_opted_in)
        if phone.pk is None or before != after:
            phone.save()
            changed = True
        if phone.primary:
            # One primary number: the one just marked wins.
            person.phone_numbers.exclude(pk=phone.pk).filter(primary=True).update(primary=False)
            for other in existing.values():
                if other is not phone:
                    other.primary = False
    if not any(phone.primary for phone in existing.values()):
        first = min(existing.values(), key=lambda phone: phone.pk)
        PhoneNumber.objects.filter(pk=first.pk).update(primary=True)
        changed = True
    return changed


def person_match_or_create(
    *,
    email: str,
    fields: dict[str, Any] | None = None,
    custom_fields: dict[str, Any] | None = None,
    phone_numbers: Sequence[PhoneNumberInput] | None = None,
    source: str | None = None,
    overwrite: bool = True,
    language: str = "",
    actor: Any = None,
    expect_new: bool = False,
) -> PersonMatch:
    """Find the Person with this email (case-insensitive) or create one; never a duplicate.

    With `overwrite`, given values replace stored ones (Action Network's signup helper does
    this); without it they only fill blanks (a non-member RSVP must not rename a member).
    `source` is recorded only where none is stored yet. `language` is the one the person is
    using with us now (the request's, `translation.get_language()`): whatever `overwrite`
    says, it replaces the stored `preferred_language`, as the latest they used; "" or a
    language the site doesn't speak leaves it. Safe under concurrent calls: the unique index
    on lower(email) decides, and the loser of the race updates the winner's row.

    `expect_new`: the caller has just read that nobody has this email (`person_email_known`,
    outside its transaction), so the person is inserted without a lookup first, which keeps
    that read out of a write transaction others wait for, and without a savepoint. If
    someone took the email in the meantime, the unique index refuses the insert and the
    IntegrityError reaches the caller (its transaction can't go on): it runs the transaction
    again with `expect_new=False`.
    """
    email = email_normalize(email)
    language = language_supported(language)
    fields = dict(fields or {})
    phones = _phones_normalize(phone_numbers or [])
    for attempt in range(2):
        # An insert expected to be new takes no savepoint: two round trips fewer in a
        # transaction others may wait for; a refused insert goes to the caller (expect_new).
        bare = expect_new and not attempt
        try:
            with transaction.atomic(savepoint=not bare):
                if expect_new and not attempt:
                    person = None
                else:
                    person = person_by_email_qs(email).select_for_update().first()
                created = person is None
                if person is None:
                    person = Person(email=email)
                changed = _apply_fields(person, fields, only_blank=not overwrite and not created)
                if source and not person.source:
                    person.source = source.strip()[:100]
                    changed.append("source")
                if language and person.preferred_language != language:
                    person.preferred_language = language
                    changed.append("preferred_language")
                if custom_fields:
                    merged = _custom_fields_merge(person.custom_fields, custom_fields)
                    if merged != person.custom_fields:
                        person.custom_fields = merged
                        changed.append("custom_fields")
                person.full_clean(exclude=["latitude", "longitude"], validate_constraints=False)
                if created:
                    person.save()
                elif changed:
                    person.save(update_fields=[*set(changed), "modified_at"])
                phones_changed = _phones_apply(
                    person, phones, only_new=not overwrite and not created, source=source or ""
                )
                if phones_changed and not created and not changed:
                    person.save(update_fields=["modified_at"])
                if created:
                    audit_record(actor=actor, action="person.create", subject=person)
                elif changed or phones_changed:
                    audit_record(
                        actor=actor,
                        action="person.update",
                        subject=person,
                        details={
                            "fields": sorted(
                                set(changed) | ({"phone_numbers"} if phones_changed else set())
                            )
                        },
                    )
                return PersonMatch(person=person, created=created)
        except IntegrityError:
            if attempt or bare:
                raise
    raise AssertionError("unreachable")


def person_update(
    *,
    person: Person,
    fields: dict[str, Any],
    email: str | None = None,
    custom_fields: dict[str, Any] | None = None,
    phone_numbers: Sequence[PhoneNumberInput] | None = None,
    source: str = "",
    actor: Any = None,
) -> Person:
    """Change the given fields only (partial update); phone numbers are added or updated.

    `source` says where the change came from; it is recorded with any SMS consent given.
    """
    phones = _phones_normalize(phone_numbers or [])
    if email is not None:
        email = email_normalize(email)
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=person.pk)
            changed = _apply_fields(person, fields, only_blank=False)
            if email is not None and email != person.email:
                if person_by_email_qs(email).exclude(pk=person.pk).exists():
                    raise ValidationError(
                        {"email": _("Another person already has this email address.")}
                    )
                person.email = email
                changed.append("email")
            if custom_fields:
                merged = _custom_fields_merge(person.custom_fields, custom_fields)
                if merged != person.custom_fields:
                    person.custom_fields = merged
                    changed.append("custom_fields")
            if _phones_apply(person, phones, only_new=False, source=source):
                changed.append("phone_numbers")
            if changed:
                person.full_clean(exclude=["latitude", "longitude"], validate_constraints=False)
                person.save(update_fields=[*(set(changed) - {"phone_numbers"}), "modified_at"])
                audit_record(
                    actor=actor,
                    action="person.update",
                    subject=person,
                    details={"fields": sorted(set(changed))},
                )
    except IntegrityError as exc:
        # Another transaction took the email between our check and our write.
        raise ValidationError(
            {"email": _("Another person already has this email address.")}
        ) from exc
    return person


def person_language_set(*, person: Person, language: str, actor: Any = None) -> Person:
    """Record the language the person just chose on the site; their mail follows it.

    `language` is kept as the site's code for it ("fr-ca" -> "fr"); "" or a language the
    site doesn't speak changes nothing. One conditional UPDATE: choosing the language already
    stored writes nothing (no audit row either).
    """
    language = language_supported(language)
    if not language:
        return person
    with transaction.atomic():
        updated = (
            Person.objects.filter(pk=person.pk)
            .exclude(preferred_language=language)
            .update(preferred_language=language, modified_at=timezone.now())
        )
        if updated:
            audit_record(
                actor=actor,
                action="person.update",
                subject=person,
                details={"fields": ["preferred_language"]},
            )
    person.preferred_language = language
    return person


def person_signup(
    *,
    email: str,
    fields: dict[str, Any] | None = None,
    custom_fields: dict[str, Any] | None = None,
    phone_numbers: Sequence[PhoneNumberInput] | None = None,
    add_tags: Sequence[str] = (),
    source: str = "api",
    actor: Any = None,
) -> PersonMatch:
    """Action Network's person signup helper: match by email or create, then tag.

    Given values overwrite stored ones. Tags are matched to existing tags by name
    (case-insensitive); names with no tag are ignored, as Action Network does.
    """
    with transaction.atomic(durable=True):
        match = person_match_or_create(
            email=email,
            fields=fields,
            custom_fields=custom_fields,
            phone_numbers=phone_numbers,
            source=source,
            overwrite=True,
            actor=actor,
        )
        for tag in tags_by_names(names=list(add_tags)):
            tagging_add(tag=tag, person=match.person, actor=actor)
    return match


def tag_create(*, name: str, actor: Any = None) -> Tag:
    """The tag with this name (case-insensitive), created if there is none yet."""
    name = (name or "").strip()
    tag = Tag(name=name)
    tag.full_clean(validate_constraints=False)
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = Tag.objects.filter(name_key=name_key(name)).first()
                if existing is not None:
                    return existing
                tag.save()
                audit_record(actor=actor, action="tag.create", subject=tag, details={"name": name})
                return tag
        except IntegrityError:
            tag.pk = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def tagging_add(*, tag: Tag, person: Person, actor: Any = None) -> Tagging:
    """Tag a person; tagging twice is a no-op returning the first tagging."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = Tagging.objects.filter(tag=tag, person=person).first()
                if existing is not None:
                    return existing
                tagging = Tagging.objects.create(tag=tag, person=person)
                audit_record(
                    actor=actor,
                    action="tagging.add",
                    subject=tagging,
                    details={"tag_id": tag.pk, "person_id": person.pk},
                )
                return tagging
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def tagging_remove(*, tagging: Tagging, actor: Any = None) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="tagging.remove",
            subject=tagging,
            details={"tag_id": tagging.tag_id, "person_id": tagging.person_id},
        )
        Tagging.objects.filter(pk=tagging.pk).delete()
