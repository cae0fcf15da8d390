from __future__ import annotations

import pytest

from intake.domain.identity import InvalidIdentity, mobile_e164, national_id


def with_check_digit(body: str) -> str:
    remainder = sum(int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True)) % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


VALID_IDS = [
    with_check_digit(body) for body in ("001234567", "123456789", "498765432", "000000012", "273645189")
]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def is_persian(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_national_ids_pass(value: str) -> None:
    assert national_id(value) == value


@pytest.mark.parametrize("value", VALID_IDS)
def test_persian_digits_and_separators_are_accepted(value: str) -> None:
    typed = f" {value[:3]}-{value[3:9]}-{value[9]} ".translate(PERSIAN_DIGITS)
    assert national_id(typed) == value


@pytest.mark.parametrize("value", VALID_IDS)
def test_every_other_check_digit_is_refused(value: str) -> None:
    for digit in "0123456789":
        if digit != value[9]:
            with pytest.raises(InvalidIdentity) as caught:
                national_id(value[:9] + digit)
            assert is_persian(caught.value.message_fa)


@pytest.mark.parametrize("value", ["", "123456789", "00123456790", "12345abcde", "۱۲۳"])
def test_wrong_length_or_letters_are_refused(value: str) -> None:
    with pytest.raises(InvalidIdentity) as caught:
        national_id(value)
    assert is_persian(caught.value.message_fa)


@pytest.mark.parametrize("digit", "0123456789")
def test_all_same_digits_are_refused(digit: str) -> None:
    with pytest.raises(InvalidIdentity):
        national_id(digit * 10)


def test_all_ones_is_refused_although_its_check_digit_works() -> None:
    assert with_check_digit("1" * 9) == "1" * 10
    with pytest.raises(InvalidIdentity):
        national_id("1111111111")


@pytest.mark.parametrize(
    "raw",
    [
        "09141234567",
        "+989141234567",
        "00989141234567",
        "9141234567",
        "۰۹۱۴۱۲۳۴۵۶۷",
        "٠٩١٤١٢٣٤٥٦٧",
        "0914 123 4567",
        "+98 914-123-4567",
    ],
)
def test_mobile_forms_become_e164(raw: str) -> None:
    assert mobile_e164(raw) == "+989141234567"


@pytest.mark.parametrize(
    "raw",
    [
        "02133445566",
        "+982133445566",
        "+14155552671",
        "004915112345678",
        "0914123456",
        "091412345678",
        "abc",
        "",
    ],
)
def test_landlines_foreign_and_garbage_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentity) as caught:
        mobile_e164(raw)
    assert is_persian(caught.value.message_fa)
