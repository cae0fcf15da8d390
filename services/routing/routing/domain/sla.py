"""The SLA clock of one case: a budget of working time, paused while waiting for the citizen.

A clock is an immutable value that records when it ran and when it was paused; the working
time consumed and the deadline are derived from it with a working calendar, so a corrected
holiday list is honoured by every open case at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from routing.domain.calendar import WorkingCalendar, add_working_time, working_time_between


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]


class SlaClockError(ValueError):
    """An SLA clock was asked for a change it cannot make."""

    message_fa = "مهلت رسیدگی این درخواست را نمی‌توان این‌گونه تغییر داد"


class ClockAlreadyPaused(SlaClockError):
    message_fa = "مهلت رسیدگی این درخواست از قبل متوقف شده است"

    def __init__(self) -> None:
        super().__init__("the SLA clock is already paused")


class ClockNotPaused(SlaClockError):
    message_fa = "مهلت رسیدگی این درخواست متوقف نشده است و در جریان است"

    def __init__(self) -> None:
        super().__init__("the SLA clock is not paused")


class ClockWentBack(SlaClockError):
    message_fa = "مهلت رسیدگی این درخواست به‌تازگی تغییر کرده است؛ چند لحظه دیگر دوباره تلاش کنید"

    def __init__(self, at: datetime, last_change: datetime) -> None:
        super().__init__(f"the SLA clock last changed at {last_change.isoformat()}, after {at.isoformat()}")


class Pause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    paused_at: UtcDatetime
    resumed_at: UtcDatetime


class SlaClock(BaseModel):
    """Ran from `started_at`, except during `pauses` and since `paused_at` when that is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget: timedelta = Field(gt=timedelta(), description="working time allowed")
    started_at: UtcDatetime
    pauses: tuple[Pause, ...] = ()
    paused_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _in_order(self) -> SlaClock:
        moments = [self.started_at]
        moments += [moment for pause in self.pauses for moment in (pause.paused_at, pause.resumed_at)]
        moments += [] if self.paused_at is None else [self.paused_at]
        if moments != sorted(moments):
            raise ValueError("an SLA clock's starts, pauses and resumes must be in time order")
        return self

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def running_since(self) -> datetime:
        """The start of the last running span (the current one unless paused)."""
        return self.pauses[-1].resumed_at if self.pauses else self.started_at

    @property
    def last_change(self) -> datetime:
        return self.running_since if self.paused_at is None else self.paused_at

    def closed_spans(self) -> list[tuple[datetime, datetime]]:
        """The spans the clock ran before each completed pause."""
        starts = [self.started_at, *(pause.resumed_at for pause in self.pauses)]
        return list(zip(starts, [pause.paused_at for pause in self.pauses], strict=False))


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return at.astimezone(UTC)


def _checked(clock: SlaClock, at: datetime) -> datetime:
    at = _utc(at)
    if at < clock.last_change:
        raise ClockWentBack(at, clock.last_change)
    return at


def start(budget: timedelta, at: datetime) -> SlaClock:
    return SlaClock(budget=budget, started_at=_utc(at))


def pause(clock: SlaClock, at: datetime) -> SlaClock:
    """Stop counting, e.g. while waiting for the citizen; pausing a paused clock is refused."""
    if clock.is_paused:
        raise ClockAlreadyPaused()
    return clock.model_copy(update={"paused_at": _checked(clock, at)})


def resume(clock: SlaClock, at: datetime) -> SlaClock:
    if clock.paused_at is None:
        raise ClockNotPaused()
    pause_ = Pause(paused_at=clock.paused_at, resumed_at=_checked(clock, at))
    return clock.model_copy(update={"pauses": (*clock.pauses, pause_), "paused_at": None})


def restart(clock: SlaClock, at: datetime) -> SlaClock:
    """A fresh clock with the same budget from `at`; a paused clock stays paused."""
    at = _checked(clock, at)
    return SlaClock(budget=clock.budget, started_at=at, paused_at=at if clock.is_paused else None)


def consumed(clock: SlaClock, calendar: WorkingCalendar, at: datetime) -> timedelta:
    """Working time the clock has counted up to `at`."""
    at = _utc(at)
    spans = [*clock.closed_spans(), (clock.running_since, clock.paused_at or at)]
    return sum(
        (working_time_between(calendar, ran_from, min(ran_to, at)) for ran_from, ran_to in spans), timedelta()
    )


def deadline(clock: SlaClock, calendar: WorkingCalendar) -> datetime | None:
    """When the budget is (or was) used up; None while paused.

    A pause before the deadline moves it later by exactly the working time spent paused; a
    deadline already missed before a pause stays where it was.
    """
    return None if clock.is_paused else when_counted(clock, calendar, clock.budget)


def when_counted(clock: SlaClock, calendar: WorkingCalendar, amount: timedelta) -> datetime | None:
    """When the clock has counted `amount` of working time (a past moment if it already has);
    None if it is paused short of it."""
    remaining = amount
    spans = clock.closed_spans() + ([(clock.running_since, clock.paused_at)] if clock.paused_at else [])
    for ran_from, ran_to in spans:
        span = working_time_between(calendar, ran_from, ran_to)
        if remaining <= span:
            return add_working_time(calendar, ran_from, remaining)
        remaining -= span
    return None if clock.is_paused else add_working_time(calendar, clock.running_since, remaining)


def next_watch(
    clock: SlaClock,
    calendar: WorkingCalendar,
    *,
    warned: bool,
    level: int,
    warning_share: float,
    overdue_step: timedelta,
) -> datetime | None:
    """The first moment the SLA watch has something to do for a case: its warning, unless sent,
    or its next escalation level; None while the clock is paused short of both.

    Level 1 is due at the deadline and level L + 1 once overdue by more than L steps
    (`escalation_level_due`), so the watch need not look at a case before then.
    """
    amount = clock.budget + overdue_step * level
    if not warned:
        amount = min(amount, clock.budget * warning_share)
    return when_counted(clock, calendar, amount)


def share_used(clock: SlaClock, calendar: WorkingCalendar, at: datetime) -> float:
    """Consumed working time as a share of the budget; above 1 once overdue."""
    return consumed(clock, calendar, at) / clock.budget


def warning_due(clock: SlaClock, calendar: WorkingCalendar, at: datetime, share: float = 0.75) -> bool:
    if not 0 < share <= 1:
        raise ValueError("the warning share is in (0, 1]")
    return share_used(clock, calendar, at) >= share


def escalation_level_due(
    clock: SlaClock, calendar: WorkingCalendar, at: datetime, overdue_step: timedelta
) -> int:
    """0 before the deadline, 1 from it, 2 once overdue by more than `overdue_step`, 3 by more
    than twice that, and so on; overdue time is working time.

    The level never decreases as `at` advances, so a caller that stores the level reached and
    escalates only when a conditional update raises it escalates exactly once per level.
    """
    if overdue_step <= timedelta():
        raise ValueError("the overdue step must be positive")
    overdue = consumed(clock, calendar, at) - clock.budget
    if overdue < timedelta():
        return 0
    return max(1, -(-overdue // overdue_step))
