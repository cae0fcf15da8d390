from datetime import UTC, datetime

from consultation.domain.jalali import jalali_date, jalali_datetime
from consultation.domain.text import normalise_fa

TEHRAN = "Asia/Tehran"


def test_the_closing_moment_reads_as_seventeen_azar_1405() -> None:
    closes_at = datetime(2026, 12, 8, 20, 29, 59, 999000, tzinfo=UTC)
    assert jalali_date(closes_at, TEHRAN) == "۱۴۰۵/۰۹/۱۷"
    assert jalali_datetime(closes_at, TEHRAN) == "۱۴۰۵/۰۹/۱۷ ۲۳:۵۹"


def test_the_jalali_day_turns_at_tehran_midnight() -> None:
    assert jalali_date(datetime(2026, 12, 8, 20, 30, tzinfo=UTC), TEHRAN) == "۱۴۰۵/۰۹/۱۸"


def test_nowruz_is_the_first_of_farvardin() -> None:
    assert jalali_date(datetime(2026, 3, 20, 20, 29, tzinfo=UTC), TEHRAN) == "۱۴۰۴/۱۲/۲۹"
    assert jalali_date(datetime(2026, 3, 20, 20, 30, tzinfo=UTC), TEHRAN) == "۱۴۰۵/۰۱/۰۱"


def test_arabic_yeh_and_kaf_become_persian() -> None:
    assert normalise_fa("علي كريمي") == "علی کریمی"


def test_the_zero_width_non_joiner_is_kept_and_the_ends_trimmed() -> None:
    assert normalise_fa("  پیش\u200cنویس\n") == "پیش\u200cنویس"


def test_persian_text_is_left_as_it_is() -> None:
    text = "پیش‌نویس دستورالعمل ساماندهی دستفروشان"
    assert normalise_fa(text) == text
