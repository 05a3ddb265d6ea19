"""The OData filter parser: a pure function, tested without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.api.filters import Condition, FilterError, FilterField, filter_parse

FIELDS = {
    "email_address": FilterField(frozenset({"eq"})),
    "given_name": FilterField(frozenset({"eq"})),
    "modified_date": FilterField(frozenset({"gt", "lt"}), kind="datetime"),
}


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_filter_is_no_conditions(text):
    assert filter_parse(text, fields=FIELDS) == []


def test_one_condition():
    assert filter_parse("email_address eq 'ana@example.org'", fields=FIELDS) == [
        Condition("email_address", "eq", "ana@example.org")
    ]


def test_conditions_joined_with_and_any_case():
    assert filter_parse(
        "given_name EQ 'Ana' AND modified_date gt '2024-01-01' and modified_date Lt '2024-02-01T10:30:00Z'",
        fields=FIELDS,
    ) == [
        Condition("given_name", "eq", "Ana"),
        Condition("modified_date", "gt", datetime(2024, 1, 1, tzinfo=UTC)),
        Condition("modified_date", "lt", datetime(2024, 2, 1, 10, 30, tzinfo=UTC)),
    ]


def test_quotes_inside_values_are_doubled():
    assert filter_parse("given_name eq 'O''Brien'", fields=FIELDS)[0].value == "O'Brien"


def test_bare_values_and_extra_spaces_are_accepted():
    assert filter_parse("  given_name   eq   Ana  ", fields=FIELDS) == [
        Condition("given_name", "eq", "Ana")
    ]


def test_dates_keep_their_offset_and_naive_ones_are_utc():
    (aware,) = filter_parse("modified_date gt '2024-01-01T09:00:00-05:00'", fields=FIELDS)
    assert aware.value == datetime(2024, 1, 1, 9, tzinfo=timezone(timedelta(hours=-5)))
    (naive,) = filter_parse("modified_date gt '2024-01-01T09:00:00'", fields=FIELDS)
    assert naive.value == datetime(2024, 1, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("phone eq '1'", "phone", "not supported"),
        ("given_name gt 'a'", "given_name", "eq"),
        ("modified_date eq '2024-01-01'", "modified_date", "gt"),
        ("modified_date gt 'soon'", "modified_date", "not a date"),
        ("modified_date gt '2024-13-45'", "modified_date", "not a date"),
        ("given_name eq 'a' and given_name eq 'b'", "given_name", "twice"),
    ],
)
def test_errors_name_the_field(text, field, fragment):
    with pytest.raises(FilterError) as caught:
        filter_parse(text, fields=FIELDS)
    assert caught.value.field == field
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "given_name",
        "given_name eq",
        "given_name eq 'a' and",
        "given_name eq 'a' or given_name eq 'b'",
        "given_name eq 'a' given_name eq 'b'",
        "given_name eq 'open",
        "'given_name' eq 'a'",
        "given_name 'eq' 'a'",
        "(given_name eq 'a')",
    ],
)
def test_syntax_errors(text):
    with pytest.raises(FilterError):
        filter_parse(text, fields=FIELDS)


# --- Properties ------------------------------------------------------------------------------

values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@given(given_name=values, email=values)
def test_any_string_value_round_trips(given_name, email):
    text = f"given_name eq {_quote(given_name)} and email_address eq {_quote(email)}"
    assert filter_parse(text, fields=FIELDS) == [
        Condition("given_name", "eq", given_name),
        Condition("email_address", "eq", email),
    ]


@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_any_iso_datetime_round_trips(moment):
    moment = moment.replace(microsecond=0)
    text = f"modified_date gt '{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    assert filter_parse(text, fields=FIELDS) == [Condition("modified_date", "gt", moment)]


@given(text=st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_filter_error(text):
    try:
        conditions = filter_parse(text, fields=FIELDS)
    except FilterError as exc:
        assert exc.message
    else:
        assert all(condition.field in FIELDS for condition in conditions)
