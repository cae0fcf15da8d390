from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from pydantic import ValidationError

from routing.domain.calendar import (
    ExtraWorkingDay,
    Holiday,
    Week,
    WorkingCalendar,
    WorkingHours,
    add_working_time,
    jalali_text,
    seed_holidays,
    working_intervals,
    working_time_between,
)

TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = timedelta(hours=1)
# 1405/02/05 is a Saturday; the weeks around it have no official holiday.
SAT, SUN, MON, WED, THU, FRI = (
    (1405, 2, 5),
    (1405, 2, 6),
    (1405, 2, 7),
    (1405, 2, 9),
    (1405, 2, 10),
    (1405, 2, 11),
)
NEXT_SAT = (1405, 2, 12)


def at(day: tuple[int, int, int], hour: int = 0, minute: int = 0) -> datetime:
    """A moment on a Jalali day, Tehran wall-clock time, as UTC."""
    local: datetime = jdatetime.datetime(*day, hour, minute).togregorian().replace(tzinfo=TEHRAN)
    return local.astimezone(UTC)


def office(**changes: object) -> WorkingCalendar:
    return WorkingCalendar.model_validate({"calendar_id": "district-4", "name_fa": "منطقه ۴", **changes})


def test_reference_days_are_what_their_names_say() -> None:
    names = [jdatetime.date(*day).strftime("%A") for day in (SAT, SUN, MON, WED, THU, FRI, NEXT_SAT)]
    assert names == ["Saturday", "Sunday", "Monday", "Wednesday", "Thursday", "Friday", "Saturday"]


def test_defaults_are_saturday_to_wednesday_0730_to_1430_thursday_off() -> None:
    calendar = office()
    assert calendar.timezone == "Asia/Tehran"
    assert calendar.thursday == "off"
    assert working_time_between(calendar, at(SAT), at(NEXT_SAT)) == 5 * 7 * HOUR
    assert list(working_intervals(calendar, at(SAT), at(SUN))) == [(at(SAT, 7, 30), at(SAT, 14, 30))]


def test_intervals_are_clipped_and_utc() -> None:
    intervals = list(working_intervals(office(), at(SAT, 10), at(SUN, 9)))
    assert intervals == [(at(SAT, 10), at(SAT, 14, 30)), (at(SUN, 7, 30), at(SUN, 9))]
    assert all(moment.tzinfo is UTC for interval in intervals for moment in interval)
    assert intervals[0][0] == datetime(2026, 4, 25, 6, 30, tzinfo=UTC)


def test_historic_daylight_saving_is_applied() -> None:
    # Iran kept daylight saving until 2022: 1400/03/01 opened at 07:30 +04:30.
    first = next(working_intervals(office(), at((1400, 3, 1)), at((1400, 3, 2))))
    assert first == (datetime(2021, 5, 22, 3, 0, tzinfo=UTC), datetime(2021, 5, 22, 10, 0, tzinfo=UTC))


def test_deadline_that_would_fall_on_thursday_or_friday_moves_to_saturday() -> None:
    assert add_working_time(office(), at(WED, 13, 30), 2 * HOUR) == at(NEXT_SAT, 8, 30)


def test_thursday_half_day_counts_the_morning_only() -> None:
    calendar = office(thursday="half")
    assert add_working_time(calendar, at(WED, 13, 30), 2 * HOUR) == at(THU, 8, 30)
    assert add_working_time(calendar, at(WED, 13, 30), 7 * HOUR) == at(NEXT_SAT, 8, 30)
    assert working_time_between(calendar, at(THU), at(FRI)) == 5 * HOUR


def test_thursday_full_day_and_custom_half_day_hours() -> None:
    assert add_working_time(office(thursday="full"), at(WED, 13, 30), 7 * HOUR) == at(THU, 13, 30)
    custom = office(thursday="half", thursday_half_hours={"opens": "08:00", "closes": "11:00"})
    assert working_time_between(custom, at(THU), at(FRI)) == 3 * HOUR


def test_start_outside_hours_waits_for_the_next_opening() -> None:
    calendar = office()
    assert add_working_time(calendar, at(SUN, 20), HOUR) == at(MON, 8, 30)
    assert add_working_time(calendar, at(SAT, 6), HOUR) == at(SAT, 8, 30)
    assert add_working_time(calendar, at(FRI, 10), HOUR) == at(NEXT_SAT, 8, 30)


def test_zero_duration_gives_the_next_working_moment() -> None:
    calendar = office()
    assert add_working_time(calendar, at(SAT, 9, 15), timedelta()) == at(SAT, 9, 15)
    assert add_working_time(calendar, at(FRI, 10), timedelta()) == at(NEXT_SAT, 7, 30)
    assert add_working_time(calendar, at(SAT, 14, 30), timedelta()) == at(SUN, 7, 30)


def test_deadline_at_closing_time_stays_at_closing_time() -> None:
    assert add_working_time(office(), at(SAT, 7, 30), 7 * HOUR) == at(SAT, 14, 30)


def test_negative_duration_and_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_time(office(), at(SAT), -HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(office(), datetime(2026, 4, 25, 9), HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(office(), datetime(2026, 4, 25, 9), at(SUN))


def test_working_time_between_is_zero_when_end_is_not_after_start() -> None:
    assert working_time_between(office(), at(SUN, 10), at(SAT, 10)) == timedelta()
    assert working_time_between(office(), at(SUN, 10), at(SUN, 10)) == timedelta()
    assert working_time_between(office(), at(WED, 13, 30), at(NEXT_SAT, 8, 30)) == 2 * HOUR


def test_an_added_holiday_moves_the_deadline_a_day_later() -> None:
    before = add_working_time(office(), at(SAT, 9), 7 * HOUR)
    after = add_working_time(office(holidays=[{"date": "1405/02/06"}]), at(SAT, 9), 7 * HOUR)
    assert (before, after) == (at(SUN, 9), at(MON, 9))


def test_an_extra_working_day_counts_despite_friday() -> None:
    friday = ExtraWorkingDay(date="۱۴۰۵/۰۲/۱۱", hours=WorkingHours(opens="08:00", closes="12:00"))
    calendar = office(extra_working_days=[friday])
    assert add_working_time(calendar, at(WED, 14), 2 * HOUR) == at(FRI, 9, 30)


def test_seed_for_1405_has_nowruz_and_lunar_holidays() -> None:
    seeded = {holiday.date: holiday for holiday in seed_holidays(1405)}
    assert {"1405/01/01", "1405/01/02", "1405/01/03", "1405/01/04"} <= seeded.keys()
    assert "نوروز" in (seeded["1405/01/01"].name_fa or "")
    assert "عاشورا" in (seeded["1405/04/04"].name_fa or "")
    assert "تاسوعا" in (seeded["1405/04/03"].name_fa or "")
    assert all(day.startswith("1405/") for day in seeded)
    assert list(seeded) == sorted(seeded)


def test_seed_marks_far_lunar_holidays_as_estimated() -> None:
    seeded = {holiday.date: holiday for holiday in seed_holidays(1405)}
    assert not seeded["1405/01/01"].estimated
    assert not seeded["1405/04/04"].estimated
    eid_al_fitr = seeded["1405/12/19"]
    assert eid_al_fitr.estimated
    assert eid_al_fitr.name_fa == "عید سعید فطر"
    assert not any("تخمینی" in (holiday.name_fa or "") for holiday in seeded.values())


def test_sixteen_working_hours_from_1404_12_27_land_after_nowruz() -> None:
    calendar = office(holidays=[*seed_holidays(1404), *seed_holidays(1405)])
    deadline = add_working_time(calendar, at((1404, 12, 27), 9), 16 * HOUR)
    # 5.5 h on Wednesday 12/27, Nowruz until 1405/01/04, 7 h on 01/05, then Saturday 01/08.
    assert jdatetime.date(1405, 1, 8).strftime("%A") == "Saturday"
    assert deadline == at((1405, 1, 8), 11)
    assert deadline > at((1405, 1, 5))


def test_a_year_without_working_time_is_refused_not_looped() -> None:
    first = jdatetime.date(1405, 2, 1)
    every_day = [Holiday(date=jalali_text(first + timedelta(days=n))) for n in range(402)]
    calendar = office(holidays=every_day)
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(calendar, at((1405, 2, 1)), HOUR)
    assert working_time_between(calendar, at((1405, 2, 1)), at((1406, 2, 1))) == timedelta()


def test_jalali_dates_accept_persian_digits_and_are_validated() -> None:
    assert Holiday(date="۱۴۰۵/۱/۴").date == "1405/01/04"
    assert Holiday(date="١٤٠٥-٠١-٠٤").date == "1405/01/04"
    for wrong in ("1405/13/01", "1405/01", "14050101", "tomorrow"):
        with pytest.raises(ValidationError):
            Holiday(date=wrong)


def test_calendar_documents_are_validated() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        office(timezone="Asia/Atlantis")
    with pytest.raises(ValidationError, match="open before"):
        WorkingHours(opens="14:30", closes="07:30")
    with pytest.raises(ValidationError, match="working weekday"):
        office(week=Week(saturday=None, sunday=None, monday=None, tuesday=None, wednesday=None))
    with pytest.raises(ValidationError, match="twice"):
        office(holidays=[{"date": "1405/01/01"}, {"date": "۱۴۰۵/۰۱/۰۱"}])
    with pytest.raises(ValidationError):
        office(thursday="sometimes")
    with pytest.raises(ValidationError):
        office(unknown_field=1)


def test_calendar_round_trips_as_a_document() -> None:
    calendar = office(thursday="half", holidays=seed_holidays(1405), week=Week(monday=None))
    assert WorkingCalendar.model_validate(calendar.model_dump(mode="json")) == calendar
    assert working_time_between(calendar, at(SAT), at(NEXT_SAT)) == 4 * 7 * HOUR + 5 * HOUR


def test_working_time_between_inverts_add_working_time() -> None:
    rng = random.Random(1405)
    calendar = office(thursday="half", holidays=[*seed_holidays(1404), *seed_holidays(1405)])
    origin = at((1404, 12, 1))
    for _ in range(300):
        start = origin + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        duration = timedelta(minutes=rng.randrange(0, 60 * 60), seconds=rng.randrange(60))
        deadline = add_working_time(calendar, start, duration)
        assert working_time_between(calendar, start, deadline) == duration
        if duration:
            assert working_time_between(calendar, start, deadline - timedelta(seconds=1)) < duration
        end = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        worked = working_time_between(calendar, start, end)
        assert add_working_time(calendar, start, worked) <= max(
            end, add_working_time(calendar, start, timedelta())
        )
        middle = start + (end - start) / 2
        assert worked == working_time_between(calendar, start, middle) + working_time_between(
            calendar, middle, end
        )
