from __future__ import annotations

import pytest

from intake.domain.tracking import new_tracking_code, parse_tracking_code

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
CODES = [new_tracking_code() for _ in range(8)]


def test_new_codes_are_twelve_ascii_digits_and_valid() -> None:
    codes = [new_tracking_code() for _ in range(200)]
    assert len(set(codes)) > 190
    for code in codes:
        assert len(code) == 12
        assert code.isascii() and code.isdigit()
        assert code[0] != "0"
        assert parse_tracking_code(code) == code


@pytest.mark.parametrize("code", CODES)
def test_persian_and_arabic_digits_and_separators_are_accepted(code: str) -> None:
    assert parse_tracking_code(code.translate(PERSIAN_DIGITS)) == code
    assert parse_tracking_code(code.translate(ARABIC_DIGITS)) == code
    assert parse_tracking_code(f" {code[:4]}-{code[4:8]} {code[8:]} ") == code


@pytest.mark.parametrize("code", CODES)
def test_every_single_digit_substitution_is_rejected(code: str) -> None:
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1 :]
                assert parse_tracking_code(typo) is None, typo


@pytest.mark.parametrize("code", CODES)
def test_every_adjacent_transposition_is_rejected(code: str) -> None:
    for position in range(len(code) - 1):
        first, second = code[position], code[position + 1]
        if first != second:
            swapped = code[:position] + second + first + code[position + 2 :]
            assert parse_tracking_code(swapped) is None, swapped


@pytest.mark.parametrize("code", CODES)
def test_wrong_length_is_rejected(code: str) -> None:
    assert parse_tracking_code(code[:-1]) is None
    assert parse_tracking_code(code + "0") is None
    assert parse_tracking_code("") is None
    assert parse_tracking_code(code[:6] + "ab" + code[8:]) is None
