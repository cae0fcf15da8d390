"""The SLA watch: warn a unit at a share of its SLA, escalate at the deadline and beyond.

Each warning and each escalation level is written with a conditional update on the value
this process read, so with several routing processes exactly one of them fires it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from contracts import RequestEscalatedV1
from routing.calendars import CalendarBook
from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from routing.domain.rules import Unit
from routing.metrics import SlaMetrics
from routing.settings import RoutingSettings
from routing.store.repository import CASES, RoutingRepository
from servicekit.outbox import Outbox, envelopes
from servicekit.periodic import Periodic

log = logging.getLogger("routing.escalation")


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
        self._periodic = Periodic("sla-watch", self._scan_and_log, settings.escalation_scan_seconds)

    async def scan(self, now: datetime | None = None) -> int:
        """Warn and escalate what is due; returns how many escalations this process fired."""
        now = now or datetime.now(UTC)
        fired = overdue = 0
        calendars: dict[str | None, WorkingCalendar] = {}  # read and parsed once per scan
        for case in await self._repo.open_cases():
            if case.get("unit_id") is None:
                continue
            clock = sla.SlaClock.model_validate(case["sla"])
            calendar_id = case.get("calendar_id")
            if calendar_id not in calendars:
                calendars[calendar_id] = await self._calendars.get(calendar_id)
            calendar = calendars[calendar_id]
            if not case.get("warned") and sla.warning_due(clock, calendar, now, self._settings.warning_share):
                await self._warn(case, now)
            level = sla.escalation_level_due(clock, calendar, now, self._settings.overdue_step)
            overdue += level > 0
            if level > case.get("escalation_level", 0):
                fired += await self._escalate(case, level, clock, calendar, now)
        if self._metrics is not None:
            self._metrics.overdue_cases.set(overdue)
            self._metrics.escalations.inc(fired)
        return fired

    async def _warn(self, case: dict[str, Any], now: datetime) -> None:
        audit = {
            "at": now,
            "by": "sla-watch",
            "action": "sla_warning",
            "from": case["status"],
            "to": case["status"],
            "unit_id": case["unit_id"],
            "reason": f"{self._settings.warning_share:.0%} of the SLA used",
        }
        await self._repo.apply(case["_id"], {"warned": False}, {"warned": True, "warned_at": now}, audit, [])

    async def _escalate(
        self, case: dict[str, Any], level: int, clock: sla.SlaClock, calendar: Any, now: datetime
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
            {"escalation_level": case.get("escalation_level", 0)},
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

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def _scan_and_log(self) -> None:
        fired = await self.scan()
        if fired:
            log.info("escalated %d case(s)", fired)
