from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.domain.quiet_hours import is_quiet, next_allowed_send

pytestmark = pytest.mark.unit
TEHRAN = ZoneInfo("Asia/Tehran")


def tehran(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TEHRAN)


def seven_am(day: int) -> datetime:
    return tehran(day, 7).astimezone(UTC)


def test_just_before_the_night_is_allowed() -> None:
    at = tehran(24, 21, 59, 59)
    assert next_allowed_send(at, urgent=False) is at


def test_the_night_starts_at_22_and_waits_for_7_next_day() -> None:
    assert next_allowed_send(tehran(24, 22), urgent=False) == seven_am(25)


def test_just_before_7_waits_for_7_the_same_day() -> None:
    assert next_allowed_send(tehran(25, 6, 59, 59), urgent=False) == seven_am(25)


def test_midnight_waits_for_7_the_same_day() -> None:
    assert next_allowed_send(tehran(25, 0), urgent=False) == seven_am(25)


def test_7_is_allowed() -> None:
    at = tehran(25, 7)
    assert next_allowed_send(at, urgent=False) is at


def test_the_result_is_utc() -> None:
    result = next_allowed_send(tehran(24, 23), urgent=False)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)


def test_input_in_any_zone_is_read_in_tehran() -> None:
    at = datetime(2026, 11, 24, 18, 45, tzinfo=UTC)  # 22:15 in Tehran
    assert next_allowed_send(at, urgent=False) == seven_am(25)


def test_urgent_messages_go_at_night() -> None:
    at = tehran(24, 23, 30)
    assert next_allowed_send(at, urgent=True) is at


def test_a_window_within_one_day() -> None:
    def send_at(at: datetime) -> datetime:
        return next_allowed_send(at, urgent=False, start=time(13, 0), end=time(16, 0))

    assert send_at(tehran(24, 12, 59, 59)) == tehran(24, 12, 59, 59)
    assert send_at(tehran(24, 13)) == tehran(24, 16).astimezone(UTC)
    assert send_at(tehran(24, 15, 59)) == tehran(24, 16).astimezone(UTC)
    assert send_at(tehran(24, 16)) == tehran(24, 16)


def test_another_timezone() -> None:
    at = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    expected = datetime(2026, 11, 25, 7, 0, tzinfo=ZoneInfo("Europe/London"))
    assert next_allowed_send(at, urgent=False, tz="Europe/London") == expected


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    assert not is_quiet(time(3, 0), start=time(22, 0), end=time(22, 0))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_allowed_send(datetime(2026, 11, 24, 23, 0), urgent=False)


def test_every_minute_of_a_day_lands_outside_the_night() -> None:
    start = tehran(24, 0)
    for minute in range(0, 24 * 60, 7):
        result = next_allowed_send(start + timedelta(minutes=minute), urgent=False)
        assert not is_quiet(result.astimezone(TEHRAN).time())
        assert result >= start + timedelta(minutes=minute)
