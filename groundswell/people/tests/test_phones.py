"""Phone numbers normalise to E.164 or are refused with a clear message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from groundswell.people.phones import phone_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025550143", "+12025550143"),
        ("(202) 555-0143", "+12025550143"),
        ("202.555.0143", "+12025550143"),
        ("1-202-555-0143", "+12025550143"),
        ("+1 202 555 0143", "+12025550143"),
        (" 202 555 0143 ", "+12025550143"),
        ("001 202 555 0143", "+12025550143"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("0033123456789", "+33123456789"),
    ],
)
def test_valid_numbers(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "555-1234",  # no area code
        "123-456-7890",  # area code can't start with 1
        "202-055-0143",  # exchange can't start with 0
        "911-555-0143",  # N11 is not an area code
        "202555014",  # too short
        "202555014399",  # too long for NANP
        "+1 202 555 014",
        "+0 123 456 789",
        "+1234567",  # under 8 digits
        "+1234567890123456",  # over 15 digits
        "call me maybe",
        "202-555-CALL",
        "202 555 0143 ext 12",
        "٢٠٢٥٥٥٠١٤٣",  # non-ASCII digits
    ],
)
def test_invalid_numbers(raw):
    with pytest.raises(ValidationError) as caught:
        phone_normalize(raw)
    assert "not a valid phone number" in caught.value.messages[0]


nanp = st.tuples(
    st.integers(2, 9),
    st.integers(0, 99),
    st.integers(2, 9),
    st.integers(0, 99),
    st.integers(0, 9999),
).filter(lambda t: t[1] % 100 != 11)


def _formats(area: str, exchange: str, line: str) -> list[str]:
    return [
        f"{area}{exchange}{line}",
        f"({area}) {exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"1 {area} {exchange} {line}",
        f"+1{area}{exchange}{line}",
        f"+1 ({area}) {exchange}-{line}",
    ]


@given(parts=nanp)
def test_every_spelling_of_a_us_number_is_the_same_e164(parts):
    a1, a2, e1, e2, line = parts
    area, exchange, line_text = f"{a1}{a2:02d}", f"{e1}{e2:02d}", f"{line:04d}"
    expected = f"+1{area}{exchange}{line_text}"
    for spelling in _formats(area, exchange, line_text):
        assert phone_normalize(spelling) == expected


@given(raw=st.text(max_size=25))
def test_any_text_normalises_idempotently_or_is_refused(raw):
    try:
        normalized = phone_normalize(raw)
    except ValidationError:
        return
    assert normalized.startswith("+") and normalized[1:].isdigit()
    assert phone_normalize(normalized) == normalized
