"""Which official holidays a calendar gets for a year, given what its admins entered and removed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routing.domain.calendar import ExtraWorkingDay, Holiday, WorkingCalendar, seed_holidays
from routing.domain.official import as_saved_by_admin, coming_years, with_official_holidays

pytestmark = pytest.mark.unit

OFFICIAL = {
    1405: [Holiday(date="1405/01/01", name_fa="نوروز"), Holiday(date="1405/03/14", name_fa="رحلت امام")],
    1406: [
        Holiday(date="1406/01/01", name_fa="نوروز"),
        Holiday(date="1406/01/02", name_fa="نوروز"),
        Holiday(date="1406/02/20", name_fa="عید فطر", estimated=True),
    ],
}


def seed(year: int) -> list[Holiday]:
    return OFFICIAL.get(year, [])


def calendar(**changes: object) -> WorkingCalendar:
    return WorkingCalendar.model_validate({"calendar_id": "district-4", "name_fa": "منطقه ۴", **changes})


def test_a_new_year_adds_its_official_holidays_estimated_ones_marked_and_records_the_year() -> None:
    before = calendar(holidays=OFFICIAL[1405], official_holidays_added=[1405])
    after = with_official_holidays(before, (1405, 1406), seed)
    assert after is not None
    assert [h.date for h in after.holidays] == [
        "1405/01/01",
        "1405/03/14",
        "1406/01/01",
        "1406/01/02",
        "1406/02/20",
    ]
    assert [h.estimated for h in after.holidays if h.date.startswith("1406")] == [False, False, True]
    assert after.official_holidays_added == [1405, 1406]
    assert before.official_holidays_added == [1405]  # the calendar read is left as it was


def test_a_year_already_added_adds_nothing_so_a_removed_holiday_stays_removed() -> None:
    added = with_official_holidays(calendar(), (1405, 1406), seed)
    assert added is not None
    # an admin removes Nowruz's second day and saves the calendar without the years it had
    without = [h for h in added.holidays if h.date != "1406/01/02"]
    saved = as_saved_by_admin(calendar(holidays=without), added)
    assert saved.official_holidays_added == [1405, 1406]
    assert with_official_holidays(saved, (1405, 1406), seed) is None
    assert "1406/01/02" not in {h.date for h in saved.holidays}


def test_what_an_admin_entered_or_confirmed_is_kept_and_an_extra_working_day_stays_working() -> None:
    confirmed = Holiday(date="1406/02/20", name_fa="عید سعید فطر (اعلام رسمی)", estimated=False)
    announced = Holiday(date="1406/02/21", name_fa="تعطیل به اعلام استانداری")
    before = calendar(
        holidays=[confirmed, announced],
        extra_working_days=[ExtraWorkingDay(date="1406/01/02")],
        official_holidays_added=[1405],
    )
    after = with_official_holidays(before, (1405, 1406), seed)
    assert after is not None
    by_date = {h.date: h for h in after.holidays}
    assert by_date["1406/02/20"] == confirmed
    assert by_date["1406/02/21"] == announced
    assert "1406/01/02" not in by_date
    assert "1406/01/01" in by_date
    assert "1405/01/01" not in by_date  # 1405 was added before: not again


def test_an_admin_can_name_years_so_their_holidays_are_not_added() -> None:
    own = calendar(holidays=[Holiday(date="1406/01/01")], official_holidays_added=[1405, 1406])
    assert with_official_holidays(own, (1405, 1406), seed) is None
    # and a save never forgets a year the calendar had
    assert as_saved_by_admin(calendar(official_holidays_added=[1407]), own).official_holidays_added == [
        1405,
        1406,
        1407,
    ]
    assert as_saved_by_admin(
        calendar(official_holidays_added=[1406, 1406]), None
    ).official_holidays_added == [1406]


def test_a_calendar_that_does_not_follow_official_holidays_gets_none() -> None:
    assert with_official_holidays(calendar(follows_official_holidays=False), (1405, 1406), seed) is None


@pytest.mark.parametrize(
    ("moment", "years"),
    [
        # 1405/12/29 23:00 in Tehran is still 1405; half an hour later UTC is past Nowruz in Tehran
        (datetime(2027, 3, 20, 19, 30, tzinfo=UTC), (1405, 1406)),
        (datetime(2027, 3, 20, 20, 31, tzinfo=UTC), (1406, 1407)),
    ],
)
def test_the_coming_years_are_counted_in_the_calendars_own_timezone(
    moment: datetime, years: tuple[int, int]
) -> None:
    assert coming_years(calendar(), moment) == years


def test_the_package_holidays_of_a_coming_year_keep_their_estimated_lunar_days() -> None:
    after = with_official_holidays(calendar(official_holidays_added=[1405]), (1405, 1406))
    assert after is not None
    assert after.holidays == seed_holidays(1406)
    assert any(h.estimated for h in after.holidays)
    assert [h.date for h in after.holidays if h.name_fa and "نوروز" in h.name_fa][:1] == ["1406/01/01"]
