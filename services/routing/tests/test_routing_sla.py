from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from pydantic import ValidationError

from routing.domain.calendar import Holiday, WorkingCalendar, add_working_time, working_time_between
from routing.domain.sla import (
    ClockAlreadyPaused,
    ClockNotPaused,
    ClockWentBack,
    SlaClock,
    consumed,
    deadline,
    escalation_level_due,
    next_watch,
    pause,
    restart,
    resume,
    share_used,
    start,
    warning_due,
    when_counted,
)

TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
CALENDAR = WorkingCalendar(calendar_id="district-4", name_fa="منطقه ۴")
# 1405/02/05 is a Saturday; working days 07:30–14:30, Thursday and Friday off.
SAT, SUN, MON, TUE, WED, FRI = (
    (1405, 2, 5),
    (1405, 2, 6),
    (1405, 2, 7),
    (1405, 2, 8),
    (1405, 2, 9),
    (1405, 2, 11),
)


def at(day: tuple[int, int, int], hour: int = 0, minute: int = 0) -> datetime:
    local: datetime = jdatetime.datetime(*day, hour, minute).togregorian().replace(tzinfo=TEHRAN)
    return local.astimezone(UTC)


def test_a_started_clock_is_due_after_its_budget_of_working_time() -> None:
    clock = start(14 * HOUR, at(SAT, 8))
    assert deadline(clock, CALENDAR) == at(MON, 8)
    assert clock.started_at.tzinfo is UTC


def test_a_clock_started_on_friday_counts_from_saturday_morning() -> None:
    clock = start(2 * HOUR, at(FRI, 18))
    assert deadline(clock, CALENDAR) == at((1405, 2, 12), 9, 30)


def test_pause_and_resume_move_the_deadline_by_the_paused_working_time() -> None:
    clock = start(14 * HOUR, at(SAT, 8))
    before = deadline(clock, CALENDAR)
    paused = pause(clock, at(SAT, 10))
    assert deadline(paused, CALENDAR) is None
    resumed = resume(paused, at(SUN, 12))
    after = deadline(resumed, CALENDAR)
    assert before is not None and after is not None
    paused_working_time = working_time_between(CALENDAR, at(SAT, 10), at(SUN, 12))
    assert paused_working_time == 9 * HOUR
    assert working_time_between(CALENDAR, before, after) == paused_working_time
    assert after == at(TUE, 10)


def test_a_pause_outside_working_hours_changes_nothing() -> None:
    clock = start(14 * HOUR, at(WED, 8))
    resumed = resume(pause(clock, at(WED, 16)), at((1405, 2, 12), 7))
    assert deadline(resumed, CALENDAR) == deadline(clock, CALENDAR)


def test_consumed_stands_still_while_paused() -> None:
    paused = pause(start(14 * HOUR, at(SAT, 8)), at(SAT, 10))
    assert consumed(paused, CALENDAR, at(SAT, 10)) == 2 * HOUR
    assert consumed(paused, CALENDAR, at(TUE, 12)) == 2 * HOUR
    resumed = resume(paused, at(TUE, 12))
    assert consumed(resumed, CALENDAR, at(TUE, 13)) == 3 * HOUR
    assert consumed(resumed, CALENDAR, at(SAT, 9, 30)) == 90 * MINUTE


def test_several_pauses_add_up() -> None:
    clock = start(7 * HOUR, at(SAT, 7, 30))
    for pause_at, resume_at in ((at(SAT, 8), at(SAT, 9)), (at(SAT, 10), at(SAT, 11))):
        clock = resume(pause(clock, pause_at), resume_at)
    assert len(clock.pauses) == 2
    assert deadline(clock, CALENDAR) == at(SUN, 9, 30)
    assert consumed(clock, CALENDAR, at(SUN, 9, 30)) == 7 * HOUR


def test_a_deadline_missed_before_a_pause_stays_where_it_was() -> None:
    clock = resume(pause(start(HOUR, at(SAT, 7, 30)), at(SAT, 10)), at(SUN, 7, 30))
    assert deadline(clock, CALENDAR) == at(SAT, 8, 30)
    assert consumed(clock, CALENDAR, at(SUN, 8)) == 3 * HOUR


def test_pausing_twice_and_resuming_a_running_clock_are_refused() -> None:
    paused = pause(start(HOUR, at(SAT, 8)), at(SAT, 9))
    with pytest.raises(ClockAlreadyPaused):
        pause(paused, at(SAT, 10))
    with pytest.raises(ClockNotPaused):
        resume(start(HOUR, at(SAT, 8)), at(SAT, 9))


def test_changes_before_the_last_one_are_refused() -> None:
    paused = pause(start(HOUR, at(SAT, 8)), at(SAT, 9))
    with pytest.raises(ClockWentBack):
        resume(paused, at(SAT, 8, 30))
    with pytest.raises(ClockWentBack):
        pause(start(HOUR, at(SAT, 8)), at(SAT, 7))
    with pytest.raises(ValueError, match="timezone-aware"):
        pause(start(HOUR, at(SAT, 8)), datetime(2026, 4, 25, 9))


def test_restart_starts_a_fresh_clock_and_keeps_a_pause() -> None:
    running = start(7 * HOUR, at(SAT, 8))
    restarted = restart(running, at(SUN, 10))
    assert consumed(restarted, CALENDAR, at(SUN, 11)) == HOUR
    assert deadline(restarted, CALENDAR) == at(MON, 10)
    paused = restart(pause(running, at(SAT, 9)), at(SUN, 10))
    assert paused.paused_at == at(SUN, 10)
    assert consumed(paused, CALENDAR, at(MON, 10)) == timedelta()


def test_warning_is_due_at_three_quarters_of_the_budget() -> None:
    clock = start(8 * HOUR, at(SAT, 7, 30))
    assert not warning_due(clock, CALENDAR, at(SAT, 13, 29))
    assert warning_due(clock, CALENDAR, at(SAT, 13, 30))
    assert share_used(clock, CALENDAR, at(SAT, 13, 30)) == 0.75
    assert warning_due(clock, CALENDAR, at(SAT, 11, 30), share=0.5)
    with pytest.raises(ValueError, match="share"):
        warning_due(clock, CALENDAR, at(SAT, 9), share=0)


def test_escalation_levels_rise_with_overdue_working_time() -> None:
    clock = start(7 * HOUR, at(SAT, 7, 30))
    step = 2 * HOUR
    expected = {
        at(SAT, 14, 29): 0,
        at(SAT, 14, 30): 1,
        at(SAT, 23): 1,
        at(SUN, 9, 30): 1,
        at(SUN, 9, 31): 2,
        at(SUN, 11, 30): 2,
        at(SUN, 11, 31): 3,
        at(MON, 7, 30): 4,
    }
    assert {moment: escalation_level_due(clock, CALENDAR, moment, step) for moment in expected} == expected
    with pytest.raises(ValueError, match="step"):
        escalation_level_due(clock, CALENDAR, at(SUN), timedelta())


def test_escalation_level_never_falls_as_time_passes() -> None:
    clock = resume(pause(start(3 * HOUR, at(SAT, 9)), at(SAT, 11)), at(SUN, 13))
    moments = [at(SAT, 9) + n * 10 * MINUTE for n in range(6 * 24 * 4)]
    levels = [escalation_level_due(clock, CALENDAR, moment, HOUR) for moment in moments]
    assert levels == sorted(levels)
    assert levels[-1] > 2


def test_escalation_starts_exactly_at_the_deadline() -> None:
    clock = resume(pause(start(10 * HOUR, at(SAT, 9)), at(SAT, 12)), at(MON, 8))
    due = deadline(clock, CALENDAR)
    assert due is not None
    assert escalation_level_due(clock, CALENDAR, due - MINUTE, HOUR) == 0
    assert escalation_level_due(clock, CALENDAR, due, HOUR) == 1


def test_an_announced_holiday_moves_an_open_deadline() -> None:
    clock = start(7 * HOUR, at(SAT, 9))
    with_holiday = CALENDAR.model_copy(update={"holidays": [Holiday(date="۱۴۰۵/۰۲/۰۶")]})
    assert deadline(clock, CALENDAR) == at(SUN, 9)
    assert deadline(clock, with_holiday) == at(MON, 9)
    assert deadline(clock, with_holiday) == add_working_time(with_holiday, at(SAT, 9), 7 * HOUR)


def test_the_clock_is_an_immutable_storable_document() -> None:
    clock = resume(pause(start(7 * HOUR, at(SAT, 9)), at(SAT, 10)), at(SAT, 11))
    clock = pause(clock, at(SAT, 12))
    assert SlaClock.model_validate(clock.model_dump(mode="json")) == clock
    with pytest.raises(ValidationError):
        clock.budget = HOUR  # type: ignore[misc]


def test_clock_documents_are_validated() -> None:
    with pytest.raises(ValidationError):
        SlaClock(budget=timedelta(), started_at=at(SAT, 9))
    with pytest.raises(ValidationError):
        SlaClock(budget=HOUR, started_at=datetime(2026, 4, 25, 9))
    with pytest.raises(ValidationError, match="time order"):
        SlaClock(budget=HOUR, started_at=at(SAT, 9), paused_at=at(SAT, 8))


def _work_done(clock: SlaClock, moment: datetime, warned: bool, level: int) -> bool:
    """Whether the SLA watch has anything to do at `moment` for a case in that state."""
    late = escalation_level_due(clock, CALENDAR, moment, HOUR) > level
    return late or (not warned and warning_due(clock, CALENDAR, moment))


@pytest.mark.parametrize(("warned", "level"), [(False, 0), (True, 0), (True, 1), (True, 3), (False, 2)])
def test_the_watch_has_nothing_to_do_for_a_case_before_its_next_watch(warned: bool, level: int) -> None:
    clock = resume(pause(start(5 * HOUR, at(SAT, 9)), at(SAT, 11)), at(SUN, 13))
    watch = next_watch(clock, CALENDAR, warned=warned, level=level, warning_share=0.75, overdue_step=HOUR)
    assert watch is not None
    moments = [at(SAT, 9) + n * 10 * MINUTE for n in range(6 * 24 * 4)]
    assert not any(_work_done(clock, moment, warned, level) for moment in moments if moment < watch)
    # and from a moment after it there is (level L + 1 starts once overdue by more than L steps)
    assert _work_done(clock, add_working_time(CALENDAR, watch, MINUTE), warned, level)


def test_the_next_watch_is_the_warning_then_the_deadline_then_each_step() -> None:
    clock = start(8 * HOUR, at(SAT, 7, 30))
    watch = partial(next_watch, clock, CALENDAR, warning_share=0.75, overdue_step=2 * HOUR)
    assert watch(warned=False, level=0) == at(SAT, 13, 30)
    assert watch(warned=True, level=0) == deadline(clock, CALENDAR) == at(SUN, 8, 30)  # 7 h a day
    assert watch(warned=True, level=1) == at(SUN, 10, 30)
    assert watch(warned=False, level=1) == at(SAT, 13, 30)  # a warning not yet sent comes first


def test_a_paused_clock_is_watched_only_for_what_it_reached_before_the_pause() -> None:
    paused = pause(start(8 * HOUR, at(SAT, 7, 30)), at(SAT, 14))
    assert next_watch(paused, CALENDAR, warned=False, level=0, warning_share=0.75, overdue_step=HOUR) == at(
        SAT, 13, 30
    )
    assert next_watch(paused, CALENDAR, warned=True, level=0, warning_share=0.75, overdue_step=HOUR) is None
    assert when_counted(paused, CALENDAR, 6 * HOUR) == at(SAT, 13, 30)
    assert when_counted(paused, CALENDAR, 7 * HOUR) is None
