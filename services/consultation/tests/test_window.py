from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consultation.domain.errors import DomainError
from consultation.domain.window import comment_window, is_within

TEHRAN = "Asia/Tehran"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_the_contract_example_closes_at_the_end_of_the_fourteenth_tehran_day() -> None:
    opens_at, closes_at = comment_window(utc(2026, 11, 24, 8, 0), 14, TEHRAN)
    assert opens_at == utc(2026, 11, 24, 8, 0)
    assert closes_at == datetime(2026, 12, 8, 20, 29, 59, 999999, tzinfo=UTC)
    assert closes_at.tzinfo is UTC


def test_the_last_moment_of_a_tehran_day_still_counts_as_that_day() -> None:
    # 20:29:59 UTC is 23:59:59 in Tehran on 24 November
    _, closes_at = comment_window(utc(2026, 11, 24, 20, 29, 59), 14, TEHRAN)
    assert closes_at == datetime(2026, 12, 8, 20, 29, 59, 999999, tzinfo=UTC)


def test_tehran_midnight_starts_a_new_day_though_utc_is_still_on_the_old_one() -> None:
    # 20:30 UTC on 24 November is already 00:00 on 25 November in Tehran
    _, closes_at = comment_window(utc(2026, 11, 24, 20, 30), 14, TEHRAN)
    assert closes_at == datetime(2026, 12, 9, 20, 29, 59, 999999, tzinfo=UTC)


def test_opened_at_the_first_moment_of_nowruz() -> None:
    # 1 Farvardin 1405 begins at 2026-03-21 00:00 Tehran
    _, closes_at = comment_window(utc(2026, 3, 20, 20, 30), 14, TEHRAN)
    assert closes_at.astimezone(ZoneInfo(TEHRAN)).date() == date(2026, 4, 4)
    assert closes_at == datetime(2026, 4, 4, 20, 29, 59, 999999, tzinfo=UTC)


def test_opened_on_the_last_day_of_esfand_runs_across_the_new_year() -> None:
    _, closes_at = comment_window(utc(2026, 3, 20, 20, 29, 59), 14, TEHRAN)
    assert closes_at == datetime(2026, 4, 3, 20, 29, 59, 999999, tzinfo=UTC)


def test_the_day_the_clocks_went_back_ends_at_its_later_midnight() -> None:
    # Iran left summer time on 2021-09-22 00:00 (+04:30 -> +03:30), repeating 23:00-24:00 of the 21st
    _, closes_at = comment_window(utc(2021, 9, 7, 12, 0), 14, TEHRAN)
    assert closes_at == datetime(2021, 9, 21, 20, 29, 59, 999999, tzinfo=UTC)


def test_opened_during_summer_time_closes_on_the_right_local_day() -> None:
    _, closes_at = comment_window(utc(2021, 6, 1, 19, 45), 14, TEHRAN)  # 00:15 on 2 June, +04:30
    assert closes_at == datetime(2021, 6, 16, 19, 29, 59, 999999, tzinfo=UTC)


def test_every_opening_hour_of_a_year_gets_at_least_fourteen_whole_days() -> None:
    zone = ZoneInfo(TEHRAN)
    opened_at = utc(2026, 1, 1, 0, 7)
    while opened_at < utc(2027, 1, 1):
        _, closes_at = comment_window(opened_at, 14, TEHRAN)
        next_day = opened_at.astimezone(zone).date() + timedelta(days=1)
        first_whole_day = datetime.combine(next_day, datetime.min.time(), tzinfo=zone)
        assert timedelta(days=14) - timedelta(microseconds=1) <= closes_at - first_whole_day
        assert closes_at - opened_at < timedelta(days=15)
        opened_at += timedelta(hours=1)


def test_a_longer_window_moves_the_closing_day_only() -> None:
    opens_at, closes_at = comment_window(utc(2026, 11, 24, 8, 0), 30, TEHRAN)
    assert opens_at == utc(2026, 11, 24, 8, 0)
    assert closes_at == datetime(2026, 12, 24, 20, 29, 59, 999999, tzinfo=UTC)


def test_an_opening_time_in_another_zone_is_returned_in_utc() -> None:
    opened_at = datetime(2026, 11, 24, 11, 30, tzinfo=ZoneInfo(TEHRAN))
    opens_at, _ = comment_window(opened_at, 14, TEHRAN)
    assert opens_at == utc(2026, 11, 24, 8, 0)
    assert opens_at.tzinfo is UTC


def test_a_naive_opening_time_is_refused() -> None:
    with pytest.raises(DomainError):
        comment_window(datetime(2026, 11, 24, 8, 0), 14, TEHRAN)


def test_a_window_of_no_days_is_refused() -> None:
    with pytest.raises(DomainError):
        comment_window(utc(2026, 11, 24, 8, 0), 0, TEHRAN)


def test_is_within_includes_both_ends() -> None:
    opens_at, closes_at = comment_window(utc(2026, 11, 24, 8, 0), 14, TEHRAN)
    assert is_within(opens_at, opens_at, closes_at)
    assert is_within(closes_at, opens_at, closes_at)
    assert not is_within(closes_at + timedelta(microseconds=1), opens_at, closes_at)
    assert not is_within(opens_at - timedelta(seconds=1), opens_at, closes_at)
