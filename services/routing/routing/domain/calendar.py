"""Working time on the Iranian calendar: which moments count towards an SLA, to the minute.

Datetimes go in and come out timezone-aware in UTC; days, opening hours and holidays are
read in the calendar's own timezone. A working window is half-open: at closing time the
office is already closed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import jdatetime
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_IDLE_DAYS = 400
"""Consecutive days without working time after which a calendar is treated as broken."""

_JALALI = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")


def _normalise_jalali(value: str) -> str:
    # `\d` and int() accept Persian and Arabic-Indic digits as well as ASCII ones.
    match = _JALALI.fullmatch(value.strip())
    if match is None:
        raise ValueError("a Jalali date is written YYYY/MM/DD")
    year, month, day = (int(part) for part in match.groups())
    return jalali_text(jdatetime.date(year, month, day))


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {value!r}") from error
    return value


JalaliDate = Annotated[str, AfterValidator(_normalise_jalali)]
"""A Jalali date stored as "YYYY/MM/DD" in ASCII digits; Persian digits are accepted on input."""
JalaliYear = Annotated[int, Field(ge=1300, le=1700)]


def jalali_text(day: jdatetime.date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


@functools.lru_cache(maxsize=4096)  # every SLA computation converts the calendar's holidays
def jalali_to_gregorian(text: str) -> date:
    year, month, day = (int(part) for part in _normalise_jalali(text).split("/"))
    gregorian: date = jdatetime.date(year, month, day).togregorian()
    return gregorian


class WorkingHours(BaseModel):
    """One opening window in local wall-clock time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closes(self) -> WorkingHours:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are wall-clock times without a timezone")
        if self.opens >= self.closes:
            raise ValueError("an office must open before it closes")
        return self


# Regular hours of Iranian government offices; municipalities mostly follow them.
STANDARD_DAY = WorkingHours(opens=time(7, 30), closes=time(14, 30))
THURSDAY_MORNING = WorkingHours(opens=time(7, 30), closes=time(12, 30))


class Week(BaseModel):
    """Saturday to Wednesday; `None` closes the office on that weekday."""

    model_config = ConfigDict(extra="forbid")

    saturday: WorkingHours | None = STANDARD_DAY
    sunday: WorkingHours | None = STANDARD_DAY
    monday: WorkingHours | None = STANDARD_DAY
    tuesday: WorkingHours | None = STANDARD_DAY
    wednesday: WorkingHours | None = STANDARD_DAY


class Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: JalaliDate
    name_fa: str | None = None
    estimated: bool = Field(default=False, description="a lunar date not yet announced officially")


class ExtraWorkingDay(BaseModel):
    """A day the government declares working; its hours replace the week and the holiday list."""

    model_config = ConfigDict(extra="forbid")

    date: JalaliDate
    hours: WorkingHours = STANDARD_DAY


class WorkingCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calendar_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,47}$")
    name_fa: str
    timezone: Annotated[str, AfterValidator(_valid_timezone)] = "Asia/Tehran"
    week: Week = Field(default_factory=Week)
    thursday: Literal["off", "half", "full"] = "off"
    thursday_half_hours: WorkingHours = THURSDAY_MORNING
    thursday_full_hours: WorkingHours = STANDARD_DAY
    holidays: list[Holiday] = Field(default_factory=list)
    extra_working_days: list[ExtraWorkingDay] = Field(default_factory=list)
    follows_official_holidays: bool = Field(
        default=True,
        description="Iran's official holidays of this and the coming Jalali year are added by themselves",
    )
    official_holidays_added: list[JalaliYear] = Field(
        default_factory=list,
        description="Jalali years whose official holidays were added; a day removed afterwards stays "
        "removed. Kept by the service: a save can name more years (their holidays are then not "
        "added), never fewer",
    )

    @model_validator(mode="after")
    def _consistent(self) -> WorkingCalendar:
        if self.thursday == "off" and all(hours is None for hours in self.week.model_dump().values()):
            raise ValueError("a working calendar needs at least one working weekday")
        for label, dates in (
            ("holiday", [holiday.date for holiday in self.holidays]),
            ("extra working day", [day.date for day in self.extra_working_days]),
        ):
            if len(set(dates)) != len(dates):
                raise ValueError(f"a {label} date appears twice")
        return self

    @field_validator("official_holidays_added")
    @classmethod
    def _each_year_once(cls, years: list[int]) -> list[int]:
        return sorted(set(years))


def seed_holidays(jalali_year: int) -> list[Holiday]:
    """Iran's official holidays in one Jalali year, from the `holidays` package, in date order.

    The package appends "(تخمینی)" to the names of lunar holidays whose dates are not yet
    confirmed (`islamic_show_estimated`, on by default); a second, label-free copy gives the
    plain names, and a day counts as estimated only when every holiday falling on it is.
    """
    first: date = jdatetime.date(jalali_year, 1, 1).togregorian()
    last: date = jdatetime.date(jalali_year + 1, 1, 1).togregorian() - timedelta(days=1)
    years = sorted({first.year, last.year})
    labelled = holidays.country_holidays("IR", years=years, language="fa_IR")
    plain = holidays.country_holidays("IR", years=years, language="fa_IR", islamic_show_estimated=False)
    seeded = []
    for day in sorted(day for day in labelled if first <= day <= last):
        names = plain.get_list(day)
        estimated = not set(names) & set(labelled.get_list(day))
        jalali = jalali_text(jdatetime.date.fromgregorian(date=day))
        seeded.append(Holiday(date=jalali, name_fa="؛ ".join(names), estimated=estimated))
    return seeded


@dataclass(frozen=True)
class _Schedule:
    zone: ZoneInfo
    weekly: dict[int, WorkingHours]
    closed: frozenset[date]
    extra: dict[date, WorkingHours]

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        if day in self.extra:
            hours: WorkingHours | None = self.extra[day]
        else:
            hours = None if day in self.closed else self.weekly.get(day.weekday())
        if hours is None:
            return None
        opens = datetime.combine(day, hours.opens, tzinfo=self.zone)
        closes = datetime.combine(day, hours.closes, tzinfo=self.zone)
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def _schedule(calendar: WorkingCalendar) -> _Schedule:
    week = calendar.week
    # date.weekday(): Monday is 0, so Saturday is 5 and Friday (4) never works.
    weekly = {5: week.saturday, 6: week.sunday, 0: week.monday, 1: week.tuesday, 2: week.wednesday}
    if calendar.thursday != "off":
        full = calendar.thursday == "full"
        weekly[3] = calendar.thursday_full_hours if full else calendar.thursday_half_hours
    return _Schedule(
        zone=ZoneInfo(calendar.timezone),
        weekly={weekday: hours for weekday, hours in weekly.items() if hours is not None},
        closed=frozenset(jalali_to_gregorian(holiday.date) for holiday in calendar.holidays),
        extra={jalali_to_gregorian(day.date): day.hours for day in calendar.extra_working_days},
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return moment.astimezone(UTC)


def _windows(schedule: _Schedule, first: date, last: date | None) -> Iterator[tuple[datetime, datetime]]:
    """Working windows day by day from `first` to `last`, or without end when `last` is None."""
    day, idle = first, 0
    while last is None or day <= last:
        window = schedule.window(day)
        if window is not None:
            idle = 0
            yield window
        elif last is None:
            idle += 1
            if idle > MAX_IDLE_DAYS:
                raise ValueError(f"no working time in {MAX_IDLE_DAYS} consecutive days")
        day += timedelta(days=1)


def working_intervals(
    calendar: WorkingCalendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The working parts of [start, end), in order, as non-empty UTC intervals."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return
    schedule = _schedule(calendar)
    for opens, closes in _windows(schedule, schedule.local_day(start), schedule.local_day(end)):
        opens, closes = max(opens, start), min(closes, end)
        if opens < closes:
            yield opens, closes


def working_time_between(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end); zero when end is not after start."""
    return sum((closes - opens for opens, closes in working_intervals(calendar, start, end)), timedelta())


def add_working_time(calendar: WorkingCalendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest moment by which `duration` of working time has passed since `start`.

    Outside working hours the clock starts at the next opening, so a zero duration gives the
    next working moment (`start` itself during working hours). A deadline reached exactly at
    closing time is that closing time, not the next opening.
    """
    if duration < timedelta():
        raise ValueError("a working duration cannot be negative")
    start = _utc(start)
    schedule = _schedule(calendar)
    remaining = duration
    for opens, closes in _windows(schedule, schedule.local_day(start), None):
        opens = max(opens, start)
        if opens >= closes:
            continue
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("working windows never run out")
