from __future__ import annotations

import pytest

from intake.domain.persian import ascii_digits, normalize_number, normalize_text

ZWNJ = "\u200c"


def test_arabic_yeh_and_kaf_become_persian() -> None:
    assert normalize_text("علي كاشاني") == "علی کاشانی"


def test_zwnj_is_kept_and_ends_trimmed() -> None:
    assert normalize_text(f"  کتاب{ZWNJ}ها\n") == f"کتاب{ZWNJ}ها"


def test_persian_text_and_latin_text_are_unchanged() -> None:
    assert normalize_text("خیابان امام، پلاک ۱۲") == "خیابان امام، پلاک ۱۲"
    assert normalize_text("Street 12") == "Street 12"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("۰۱۲۳۴۵۶۷۸۹", "0123456789"), ("٠١٢٣٤٥٦٧٨٩", "0123456789"), ("کد ۴۲", "کد 42"), ("a-1 b", "a-1 b")],
)
def test_ascii_digits_converts_only_digits(raw: str, expected: str) -> None:
    assert ascii_digits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("۰۹۱۴ ۱۲۳-۴۵۶۷", "09141234567"),
        ("٠٩١٤-١٢٣-٤٥٦٧", "09141234567"),
        (f"001{ZWNJ}234 5679", "0012345679"),
        ("1403\t1234", "14031234"),
    ],
)
def test_normalize_number_drops_separators(raw: str, expected: str) -> None:
    assert normalize_number(raw) == expected
