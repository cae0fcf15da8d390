"""Routing's use cases: route a filed request, move a case along its steps."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from contracts import RequestRoutedV1, RequestStatus, RequestStatusChangedV1, RequestSubmittedV1
from routing.domain.cases import check_transition
from routing.domain.rules import choose_rule
from routing.store.repository import CASES, CaseExists, RoutingRepository
from servicekit.outbox import Outbox, envelopes

PRODUCER = "routing"


class CaseMovedMeanwhile(Exception):
    pass


class Router:
    def __init__(self, repo: RoutingRepository, outbox: Outbox) -> None:
        self._repo = repo
        self._outbox = outbox

    async def route(self, request: RequestSubmittedV1) -> None:
        """Open the case and name its unit; a repeat of the same request changes nothing."""
        now = datetime.now(UTC)
        rule = choose_rule(await self._repo.rules(), request.service_code, request.district)
        unit = await self._repo.unit(rule.unit_id) if rule else None
        status = RequestStatus.ROUTED if unit else RequestStatus.SUBMITTED
        case: dict[str, Any] = {
            "_id": request.request_id,
            "tracking_code": request.tracking_code,
            "service_code": request.service_code,
            "category": str(request.category),
            "description": request.description,
            "attributes": request.attributes,
            "district": request.district,
            "location": request.location.model_dump() if request.location else None,
            "address": request.address,
            "office_code": request.office_code,
            "submitted_at": request.submitted_at,
            "received_at": now,
            "unit_id": unit.unit_id if unit else None,
            "unit_name_fa": unit.name_fa if unit else None,
            "rule_id": rule.rule_id if rule else None,
            "status": str(status),
            "due_at": None,
            "history": [{"status": str(status), "at": now, "by": PRODUCER}],
        }
        events = []
        if unit and rule:
            routed = RequestRoutedV1(
                request_id=request.request_id,
                tracking_code=request.tracking_code,
                unit_id=unit.unit_id,
                unit_name_fa=unit.name_fa,
                unit_name_en=unit.name_en,
                rule_id=rule.rule_id,
                routed_at=now,
            )
            events = envelopes(PRODUCER, routed)
        # on a redelivery the first handling already stored the case and its events
        with contextlib.suppress(CaseExists):
            await self._repo.insert_case(case, events)
        await self._outbox.relay(CASES, request.request_id)

    async def change_status(
        self, request_id: str, wanted: RequestStatus, note_fa: str, by: str
    ) -> dict[str, Any] | None:
        case = await self._repo.case(request_id)
        if case is None:
            return None
        current = RequestStatus(case["status"])
        check_transition(current, wanted)
        now = datetime.now(UTC)
        changed = RequestStatusChangedV1(
            request_id=request_id,
            tracking_code=case["tracking_code"],
            status=wanted,
            previous_status=current,
            note_fa=note_fa,
            unit_id=case.get("unit_id"),
            unit_name_fa=case.get("unit_name_fa"),
            changed_at=now,
        )
        step = {"status": str(wanted), "at": now, "by": by, "note_fa": note_fa}
        updated = await self._repo.transition(
            request_id, str(current), str(wanted), step, envelopes(PRODUCER, changed)
        )
        if updated is None:
            raise CaseMovedMeanwhile(request_id)
        await self._outbox.relay(CASES, request_id)
        return updated
