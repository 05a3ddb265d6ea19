"""Reads on member accounts and profiles, each in a fixed number of queries.

`account_export` assembles "Download my data" from a registry of sections. Apps that keep
data about a member add a section from their AppConfig.ready(), so this module never imports
them (the arrows keep pointing from events/donations to accounts):

    from groundswell.accounts.selectors import export_section_register
    export_section_register("event_rsvps", rsvps_for_export)

A section is a function `section(*, user) -> JSON-serialisable data` (dates and datetimes
are fine; the view encodes them as ISO 8601). Keep each section to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from groundswell.accounts.models import Profile, User
from groundswell.accounts.policies import profile_for_viewer
from groundswell.core.models import AuditEntry
from groundswell.geo.models import PostalCode
from groundswell.people.models import Person, Tagging

EXPORT_FORMAT = "groundswell.account-export"
EXPORT_VERSION = 1


# --- Profiles -----------------------------------------------------------------------------


def profile_page(*, viewer: Any, user_id: int) -> Profile:
    """A member's profile for their public page, in one query, or the policy's 404.

    Annotates `place_name` and `place_region` (city and state of the postal code's centroid):
    the page shows the place, never the postal code or an address.
    """
    place = PostalCode.objects.filter(country=OuterRef("country"), code=OuterRef("postal_code"))
    queryset = Profile.objects.select_related("user", "user__person").annotate(
        place_name=Subquery(place.values("place_name")[:1]),
        place_region=Subquery(place.values("admin1")[:1]),
    )
    return profile_for_viewer(viewer, user_id, queryset=queryset)


def profile_for_owner(*, user: User) -> Profile:
    """The member's own profile with their person, or an unsaved blank one (accounts made by
    `createsuperuser` before profiles existed); profile_update creates it on first save."""
    profile = Profile.objects.select_related("user", "user__person").filter(user=user).first()
    return profile if profile is not None else Profile(user=user)


# --- Download my data ---------------------------------------------------------------------

ExportSection = Callable[..., Any]
_EXPORT_SECTIONS: dict[str, ExportSection] = {}


def export_section_register(name: str, section: ExportSection) -> None:
    """Add a section to every member's export under the key `name`."""
    if name in {"format", "version", "generated_at"}:
        raise ImproperlyConfigured(f"{name!r} is reserved in the account export.")
    existing = _EXPORT_SECTIONS.get(name)
    if existing is not None and existing is not section:
        raise ImproperlyConfigured(f"An export section named {name!r} is already registered.")
    _EXPORT_SECTIONS[name] = section


def export_sections() -> dict[str, ExportSection]:
    return dict(_EXPORT_SECTIONS)


def account_export(*, user: User) -> dict[str, Any]:
    """Everything the campaign holds about `user`, one key per registered section."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
    }
    for name, section in _EXPORT_SECTIONS.items():
        data[name] = section(user=user)
    return data


def _fields(instance: Any, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.attname not in exclude
    }


def _account_section(*, user: User) -> dict[str, Any]:
    authenticators = Authenticator.objects.filter(user=user).order_by("created_at")
    return {
        "id": user.pk,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "staff_role": user.staff_role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "has_password": user.has_usable_password(),
        # Which second factors are set up, never their secrets.
        "two_factor_authenticators": [
            {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
            for a in authenticators
        ],
    }


def _email_addresses_section(*, user: User) -> list[dict[str, Any]]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def _person_section(*, user: User) -> dict[str, Any] | None:
    if user.person_id is None:
        return None
    person = (
        Person.objects.filter(pk=user.person_id)
        .prefetch_related(
            "phone_numbers",
            Prefetch(
                "taggings", queryset=Tagging.objects.select_related("tag").order_by("tag__name")
            ),
        )
        .first()
    )
    if person is None:
        return None
    return {
        **_fields(person),
        "phone_numbers": [
            _fields(phone, exclude=("id", "person_id")) for phone in person.phone_numbers.all()
        ],
        "tags": [tagging.tag.name for tagging in person.taggings.all()],
    }


def _profile_section(*, user: User) -> dict[str, Any] | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    data = _fields(profile, exclude=("id", "user_id", "photo", "photo_thumbnail"))
    data["photo_url"] = profile.photo.url if profile.photo else None
    data["photo_thumbnail_url"] = profile.photo_thumbnail.url if profile.photo_thumbnail else None
    return data


def _audit_section(*, user: User) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(actor=user).order_by("created_at", "pk")
    return [
        {
            "created_at": entry.created_at,
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "details": entry.details,
        }
        for entry in entries
    ]


export_section_register("account", _account_section)
export_section_register("email_addresses", _email_addresses_section)
export_section_register("person", _person_section)
export_section_register("profile", _profile_section)
export_section_register("audit_log", _audit_section)
