"""A corrected calendar moves open deadlines: the decision per case, and the pass over the cases
(against an in-memory store) with a clerk or the SLA watch changing a case meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime
import pytest

from routing.calendars import DEFAULT_CALENDAR_ID
from routing.deadlines import DeadlineRecompute, rescheduled
from routing.domain import sla
from routing.domain.calendar import Holiday, WorkingCalendar
from routing.escalation import watch_at
from routing.settings import RoutingSettings
from routing.store.repository import StoredCalendar

pytestmark = pytest.mark.unit

TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = timedelta(hours=1)
SETTINGS = RoutingSettings(
    mongodb_url="mongodb://store/routing", amqp_url="amqp://broker/", jwt_secret="x" * 32
)
CALENDAR = WorkingCalendar(calendar_id=DEFAULT_CALENDAR_ID, name_fa="تقویم کاری ادارات")
# 1405/02/05 is a Saturday; the weeks around it have no official holiday.
SAT, SUN, MON = (1405, 2, 5), (1405, 2, 6), (1405, 2, 7)


def at(day: tuple[int, int, int], hour: int = 0, minute: int = 0) -> datetime:
    local: datetime = jdatetime.datetime(*day, hour, minute).togregorian().replace(tzinfo=TEHRAN)
    return local.astimezone(UTC)


def holiday_on(day: tuple[int, int, int], calendar: WorkingCalendar = CALENDAR) -> WorkingCalendar:
    date = "/".join(f"{part:02d}" for part in day)
    return calendar.model_copy(update={"holidays": [*calendar.holidays, Holiday(date=date)]})


def case_under(
    calendar: WorkingCalendar, clock: sla.SlaClock, *, warned: bool = False, level: int = 0, **fields: Any
) -> dict[str, Any]:
    """A case as routing stores it, its deadline and next watch computed under `calendar`."""
    return {
        "_id": fields.pop("_id", "r-1"),
        "tracking_code": "140312345678",
        "status": "accepted",
        "unit_id": "d1-services",
        "calendar_id": calendar.calendar_id,
        "sla": clock.model_dump(mode="json"),
        "due_at": sla.deadline(clock, calendar),
        "watch_at": watch_at(SETTINGS, clock, calendar, warned=warned, level=level),
        "warned": warned,
        "escalation_level": level,
        "version": 3,
        **fields,
    }


def test_an_unchanged_calendar_changes_nothing_even_with_what_the_store_drops_of_a_datetime() -> None:
    case = case_under(CALENDAR, sla.start(7 * HOUR, at(SAT, 9, 0) + timedelta(microseconds=987_654)))
    stored = case | {
        "due_at": case["due_at"].replace(microsecond=987_000),
        "watch_at": case["watch_at"].replace(microsecond=987_000),
    }
    assert rescheduled(stored, CALENDAR, SETTINGS) is None


def test_a_holiday_on_the_deadline_day_moves_the_deadline_and_the_watch_later() -> None:
    case = case_under(CALENDAR, sla.start(7 * HOUR, at(SAT, 9)), warned=True)
    assert case["due_at"] == at(SUN, 9)
    change = rescheduled(case, holiday_on(SUN), SETTINGS)
    assert change is not None
    assert change.deadline_moved
    assert change.due_at == at(MON, 9) == change.watch_at
    assert change.previous_due_at == at(SUN, 9)


def test_a_holiday_after_the_deadline_moves_only_the_next_escalation_watch() -> None:
    clock = sla.start(7 * HOUR, at(SAT, 9))  # due Sunday 9:00; level 2 once 8 h more are overdue
    case = case_under(CALENDAR, clock, warned=True, level=1)
    change = rescheduled(case, holiday_on(MON), SETTINGS)
    assert change is not None
    assert not change.deadline_moved
    assert change.due_at == case["due_at"]
    assert change.watch_at is not None and change.watch_at > case["watch_at"]


def test_a_paused_clock_has_no_deadline_to_move() -> None:
    clock = sla.pause(sla.start(7 * HOUR, at(SAT, 9)), at(SAT, 10))
    case = case_under(CALENDAR, clock, warned=True)
    assert case["due_at"] is None and case["watch_at"] is None
    assert rescheduled(case, holiday_on(SUN), SETTINGS) is None


class FakeRepository:
    """The part of RoutingRepository the recompute uses, over dicts; `meanwhile` changes a case
    (as a clerk would) just before the recompute's first write to it."""

    def __init__(self, calendars: list[StoredCalendar], cases: list[dict[str, Any]]) -> None:
        self.calendars = {stored.calendar.calendar_id: stored for stored in calendars}
        self.leases: dict[str, str] = {}
        self.cases = {case["_id"]: dict(case) for case in cases}
        self.meanwhile: dict[str, dict[str, Any]] = {}
        self.pages: list[int] = []

    async def stored_calendars(self) -> list[StoredCalendar]:
        return list(self.calendars.values())

    async def claim_recompute(
        self, calendar_id: str, token: str, now: Any, until: Any
    ) -> StoredCalendar | None:
        if self.leases.get(calendar_id, token) != token:
            return None
        self.leases[calendar_id] = token
        return self.calendars[calendar_id]

    async def renew_recompute(self, calendar_id: str, token: str, until: Any) -> bool:
        return self.leases.get(calendar_id) == token

    async def finish_recompute(self, calendar_id: str, token: str, revision: int) -> None:
        if self.leases.pop(calendar_id, None) == token:
            stored = self.calendars[calendar_id]
            recomputed = max(stored.recomputed, revision)
            self.calendars[calendar_id] = StoredCalendar(stored.calendar, stored.revision, recomputed)

    async def open_cases_on_calendar(
        self, calendar_id: str, *, besides: list[str] | None, after: str | None, limit: int
    ) -> list[dict[str, Any]]:
        def governed(case: dict[str, Any]) -> bool:
            on = case.get("calendar_id")
            return on not in besides if besides is not None else on == calendar_id

        page = sorted(
            (dict(c) for c in self.cases.values() if governed(c) and (after is None or c["_id"] > after)),
            key=lambda c: c["_id"],
        )[:limit]
        self.pages.append(len(page))
        return page

    async def case(self, request_id: str) -> dict[str, Any] | None:
        return dict(self.cases[request_id])

    async def reschedule(
        self, case: dict[str, Any], changes: dict[str, Any], audit: Any, events: list[Any]
    ) -> bool:
        stored = self.cases[case["_id"]]
        if case["_id"] in self.meanwhile:
            stored |= self.meanwhile.pop(case["_id"])
        if (stored["version"], stored["watch_at"]) != (case["version"], case.get("watch_at")):
            return False
        stored |= changes
        if audit is not None:
            stored["version"] += 1
            stored.setdefault("history", []).append(audit)
            stored.setdefault("outbox", []).extend(events)
        return True


class FakeOutbox:
    def __init__(self) -> None:
        self.relayed: list[str] = []

    async def relay(self, collection: str, document_id: str) -> None:
        self.relayed.append(document_id)


def _recompute(repo: FakeRepository, outbox: FakeOutbox, page: int = 500) -> DeadlineRecompute:
    return DeadlineRecompute(repo, outbox, SETTINGS, page=page)  # type: ignore[arg-type]


async def test_a_saved_holiday_moves_each_open_case_once_page_by_page_audited_and_told() -> None:
    corrected = holiday_on(SUN)
    clocks = [sla.start(7 * HOUR, at(SAT, 9) + n * timedelta(minutes=1)) for n in range(5)]
    cases = [case_under(CALENDAR, clock, warned=True, _id=f"r-{n}") for n, clock in enumerate(clocks)]
    cases.append(case_under(CALENDAR, clocks[0], _id="r-other", calendar_id="district-4"))
    repo = FakeRepository(
        [
            StoredCalendar(corrected, 2, 1),
            StoredCalendar(CALENDAR.model_copy(update={"calendar_id": "district-4"}), 1, 1),
        ],
        cases,
    )
    outbox = FakeOutbox()
    assert await _recompute(repo, outbox, page=2).run_due() == 5
    assert repo.pages == [2, 2, 1]
    for n in range(5):
        moved = repo.cases[f"r-{n}"]
        assert moved["due_at"] == at(MON, 9) + n * timedelta(minutes=1)
        assert moved["version"] == 4
        (entry,) = moved["history"]
        assert entry["action"] == "deadline_recomputed"
        assert "تقویم کاری اصلاح‌شده" in entry["reason"]
        (event,) = moved["outbox"]
        assert event["type"] == "request.deadline_changed.v1"
        assert event["payload"]["due_at"] == moved["due_at"].isoformat().replace("+00:00", "Z")
    assert repo.cases["r-other"]["due_at"] == at(SUN, 9)  # on a calendar of its own
    assert sorted(outbox.relayed) == [f"r-{n}" for n in range(5)]
    assert repo.calendars[DEFAULT_CALENDAR_ID].recomputed == 2
    assert await _recompute(repo, outbox).run_due() == 0  # nothing due any more


async def test_a_case_changed_meanwhile_is_read_again_and_recomputed_from_what_it_is_now() -> None:
    corrected = holiday_on(SUN)
    clock = sla.start(7 * HOUR, at(SAT, 9))
    repo = FakeRepository([StoredCalendar(corrected, 2, 1)], [case_under(CALENDAR, clock, warned=True)])
    # a clerk asked the citizen (clock paused) and the citizen answered, under the old calendar
    resumed = sla.resume(sla.pause(clock, at(SAT, 10)), at(SAT, 11))
    repo.meanwhile["r-1"] = {
        "version": 4,
        "status": "in_progress",
        "sla": resumed.model_dump(mode="json"),
        "due_at": sla.deadline(resumed, CALENDAR),
        "watch_at": sla.deadline(resumed, CALENDAR),
    }
    assert await _recompute(repo, FakeOutbox()).run_due() == 1
    case = repo.cases["r-1"]
    assert case["version"] == 5
    assert case["due_at"] == sla.deadline(resumed, corrected) == at(MON, 10)


async def test_another_process_holding_the_calendar_leaves_it_to_that_process() -> None:
    repo = FakeRepository(
        [StoredCalendar(holiday_on(SUN), 2, 1)], [case_under(CALENDAR, sla.start(7 * HOUR, at(SAT, 9)))]
    )
    repo.leases[DEFAULT_CALENDAR_ID] = "another-process"
    assert await _recompute(repo, FakeOutbox()).run_due() == 0
    assert repo.cases["r-1"]["version"] == 3
