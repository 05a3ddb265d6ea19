"""Writes on member accounts and profiles."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from groundswell.accounts.models import Profile, User
from groundswell.core.audit import audit_record
from groundswell.people.services import email_normalize, person_match_or_create


def member_finish_signup(*, user: User) -> User:
    """Save a new login made by the sign-up form and attach it to its Person.

    A person who already signed up through the API or RSVP'd as a guest keeps that record:
    the account points at it instead of creating a second one.
    """
    with transaction.atomic():
        user.email = email_normalize(user.email)
        match = person_match_or_create(email=user.email, fields={"source": "signup"}, overwrite=False)
        user.person = match.person
        user.save()
        Profile.objects.create(user=user)
        audit_record(actor=user, action="member.signup", subject=user)
    return user


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
    """Create an already-verified member (operators' scripts, demo data)."""
    email = email_normalize(email)
    with transaction.atomic():
        user = User(email=email, staff_role=staff_role, is_staff=bool(staff_role))
        validate_password(password, user)
        user.set_password(password)
        if User.objects.filter(email__iexact=email).exists():
            from django.core.exceptions import ValidationError

            raise ValidationError({"email": "A member with this email address already exists."})
        match = person_match_or_create(
            email=email,
            fields={"given_name": given_name, "family_name": family_name, "source": "admin"},
            overwrite=False,
        )
        user.person = match.person
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        display_name = f"{given_name} {family_name}".strip()
        profile = Profile.objects.create(user=user, display_name=display_name)
        if postal_code:
            from groundswell.accounts.profile import profile_geocode

            profile_geocode(profile=profile, postal_code=postal_code, country="US")
            profile.save()
        audit_record(actor=actor, action="member.create", subject=user, details={"staff_role": staff_role})
    return user
