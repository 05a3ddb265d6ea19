"""Phone numbers in E.164 (`+12025550143`), the one spelling we store and compare.

A small, dependency-free normaliser: numbers written with a `+` (or the `00` international
prefix) are taken as international; anything else is read in the default country, which for
now can only be the US/NANP (`+1`). NANP numbers are checked for a plausible area code and
exchange; other countries only for E.164's length rules (8 to 15 digits).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Separators people type between digit groups; anything else (letters, `#`, `*`) is refused.
_SEPARATORS = re.compile(r"[\s().\-/\u00a0\u2010-\u2015]")
_NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")


def _invalid(raw: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(number)s” is not a valid phone number. Use a 10-digit US number or the "
            "international format, e.g. +12025550143."
        )
        % {"number": raw[:40]},
        code="invalid_phone",
    )


def phone_normalize(raw: str, *, default_country: str = "US") -> str:
    """The number in E.164, or a ValidationError saying why it isn't one."""
    if default_country.upper() != "US":
        raise ValueError("only US is supported as the default country")
    text = (raw or "").strip()
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+"):
        digits, international = compact[1:], True
    elif compact.startswith("00"):
        digits, international = compact[2:], True
    else:
        digits, international = compact, False
    if not digits.isascii() or not digits.isdigit():
        raise _invalid(text)
    if not international:
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            raise _invalid(text)
        digits = "1" + digits
    if digits.startswith("1"):
        national = digits[1:]
        if not _NANP.match(national) or national[1:3] == "11":
            raise _invalid(text)
    elif not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise _invalid(text)
    return "+" + digits
