"""The OData-style `filter` query parameter, as Action Network accepts it.

    filter=email_address eq 'ana@example.org'
    filter=modified_date gt '2024-01-01' and modified_date lt '2024-02-01T12:00:00Z'

A pure parser: text in, a list of typed conditions out (or a FilterError naming the field).
Grammar: condition ( "and" condition )*, condition = field operator value, where value is a
single-quoted string ('' inside it stands for one quote) or a bare word without spaces.
Keywords and operators are case-insensitive; field names are not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Literal

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

Kind = Literal["string", "datetime"]


@dataclass(frozen=True)
class FilterField:
    operators: frozenset[str]
    kind: Kind = "string"


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str | datetime


class FilterError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


_TOKEN = re.compile(r"\s*(?:(?P<quoted>'(?:[^']|'')*')|(?P<bare>[^\s']+)|(?P<open>'))")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches any non-space character
            raise FilterError(_("The filter could not be read."))
        if match.group("open") is not None:
            raise FilterError(_("A quoted value in the filter is missing its closing quote."))
        if match.group("quoted") is not None:
            tokens.append(("quoted", match.group("quoted")[1:-1].replace("''", "'")))
        else:
            tokens.append(("bare", match.group("bare")))
        position = match.end()
    return tokens


def datetime_parse(value: str) -> datetime | None:
    """An ISO date or date-time (a date is its midnight, no offset is UTC), or None if it is
    not one or cannot be read as a UTC instant (year 1 at +14:00, year 9999 at -14:00)."""
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = datetime.combine(day, time.min)
    except ValueError:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        return None
    return parsed


def _to_datetime(field: str, value: str) -> datetime:
    parsed = datetime_parse(value)
    if parsed is None:
        raise FilterError(
            _(
                "“%(value)s” is not a date for %(field)s; use e.g. '2024-01-31' or "
                "'2024-01-31T09:00:00Z'."
            )
            % {"value": value[:40], "field": field},
            field=field,
        )
    return parsed


def filter_parse(text: str | None, *, fields: Mapping[str, FilterField]) -> list[Condition]:
    """Parse a filter expression against the fields a collection supports."""
    if text is None or not text.strip():
        return []
    tokens = _tokenize(text)
    supported = ", ".join(sorted(fields))
    conditions: list[Condition] = []
    seen: set[tuple[str, str]] = set()
    index = 0
    while True:
        if index + 3 > len(tokens):
            raise FilterError(
                _(
                    "Each filter condition needs a field, an operator and a value, e.g. "
                    "email_address eq 'ana@example.org'."
                )
            )
        (field_kind, field), (op_kind, operator), (_value_kind, value) = tokens[index : index + 3]
        if field_kind != "bare":
            raise FilterError(_("A filter condition must start with a field name."))
        spec = fields.get(field)
        if spec is None:
            raise FilterError(
                _("Filtering on “%(field)s” is not supported. Supported fields: %(supported)s.")
                % {"field": field, "supported": supported},
                field=field,
            )
        operator = operator.lower()
        if op_kind != "bare" or operator not in spec.operators:
            raise FilterError(
                _("The %(field)s filter supports the operators: %(operators)s.")
                % {"field": field, "operators": ", ".join(sorted(spec.operators))},
                field=field,
            )
        if (field, operator) in seen:
            raise FilterError(
                _("The condition “%(field)s %(operator)s” is given twice.")
                % {"field": field, "operator": operator},
                field=field,
            )
        seen.add((field, operator))
        typed: str | datetime = _to_datetime(field, value) if spec.kind == "datetime" else value
        conditions.append(Condition(field=field, operator=operator, value=typed))
        index += 3
        if index == len(tokens):
            return conditions
        joiner_kind, joiner = tokens[index]
        if joiner_kind != "bare" or joiner.lower() != "and":
            raise FilterError(
                _("Filter conditions can only be combined with “and” (found “%(word)s”).")
                % {"word": joiner[:20]}
            )
        index += 1
