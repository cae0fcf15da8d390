"""Routing a filed request: find its district and unit, open its case with an SLA clock."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import RequestRoutedV1, RequestStatus, RequestSubmittedV1
from routing.calendars import CalendarBook
from routing.domain import sla
from routing.domain.rules import RoutingRule, Unit, choose_rule, find_district
from routing.escalation import watch_at
from routing.settings import RoutingSettings
from routing.store.repository import CASES, CaseExists, RoutingRepository
from servicekit.outbox import Outbox, envelopes

PRODUCER = "routing"
log = logging.getLogger("routing.router")


@dataclass(frozen=True)
class Decision:
    district: str | None
    district_found_by_location: bool
    rule: RoutingRule | None
    unit: Unit | None
    reason: str


class Router:
    def __init__(
        self, repo: RoutingRepository, outbox: Outbox, calendars: CalendarBook, settings: RoutingSettings
    ) -> None:
        self._repo = repo
        self._outbox = outbox
        self._calendars = calendars
        self._settings = settings

    async def decide(
        self, service_code: str, district: str | None, lat: float | None, long: float | None, day: datetime
    ) -> Decision:
        found = False
        if district is None and lat is not None and long is not None:
            district = find_district(await self._repo.districts(), lat, long)
            found = district is not None
        rule = choose_rule(await self._repo.rules(), service_code, district, day.date())
        unit = await self._repo.unit(rule.unit_id) if rule else None
        if rule and unit and unit.active:
            return Decision(district, found, rule, unit, rule.describe())
        triage = await self._repo.unit(self._settings.triage_unit_id)
        why = "no rule matches" if rule is None else f"{rule.describe()} names an inactive or unknown unit"
        return Decision(district, found, None, triage, f"{why}: triage")

    async def route(self, request: RequestSubmittedV1) -> None:
        """Open the case and name its unit; a repeat of the same request changes nothing."""
        now = datetime.now(UTC)
        location = request.location
        decision = await self.decide(
            request.service_code,
            request.district,
            location.lat if location else None,
            location.long if location else None,
            now,
        )
        case, events = await self._open_case(request, decision, now)
        if decision.rule is None:
            log.warning("request %s goes to triage (%s)", request.tracking_code, decision.reason)
        try:
            await self._repo.insert_case(case, events)
        except CaseExists:  # a redelivery: the first handling stored the case and its events
            await self._outbox.relay(CASES, request.request_id)
        else:
            await self._outbox.relay(CASES, request.request_id, events)

    async def _open_case(
        self, request: RequestSubmittedV1, decision: Decision, now: datetime
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        unit = decision.unit
        clock = sla.start(timedelta(hours=request.sla_hours or self._settings.default_sla_hours), now)
        calendar = await self._calendars.get(unit.calendar_id if unit else None)
        due_at = sla.deadline(clock, calendar) if unit else None
        status = RequestStatus.ROUTED if unit else RequestStatus.SUBMITTED
        case: dict[str, Any] = {
            "_id": request.request_id,
            "tracking_code": request.tracking_code,
            "service_code": request.service_code,
            "category": str(request.category),
            "description": request.description,
            "attributes": request.attributes,
            "district": decision.district,
            "location": request.location.model_dump() if request.location else None,
            "address": request.address,
            "office_code": request.office_code,
            "submitted_at": request.submitted_at,
            "received_at": now,
            "unit_id": unit.unit_id if unit else None,
            "unit_name_fa": unit.name_fa if unit else None,
            "rule_id": decision.rule.rule_id if decision.rule else None,
            "routing_reason": decision.reason,
            "priority": decision.rule.priority if decision.rule else 0,
            "status": str(status),
            "sla": clock.model_dump(mode="json"),
            "calendar_id": calendar.calendar_id,
            "due_at": due_at,
            "watch_at": watch_at(self._settings, clock, calendar, warned=False, level=0) if unit else None,
            "warned": False,
            "escalation_level": 0,
            "escalated_to": None,
            "resolved_at": None,
            "version": 0,
            "history": [
                {
                    "at": now,
                    "by": PRODUCER,
                    "action": "route",
                    "from": None,
                    "to": str(status),
                    "unit_id": unit.unit_id if unit else None,
                    "reason": decision.reason,
                }
            ],
        }
        if unit is None:
            return case, []
        routed = RequestRoutedV1(
            request_id=request.request_id,
            tracking_code=request.tracking_code,
            unit_id=unit.unit_id,
            unit_name_fa=unit.name_fa,
            unit_name_en=unit.name_en,
            rule_id=decision.rule.rule_id if decision.rule else None,
            routed_at=now,
            due_at=due_at,
        )
        return case, envelopes(PRODUCER, routed)
