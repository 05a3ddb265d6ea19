"""Template helpers for group pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def member_name(user: Any) -> str:
    """The name other members see (display name, else "Given F."), never an email address;
    "Deleted member" once the account is gone. Fetch users with profile and person."""
    if user is None:
        return _("Deleted member")
    try:
        profile = user.profile
    except ObjectDoesNotExist:
        return _("Member")
    return profile.public_name


@register.filter
def miles(value: float | None) -> str:
    """A distance for people: "0.4 miles", "12 miles"."""
    if value is None:
        return ""
    rounded = round(value, 1) if value < 10 else float(round(value))
    if rounded == 1:
        return _("1 mile")
    decimals = 0 if rounded.is_integer() else 1
    return _("%(miles)s miles") % {"miles": number_format(rounded, decimal_pos=decimals)}
