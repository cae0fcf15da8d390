"""Working calendars by id, with the default seeded from Iran's official holidays.

Every change of a calendar (an admin's save, the official holidays of a coming year) is
written over the revision read and then calls `on_change`, which has the open cases it
governs recomputed (`routing.deadlines`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import jdatetime

from routing.domain.calendar import WorkingCalendar, seed_holidays
from routing.domain.official import as_saved_by_admin, coming_years, with_official_holidays
from routing.store.repository import RoutingRepository

DEFAULT_CALENDAR_ID = "default"
log = logging.getLogger("routing.calendars")


def default_calendar(today: jdatetime.date | None = None) -> WorkingCalendar:
    """Saturday–Wednesday, Thursday off, with this and next Jalali year's official holidays."""
    year = (today or jdatetime.date.today()).year
    return WorkingCalendar(
        calendar_id=DEFAULT_CALENDAR_ID,
        name_fa="تقویم کاری ادارات",
        holidays=[*seed_holidays(year), *seed_holidays(year + 1)],
        official_holidays_added=[year, year + 1],
    )


class CalendarBook:
    def __init__(self, repo: RoutingRepository, on_change: Callable[[], object] = lambda: None) -> None:
        self._repo = repo
        self._on_change = on_change

    async def ensure_default(self) -> None:
        await self._repo.add_calendar_if_missing(default_calendar())

    async def get(self, calendar_id: str | None) -> WorkingCalendar:
        calendar = await self._repo.calendar(calendar_id or DEFAULT_CALENDAR_ID)
        if calendar is None:
            calendar = await self._repo.calendar(DEFAULT_CALENDAR_ID) or default_calendar()
        return calendar

    async def save(self, body: WorkingCalendar, now: datetime | None = None) -> WorkingCalendar:
        """An admin's save: the body as it is, keeping the years whose official holidays were
        added, plus this and the coming year's official holidays if it follows them and they
        were never added. Returns what was stored.

        Written over the revision read; when another save won meanwhile, the calendar is read
        and merged again (each lost round means another save was stored)."""
        now = now or datetime.now(UTC)
        while True:
            stored = await self._repo.stored_calendar(body.calendar_id)
            calendar = as_saved_by_admin(body, stored.calendar if stored else None)
            calendar = with_official_holidays(calendar, coming_years(calendar, now)) or calendar
            if await self._repo.save_calendar(calendar, stored.revision if stored else None):
                self._on_change()
                return calendar

    async def add_official_holidays(self, now: datetime | None = None) -> list[str]:
        """Add this and the coming Jalali year's official holidays to every calendar that follows
        them and lacks them; the ids of the calendars changed. With several routing processes,
        the first to write a calendar's revision adds them and the others find nothing to do."""
        now = now or datetime.now(UTC)
        changed = []
        for stored in await self._repo.stored_calendars():
            calendar = with_official_holidays(stored.calendar, coming_years(stored.calendar, now))
            if calendar is not None and await self._repo.save_calendar(calendar, stored.revision):
                added = set(calendar.official_holidays_added) - set(stored.calendar.official_holidays_added)
                log.info("calendar %s: official holidays of %s added", calendar.calendar_id, sorted(added))
                changed.append(calendar.calendar_id)
        if changed:
            self._on_change()
        return changed
