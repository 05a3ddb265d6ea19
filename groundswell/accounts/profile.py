"""Profile helpers shared by the profile services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from groundswell.accounts.models import Profile
from groundswell.geo.selectors import postal_code_find, postal_code_normalize


def profile_geocode(*, profile: Profile, postal_code: str, country: str) -> None:
    """Set the profile's postal code and cached centroid; an unknown code is a clear error."""
    if not postal_code.strip():
        profile.postal_code, profile.latitude, profile.longitude = "", None, None
        return
    found = postal_code_find(country=country, code=postal_code)
    if found is None:
        raise ValidationError(
            {
                "postal_code": _(
                    "We don't know the postal code “%(code)s”. Check it and try again."
                )
                % {"code": postal_code.strip()}
            }
        )
    profile.postal_code = postal_code_normalize(country=country, code=postal_code)
    profile.country = country.upper()
    profile.latitude, profile.longitude = found.latitude, found.longitude
    if found.time_zone and not profile.time_zone:
        profile.time_zone = found.time_zone
