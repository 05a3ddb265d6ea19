"""Reads on people, tags and taggings, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower

from groundswell.people.models import Person, PhoneNumber, Tag, Tagging, name_key

# Ids above a signed 64-bit integer can't exist, and PostgreSQL refuses to compare with them.
_MAX_ID = 2**63 - 1


def person_email_known(email: str) -> bool:
    """Whether someone has this email (any case), read without a lock: a hint for
    `person_match_or_create(expect_new=...)`, taken before a write transaction opens."""
    return person_by_email_qs((email or "").strip()).exists()


def person_by_email_qs(email: str) -> QuerySet[Person]:
    """People with this (already normalised) email.

    Filters on lower(email), and on email being set, so both PostgreSQL and SQLite answer
    from the partial case-insensitive unique index instead of scanning millions of rows.
    """
    return Person.objects.alias(email_lower=Lower("email")).filter(
        email_lower=email.lower(), email__isnull=False
    )


@dataclass(frozen=True)
class PersonFilter:
    """What a list of people may be narrowed by (the API's OData filter maps onto this)."""

    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    postal_code: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None


def person_list(*, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """Live (not erased) people in a stable order, phone numbers prefetched.

    Ordered by id: stable across pages and ready for keyset paging (`id > last_id`) when
    OFFSET stops being cheap enough.
    """
    f = filters or PersonFilter()
    qs = person_by_email_qs(f.email) if f.email is not None else Person.objects.all()
    qs = qs.filter(erased_at__isnull=True)
    if f.given_name is not None:
        qs = qs.filter(given_name__iexact=f.given_name)
    if f.family_name is not None:
        qs = qs.filter(family_name__iexact=f.family_name)
    if f.postal_code is not None:
        qs = qs.filter(postal_code=f.postal_code.strip().upper())
    if f.created_after is not None:
        qs = qs.filter(created_at__gt=f.created_after)
    if f.created_before is not None:
        qs = qs.filter(created_at__lt=f.created_before)
    if f.modified_after is not None:
        qs = qs.filter(modified_at__gt=f.modified_after)
    if f.modified_before is not None:
        qs = qs.filter(modified_at__lt=f.modified_before)
    return qs.order_by("id").prefetch_related(_phones_prefetch())


def _phones_prefetch() -> Prefetch:
    return Prefetch("phone_numbers", queryset=PhoneNumber.objects.order_by("-primary", "id"))


def person_get(*, person_id: int) -> Person | None:
    """One live person with phone numbers, or None (missing and erased look the same)."""
    if not 0 < person_id <= _MAX_ID:
        return None
    return (
        Person.objects.filter(pk=person_id, erased_at__isnull=True)
        .prefetch_related(_phones_prefetch())
        .first()
    )


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("id")


def tag_get(*, tag_id: int) -> Tag | None:
    if not 0 < tag_id <= _MAX_ID:
        return None
    return Tag.objects.filter(pk=tag_id).first()


def tags_by_names(*, names: list[str]) -> list[Tag]:
    """Existing tags matching these names case-insensitively; unknown names are skipped."""
    wanted = {name_key(name.strip()) for name in names if name and name.strip()}
    if not wanted:
        return []
    return list(Tag.objects.filter(name_key__in=wanted).order_by("id"))


def tagging_list_for_tag(*, tag: Tag) -> QuerySet[Tagging]:
    return Tagging.objects.filter(tag=tag, person__erased_at__isnull=True).order_by("id")


def tagging_list_for_person(*, person: Person) -> QuerySet[Tagging]:
    return Tagging.objects.filter(person=person).order_by("id")


def tagging_get(*, tag: Tag, tagging_id: int) -> Tagging | None:
    if not 0 < tagging_id <= _MAX_ID:
        return None
    return Tagging.objects.filter(tag=tag, pk=tagging_id).first()


def person_has_login(*, person: Person) -> bool:
    """Whether a member account points at this person (its email is then the login's)."""
    return Person.objects.filter(pk=person.pk, user__isnull=False).exists()
