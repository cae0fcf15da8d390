"""Iran's official holidays join a working calendar one Jalali year at a time, never over an
admin's edits.

A year is added once: its days missing from the calendar join it, and the year is recorded in
`official_holidays_added`. A holiday already there (typed or confirmed by an admin) keeps its
name and `estimated` flag, and a holiday an admin removes after its year was added stays
removed, because that year is never added again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime

from routing.domain.calendar import Holiday, WorkingCalendar, seed_holidays


def coming_years(calendar: WorkingCalendar, now: datetime) -> tuple[int, int]:
    """This Jalali year and the next, in the calendar's timezone."""
    today = now.astimezone(ZoneInfo(calendar.timezone)).date()
    year: int = jdatetime.date.fromgregorian(date=today).year
    return year, year + 1


def with_official_holidays(
    calendar: WorkingCalendar,
    years: Iterable[int],
    seed: Callable[[int], list[Holiday]] = seed_holidays,
) -> WorkingCalendar | None:
    """The calendar with the official holidays of those `years` not added before, or None when
    there is nothing to add (it does not follow them, or each year was added already).

    A day the calendar declares an extra working day is not made a holiday.
    """
    if not calendar.follows_official_holidays:
        return None
    due = sorted(set(years) - set(calendar.official_holidays_added))
    if not due:
        return None
    taken = {holiday.date for holiday in calendar.holidays}
    taken |= {day.date for day in calendar.extra_working_days}
    added = [holiday for year in due for holiday in seed(year) if holiday.date not in taken]
    return calendar.model_copy(
        update={
            "holidays": sorted([*calendar.holidays, *added], key=lambda holiday: holiday.date),
            "official_holidays_added": sorted({*calendar.official_holidays_added, *due}),
        }
    )


def as_saved_by_admin(body: WorkingCalendar, stored: WorkingCalendar | None) -> WorkingCalendar:
    """What an admin's save keeps: the body, with every year already added still recorded, so a
    save that leaves out a holiday of such a year removes it for good (a save that omits the
    years altogether included)."""
    if stored is None:
        return body
    years = sorted({*stored.official_holidays_added, *body.official_holidays_added})
    return body.model_copy(update={"official_holidays_added": years})
