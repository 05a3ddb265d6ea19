"""Writes on member accounts and profiles.

Each use case opens `transaction.atomic()` and writes its audit row inside it. Not
`durable=True`: the admin (which saves inside its own transaction), demo seeding and other
services compose these, and the only after-commit work here (deleting replaced photo files)
is correct under an outer transaction too.
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from collections.abc import Iterable
from functools import cache
from importlib import import_module
from typing import IO, Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groundswell.accounts.models import Profile, User
from groundswell.accounts.photos import photo_process
from groundswell.accounts.profile import profile_geocode
from groundswell.core.audit import audit_record
from groundswell.core.pagecache import anonymous_cache_invalidate
from groundswell.people.erasure import person_erase
from groundswell.people.services import (
    email_normalize,
    person_language_set,
    person_match_or_create,
    person_update,
)

logger = logging.getLogger(__name__)


def _profile_page_invalidate(user_id: int) -> None:
    """Anonymous visitors may be shown a cached copy of the member's page (decision 0007):
    every change the page shows drops it, in the changing transaction and after commit."""
    anonymous_cache_invalidate(reverse("member_profile", args=[user_id]))


def member_finish_signup(*, user: User, language: str = "") -> User:
    """Save a new login made by the sign-up form and attach it to its Person.

    A person who already signed up through the API or RSVP'd as a guest keeps that record:
    the account points at it instead of creating a second one. `language` is the one the
    sign-up form was used in; it becomes the Person's preferred language (their mail's).
    """
    with transaction.atomic():
        user.email = email_normalize(user.email)
        match = person_match_or_create(
            email=user.email, fields={"source": "signup"}, overwrite=False, language=language
        )
        user.person = match.person
        user.save()
        Profile.objects.create(user=user)
        audit_record(actor=user, action="member.signup", subject=user)
    return user


def member_language_set(*, user: User, language: str) -> None:
    """The member chose a language on the site (the footer's switcher): their Person keeps
    it, so their mail follows. Registered in core.languages by AccountsConfig.ready()."""
    if user.person is not None:
        person_language_set(person=user.person, language=language, actor=user)


def member_create(
    *,
    email: str,
    password: str,
    postal_code: str = "",
    given_name: str = "",
    family_name: str = "",
    staff_role: str = "",
    actor: Any = None,
) -> User:
    """Create an already-verified member (operators' scripts, demo data).

    The display name stays blank, so the profile shows "Given F." until the member picks one.
    """
    email = email_normalize(email)
    if staff_role not in User.StaffRole.values:
        raise ValidationError({"staff_role": _("Unknown staff role.")})
    with transaction.atomic():
        user = User(email=email, staff_role=staff_role, is_staff=bool(staff_role))
        validate_password(password, user)
        user.set_password(password)
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": _("A member with this email address already exists.")})
        match = person_match_or_create(
            email=email,
            fields={
                "given_name": given_name,
                "family_name": family_name,
                "postal_code": postal_code,
                "source": "admin",
            },
            overwrite=False,
        )
        user.person = match.person
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        profile = Profile.objects.create(user=user)
        if postal_code:
            profile_geocode(profile=profile, postal_code=postal_code, country="US")
            profile.save()
        audit_record(
            actor=actor, action="member.create", subject=user, details={"staff_role": staff_role}
        )
    return user


def member_access_update(
    *, user: User, staff_role: str, is_active: bool, is_superuser: bool, actor: Any
) -> User:
    """Change a member's staff role and active flag (the admin's change form calls this).

    `is_staff` follows the role: organizers and HQ get the staff pages, supporters don't.
    """
    if staff_role not in User.StaffRole.values:
        raise ValidationError({"staff_role": _("Unknown staff role.")})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {
            "staff_role": user.staff_role,
            "is_active": user.is_active,
            "is_superuser": user.is_superuser,
        }
        user.staff_role = staff_role
        user.is_active = is_active
        user.is_superuser = is_superuser
        user.is_staff = bool(staff_role) or is_superuser
        after = {"staff_role": staff_role, "is_active": is_active, "is_superuser": is_superuser}
        if after != before:
            user.save(update_fields=["staff_role", "is_active", "is_superuser", "is_staff"])
            _profile_page_invalidate(user.pk)
            audit_record(
                actor=actor,
                action="member.access_update",
                subject=user,
                details={"before": before, "after": after},
            )
    return user


# --- Profile ------------------------------------------------------------------------------


@cache
def time_zones_available() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows (reading them walks the tz database, so once)."""
    return frozenset(zoneinfo.available_timezones())


def _choices_clean(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    """Known values only, each once, in the order of the choices."""
    allowed = list(allowed)
    values = set(values)
    unknown = values - set(allowed)
    if unknown:
        raise ValidationError(
            {field: _("Unknown choice: %(values)s") % {"values": ", ".join(sorted(unknown))}}
        )
    return [value for value in allowed if value in values]


def _profile_locked(user: User) -> Profile:
    profile = Profile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = Profile.objects.create(user=user)
    return profile


def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    postal_code: str,
    country: str,
    interests: list[str],
    languages: list[str],
    time_zone: str,
    privacy: str,
    given_name: str | None = None,
    family_name: str | None = None,
) -> Profile:
    """Save the member's profile; names, a new postal code and languages also go to their Person.

    `given_name`/`family_name` of None leave the Person's names alone. An unknown postal
    code raises ValidationError({"postal_code": ...}) and nothing is saved.
    """
    country = (country or "US").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError({"country": _("Enter a two-letter country code, such as US.")})
    if time_zone not in time_zones_available():
        raise ValidationError({"time_zone": _("Choose a time zone from the list.")})
    interests = _choices_clean(interests, Profile.Interest.values, "interests")
    languages = _choices_clean(languages, Profile.Language.values, "languages")
    bio = (bio or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    bio_max = Profile._meta.get_field("bio").max_length or 1000
    if len(bio) > bio_max:
        # A TextField's max_length is not checked by full_clean(), only by forms.
        raise ValidationError(
            {"bio": _("Keep your bio to %(max)d characters or fewer.") % {"max": bio_max}}
        )

    with transaction.atomic():
        profile = _profile_locked(user)
        before = {name: getattr(profile, name) for name in _PROFILE_AUDITED}
        profile.display_name = (display_name or "").strip()
        profile.bio = bio
        profile.interests = interests
        profile.languages = languages
        profile.time_zone = time_zone
        profile.privacy = privacy
        profile_geocode(profile=profile, postal_code=postal_code, country=country)
        profile.full_clean(exclude=["photo", "photo_thumbnail"], validate_unique=False)
        changed = sorted(
            name for name in _PROFILE_AUDITED if getattr(profile, name) != before[name]
        )
        profile.save()
        _profile_page_invalidate(user.pk)

        person_fields: dict[str, Any] = {}
        if given_name is not None:
            person_fields["given_name"] = given_name
        if family_name is not None:
            person_fields["family_name"] = family_name
        if "postal_code" in changed or "country" in changed:
            person_fields.update(postal_code=profile.postal_code, country=profile.country)
        if "languages" in changed:
            person_fields["languages_spoken"] = languages
        person = user.person if user.person_id is not None else None
        if person_fields and person is not None:
            person_update(person=person, fields=person_fields, actor=user)

        # Field names only: the audit log must not become a copy of personal data.
        audit_record(
            actor=user, action="profile.update", subject=profile, details={"fields": changed}
        )
    return profile


_PROFILE_AUDITED = (
    "display_name",
    "bio",
    "postal_code",
    "country",
    "interests",
    "languages",
    "time_zone",
    "privacy",
)


def _files_delete(names: Iterable[str | None]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            # A leftover file is not worth failing the member's request over; log for ops.
            logger.warning("Could not delete stored file %s", name, exc_info=True)


def profile_photo_set(*, user: User, upload: IO[bytes]) -> Profile:
    """Validate, re-encode and store a new photo and thumbnail; the old files go on commit."""
    processed = photo_process(upload)
    base = uuid.uuid4().hex  # unguessable: photos of private profiles are not listed anywhere
    written: list[str | None] = []
    try:
        with transaction.atomic():
            profile = _profile_locked(user)
            old = [profile.photo.name, profile.photo_thumbnail.name]
            profile.photo.save(f"{base}.jpg", ContentFile(processed.main), save=False)
            written.append(profile.photo.name)
            profile.photo_thumbnail.save(
                f"{base}-thumb.jpg", ContentFile(processed.thumbnail), save=False
            )
            written.append(profile.photo_thumbnail.name)
            profile.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
            _profile_page_invalidate(user.pk)
            audit_record(actor=user, action="profile.photo_set", subject=profile)
            transaction.on_commit(lambda: _files_delete(old))
    except BaseException:
        _files_delete(written)
        raise
    return profile


def profile_photo_remove(*, user: User, actor: Any = None) -> Profile | None:
    """Remove the member's photo (the member, or staff moderating: pass `actor`)."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is None or not (profile.photo or profile.photo_thumbnail):
            return profile
        old = [profile.photo.name, profile.photo_thumbnail.name]
        profile.photo = profile.photo_thumbnail = ""
        profile.save(update_fields=["photo", "photo_thumbnail", "updated_at"])
        _profile_page_invalidate(user.pk)
        audit_record(actor=actor or user, action="profile.photo_remove", subject=profile)
        transaction.on_commit(lambda: _files_delete(old))
    return profile


# --- Account ------------------------------------------------------------------------------


def account_export_log(*, user: User) -> None:
    """Note in the audit log that the member downloaded their data."""
    with transaction.atomic():
        audit_record(actor=user, action="account.export", subject=user)


def _sessions_delete(user_id: int) -> int:
    """Delete the stored sessions logged in as `user_id`.

    Django keeps no index from user to session, so this decodes every unexpired session:
    fine for a rare action. Session engines with no table (signed cookies, cache only) can't
    be listed; those sessions die anyway, since their user no longer exists.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    keys = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator(
            chunk_size=2000
        )
        if session.get_decoded().get(SESSION_KEY) == str(user_id)
    ]
    for key in keys:
        store_class(session_key=key).delete()
    return len(keys)


def account_delete(*, user: User, actor: Any) -> None:
    """Delete a member's account and erase their personal data, in one transaction.

    Erased: the Person's personal fields (the row stays, de-identified, for records that
    must be kept), email addresses, sessions, second factors, the profile and its photo
    files (after commit), the login itself. The audit row holds only the former ids.
    """
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("person").get(pk=user.pk)
        user_id, person_id = user.pk, user.person_id
        profile = Profile.objects.filter(user=user).first()
        files = [profile.photo.name, profile.photo_thumbnail.name] if profile else []

        if user.person is not None:
            person_erase(person=user.person, actor=actor)
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        _sessions_delete(user_id)
        # The admin's history shows str(user), the email address, for past edits.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user_id)
        ).update(object_repr=f"member {user_id} (deleted)")
        if profile is not None:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Profile), object_id=str(profile.pk)
            ).update(object_repr=f"profile {profile.pk} (deleted)")
            profile.delete()
        audit_record(
            actor=actor,
            action="account.delete",
            subject=user,
            details={"user_id": user_id, "person_id": person_id},
        )
        user.delete()
        _profile_page_invalidate(user_id)
        transaction.on_commit(lambda: _files_delete(files))
