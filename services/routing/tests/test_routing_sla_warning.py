"""The SLA watch's warning: `request.sla_warning` is staged in the very write that marks the case
warned, so it is told once per case however many watches look, and relayed like an escalation."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime
import pytest

from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from routing.domain.rules import Unit
from routing.escalation import EscalationWatch, watch_at
from routing.settings import RoutingSettings
from routing.store.repository import CASES

pytestmark = pytest.mark.unit

TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = timedelta(hours=1)
SETTINGS = RoutingSettings(
    mongodb_url="mongodb://store/routing", amqp_url="amqp://broker/", jwt_secret="x" * 32
)
CALENDAR = WorkingCalendar(calendar_id="default", name_fa="تقویم کاری ادارات")
UNITS = {
    "d1-services": Unit(
        unit_id="d1-services", name_fa="معاونت خدمات شهری منطقه یک", name_en="D1", escalates_to="d1-office"
    ),
    "d1-office": Unit(unit_id="d1-office", name_fa="شهرداری منطقه یک", name_en="District 1"),
}
# 1405/02/05 is a Saturday; working days 07:30–14:30.
SAT = (1405, 2, 5)


def at(day: tuple[int, int, int], hour: int, minute: int = 0) -> datetime:
    local: datetime = jdatetime.datetime(*day, hour, minute).togregorian().replace(tzinfo=TEHRAN)
    return local.astimezone(UTC)


CLOCK = sla.start(8 * HOUR, at(SAT, 7, 30))  # 75 % used at 13:30, due Sunday 08:30


def open_case(request_id: str = "r-1") -> dict[str, Any]:
    return {
        "_id": request_id,
        "tracking_code": "140312345678",
        "status": "accepted",
        "unit_id": "d1-services",
        "calendar_id": "default",
        "sla": CLOCK.model_dump(mode="json"),
        "due_at": sla.deadline(CLOCK, CALENDAR),
        "watch_at": watch_at(SETTINGS, CLOCK, CALENDAR, warned=False, level=0),
        "warned": False,
        "escalation_level": 0,
        "version": 2,
        "history": [],
        "outbox": [],
    }


class FakeRepository:
    """What the watch asks of the store, over one dict of cases shared by every watch."""

    def __init__(self, *cases: dict[str, Any]) -> None:
        self.cases = {case["_id"]: case for case in cases}

    async def cases_to_watch(self, now: datetime) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(c) for c in self.cases.values() if c["watch_at"] is None or c["watch_at"] <= now
        ]

    async def apply(
        self,
        request_id: str,
        expected: dict[str, Any],
        changes: dict[str, Any],
        audit: dict[str, Any],
        events: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        case = self.cases[request_id]
        if any(case.get(field) != value for field, value in expected.items()):
            return None
        case |= changes | {"version": case["version"] + 1}
        case["history"].append(audit)
        case["outbox"].extend(events)
        return copy.deepcopy(case)

    async def set_watch(self, case: dict[str, Any], version: int, watch_at: datetime | None) -> None:
        stored = self.cases[case["_id"]]
        if stored["version"] == version:
            stored["watch_at"] = watch_at

    async def unit(self, unit_id: str) -> Unit | None:
        return UNITS.get(unit_id)

    def staged(self, event_type: str) -> list[dict[str, Any]]:
        return [e for case in self.cases.values() for e in case["outbox"] if e["type"] == event_type]


class FakeOutbox:
    def __init__(self) -> None:
        self.relayed: list[tuple[str, str]] = []

    async def relay(self, collection: str, document_id: str) -> None:
        self.relayed.append((collection, document_id))


class Calendars:
    async def get(self, calendar_id: str | None) -> WorkingCalendar:
        return CALENDAR


def watch_over(repo: FakeRepository, outbox: FakeOutbox) -> EscalationWatch:
    return EscalationWatch(repo, outbox, Calendars(), SETTINGS)  # type: ignore[arg-type]


async def test_the_warning_share_stages_one_warning_with_the_deadline_and_relays_it() -> None:
    repo, outbox = FakeRepository(open_case()), FakeOutbox()
    watch = watch_over(repo, outbox)
    assert await watch.scan(at(SAT, 13, 29)) == 0
    assert repo.staged("request.sla_warning.v1") == []
    assert await watch.scan(at(SAT, 13, 30)) == 0  # a warning is not an escalation
    [event] = repo.staged("request.sla_warning.v1")
    assert event["payload"] == {
        "request_id": "r-1",
        "tracking_code": "140312345678",
        "unit_id": "d1-services",
        "share": 0.75,
        "due_at": "2026-04-26T05:00:00Z",  # Sunday 08:30 in Tehran
        "warned_at": "2026-04-25T10:00:00Z",
    }
    assert event["producer"] == "routing"
    case = repo.cases["r-1"]
    assert (case["warned"], case["version"]) == (True, 3)
    assert [entry["action"] for entry in case["history"]] == ["sla_warning"]
    assert outbox.relayed == [(CASES, "r-1")]
    assert case["watch_at"] == at((1405, 2, 6), 8, 30)  # next: the deadline


async def test_two_watches_and_later_scans_warn_a_case_once() -> None:
    repo = FakeRepository(open_case("r-1"), open_case("r-2"))
    first, second = watch_over(repo, FakeOutbox()), watch_over(repo, FakeOutbox())
    moment = at(SAT, 14)
    # both read the cases before either writes, as two routing processes would
    seen = await repo.cases_to_watch(moment)
    for case in seen:
        await first._watch(case, CALENDAR, moment)
        await second._watch(copy.deepcopy(case), CALENDAR, moment)
    await first.scan(moment + HOUR)
    warnings = repo.staged("request.sla_warning.v1")
    assert sorted(e["payload"]["request_id"] for e in warnings) == ["r-1", "r-2"]
    assert len({e["event_id"] for e in warnings}) == 2


async def test_a_warning_and_the_escalation_due_together_are_both_staged_once() -> None:
    repo, outbox = FakeRepository(open_case()), FakeOutbox()
    late = at((1405, 2, 6), 9)  # the watch was away past the deadline
    assert await watch_over(repo, outbox).scan(late) == 1
    assert [e["type"] for e in repo.cases["r-1"]["outbox"]] == [
        "request.sla_warning.v1",
        "request.escalated.v1",
    ]
    assert repo.cases["r-1"]["version"] == 4
    assert await watch_over(repo, outbox).scan(late + HOUR) == 0
    assert len(repo.cases["r-1"]["outbox"]) == 2
