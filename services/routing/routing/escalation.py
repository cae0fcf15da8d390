"""The SLA watch: warn a unit at a share of its SLA, escalate at the deadline and beyond.

Each warning and each escalation level is written with a conditional update on the value
this process read, its event (`request.sla_warning`, `request.escalated`) staged in the same
write, so with several routing processes exactly one of them fires it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from contracts import RequestEscalatedV1, RequestSlaWarningV1
from routing.calendars import CalendarBook
from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from routing.domain.rules import Unit
from routing.metrics import SlaMetrics
from routing.settings import RoutingSettings
from routing.store.repository import CASES, RoutingRepository
from servicekit.outbox import Outbox, envelopes

log = logging.getLogger("routing.escalation")


def watch_at(
    settings: RoutingSettings, clock: sla.SlaClock, calendar: WorkingCalendar, *, warned: bool, level: int
) -> datetime | None:
    """When the watch must next look at a case in this state (stored with the case as `watch_at`)."""
    return sla.next_watch(
        clock,
        calendar,
        warned=warned,
        level=level,
        warning_share=settings.warning_share,
        overdue_step=settings.overdue_step,
    )


class EscalationWatch:
    def __init__(
        self,
        repo: RoutingRepository,
        outbox: Outbox,
        calendars: CalendarBook,
        settings: RoutingSettings,
        metrics: SlaMetrics | None = None,
    ) -> None:
        self._repo = repo
        self._metrics = metrics
        self._outbox = outbox
        self._calendars = calendars
        self._settings = settings

    async def scan(self, now: datetime | None = None) -> int:
        """Warn and escalate what is due; returns how many escalations this process fired.

        Only cases whose `watch_at` has come are read, so a scan costs what is due, not what
        is open.
        """
        now = now or datetime.now(UTC)
        fired = 0
        calendars: dict[str | None, WorkingCalendar] = {}  # read and parsed once per scan
        for case in await self._repo.cases_to_watch(now):
            if case.get("unit_id") is None:
                continue
            calendar_id = case.get("calendar_id")
            if calendar_id not in calendars:
                calendars[calendar_id] = await self._calendars.get(calendar_id)
            fired += await self._watch(case, calendars[calendar_id], now)
        if self._metrics is not None:
            self._metrics.overdue_cases.set(await self._repo.count_overdue(now))
            self._metrics.escalations.inc(fired)
        return fired

    async def _watch(self, case: dict[str, Any], calendar: WorkingCalendar, now: datetime) -> int:
        """Warn or escalate one case as due, then store when to look at it again."""
        clock = sla.SlaClock.model_validate(case["sla"])
        version, warned = case.get("version", 0), bool(case.get("warned"))
        level, fired = case.get("escalation_level", 0), 0
        if not warned and sla.warning_due(clock, calendar, now, self._settings.warning_share):
            if not await self._warn(case, version, sla.deadline(clock, calendar), now):
                return 0  # changed meanwhile: whoever changed it stored its next watch
            version, warned = version + 1, True
        due_level = sla.escalation_level_due(clock, calendar, now, self._settings.overdue_step)
        if due_level > level:
            if not await self._escalate(case, version, due_level, clock, calendar, now):
                return 0
            version, level, fired = version + 1, due_level, 1
        next_at = watch_at(self._settings, clock, calendar, warned=warned, level=level)
        await self._repo.set_watch(case, version, next_at)
        return fired

    async def _warn(
        self, case: dict[str, Any], version: int, deadline: datetime | None, now: datetime
    ) -> bool:
        event = RequestSlaWarningV1(
            request_id=case["_id"],
            tracking_code=case["tracking_code"],
            unit_id=case["unit_id"],
            share=self._settings.warning_share,
            due_at=deadline,
            warned_at=now,
        )
        audit = {
            "at": now,
            "by": "sla-watch",
            "action": "sla_warning",
            "from": case["status"],
            "to": case["status"],
            "unit_id": case["unit_id"],
            "reason": f"{self._settings.warning_share:.0%} of the SLA used",
        }
        expected = {"warned": False, "version": version}
        changes = {"warned": True, "warned_at": now}
        if await self._repo.apply(case["_id"], expected, changes, audit, envelopes("routing", event)) is None:
            return False  # changed meanwhile (another routing process warned first)
        await self._outbox.relay(CASES, case["_id"])
        return True

    async def _escalate(
        self,
        case: dict[str, Any],
        version: int,
        level: int,
        clock: sla.SlaClock,
        calendar: Any,
        now: datetime,
    ) -> int:
        target = await self._target(case["unit_id"], level)
        deadline = sla.deadline(clock, calendar) or now
        event = RequestEscalatedV1(
            request_id=case["_id"],
            tracking_code=case["tracking_code"],
            unit_id=case["unit_id"],
            escalated_to_unit_id=target.unit_id if target else None,
            escalated_to_unit_name_fa=target.name_fa if target else None,
            level=level,
            reason="sla_breached",
            due_at=deadline,
            escalated_at=now,
        )
        audit = {
            "at": now,
            "by": "sla-watch",
            "action": "escalate",
            "from": case["status"],
            "to": case["status"],
            "unit_id": target.unit_id if target else None,
            "reason": f"overdue, level {level}",
        }
        applied = await self._repo.apply(
            case["_id"],
            {"escalation_level": case.get("escalation_level", 0), "version": version},
            {
                "escalation_level": level,
                "escalated_to": target.unit_id if target else None,
                "escalated_at": now,
            },
            audit,
            envelopes("routing", event),
        )
        if applied is None:
            return 0  # another routing process escalated it first
        await self._outbox.relay(CASES, case["_id"])
        return 1

    async def _target(self, unit_id: str, level: int) -> Unit | None:
        """`level` steps up the escalation chain, stopping at its top."""
        unit, target = await self._repo.unit(unit_id), None
        for _ in range(level):
            if unit is None or unit.escalates_to is None:
                break
            unit = await self._repo.unit(unit.escalates_to)
            target = unit or target
        return target

    async def scan_and_log(self) -> None:
        fired = await self.scan()
        if fired:
            log.info("escalated %d case(s)", fired)
