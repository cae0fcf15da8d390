"""Working calendars by id, with the default seeded from Iran's official holidays."""

from __future__ import annotations

import jdatetime

from routing.domain.calendar import WorkingCalendar, seed_holidays
from routing.store.repository import RoutingRepository

DEFAULT_CALENDAR_ID = "default"


def default_calendar(today: jdatetime.date | None = None) -> WorkingCalendar:
    """Saturday–Wednesday, Thursday off, with this and next Jalali year's official holidays."""
    year = (today or jdatetime.date.today()).year
    return WorkingCalendar(
        calendar_id=DEFAULT_CALENDAR_ID,
        name_fa="تقویم کاری ادارات",
        holidays=[*seed_holidays(year), *seed_holidays(year + 1)],
    )


class CalendarBook:
    def __init__(self, repo: RoutingRepository) -> None:
        self._repo = repo

    async def ensure_default(self) -> None:
        await self._repo.add_calendar_if_missing(default_calendar())

    async def get(self, calendar_id: str | None) -> WorkingCalendar:
        calendar = await self._repo.calendar(calendar_id or DEFAULT_CALENDAR_ID)
        if calendar is None:
            calendar = await self._repo.calendar(DEFAULT_CALENDAR_ID) or default_calendar()
        return calendar
