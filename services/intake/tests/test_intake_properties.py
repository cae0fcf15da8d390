"""Property tests: the parsers of what people type never crash, and round-trip what they accept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake.domain.identity import InvalidIdentity, mobile_e164, national_id
from intake.domain.persian import ascii_digits, normalize_number, normalize_text
from intake.domain.tracking import new_tracking_code, parse_tracking_code

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
typed = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


def _check_digit(first_nine: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return str(total if total < 2 else 11 - total)


@given(typed)
def test_normalisers_never_crash_and_are_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert ascii_digits(ascii_digits(text)) == ascii_digits(text)
    assert normalize_number(normalize_number(text)) == normalize_number(text)


@given(typed)
def test_national_id_and_mobile_either_parse_or_refuse_cleanly(text: str) -> None:
    refusals = []
    for parse in (national_id, mobile_e164):
        try:
            parse(text)
        except InvalidIdentity as error:
            refusals.append(error.message_fa)
    assert all(refusals)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: len(set(s)) > 1))
def test_every_valid_national_id_round_trips_in_any_digits(first_nine: str) -> None:
    code = first_nine + _check_digit(first_nine)
    if len(set(code)) == 1:
        return
    for written in (
        code,
        code.translate(PERSIAN_DIGITS),
        code.translate(ARABIC_DIGITS),
        f" {code[:3]}-{code[3:]} ",
    ):
        assert national_id(written) == code


@given(st.integers(min_value=0, max_value=9_999_999))
def test_mobiles_round_trip_from_every_form(subscriber: int) -> None:
    local = f"0914{subscriber:07d}"
    expected = "+98" + local[1:]
    for written in (local, expected, "0098" + local[1:], local[1:], local.translate(PERSIAN_DIGITS)):
        assert mobile_e164(written) == expected


def test_tracking_codes_round_trip_in_persian_digits() -> None:
    for _ in range(200):
        code = new_tracking_code()
        assert parse_tracking_code(code.translate(PERSIAN_DIGITS)) == code
        assert parse_tracking_code(code.translate(ARABIC_DIGITS)) == code


@given(typed)
def test_the_tracking_parser_never_crashes(text: str) -> None:
    parsed = parse_tracking_code(text)
    assert parsed is None or (len(parsed) == 12 and parsed.isdigit())
