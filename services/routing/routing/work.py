"""Unit staff work a case: every step is conditional on the case as they saw it, and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import RequestRoutedV1, RequestStatus, RequestStatusChangedV1
from routing.calendars import CalendarBook
from routing.domain import sla
from routing.domain.cases import MOVES_UNIT, Action, Step, citizen_note, plan_step
from routing.domain.rules import Unit
from routing.escalation import watch_at
from routing.settings import RoutingSettings
from routing.store.repository import CASES, RoutingRepository
from servicekit.auth import Role, StaffClaims
from servicekit.outbox import Outbox, envelopes

PRODUCER = "routing"


class CaseNotFound(LookupError):
    message_fa = "این درخواست در واحدهای شما پیدا نشد"


class NotAllowed(PermissionError):
    def __init__(self, message: str, message_fa: str) -> None:
        super().__init__(message)
        self.message_fa = message_fa


class CaseMovedMeanwhile(Exception):
    """Someone else changed the case first; nothing was applied."""

    message_fa = "این درخواست همین حالا توسط همکار دیگری تغییر کرد؛ صفحه را تازه کنید و دوباره تلاش کنید"


class UnknownUnit(ValueError):
    def __init__(self, unit_id: str) -> None:
        super().__init__(unit_id)
        self.unit_id = unit_id
        self.message_fa = f"واحد «{unit_id}» وجود ندارد یا غیرفعال است"


@dataclass(frozen=True)
class StepRequest:
    action: Action
    reason: str = ""
    unit_id: str | None = None
    keep_clock: bool = True


def may_see(claims: StaffClaims, case: dict[str, Any]) -> bool:
    if claims.has_any(Role.ADMIN):
        return True
    return bool({case.get("unit_id"), case.get("escalated_to")} & set(claims.units))


class CaseWork:
    def __init__(
        self, repo: RoutingRepository, outbox: Outbox, calendars: CalendarBook, settings: RoutingSettings
    ) -> None:
        self._repo = repo
        self._outbox = outbox
        self._calendars = calendars
        self._settings = settings

    async def act(self, request_id: str, ask: StepRequest, claims: StaffClaims) -> dict[str, Any]:
        now = datetime.now(UTC)
        case = await self._repo.case(request_id)
        if case is None or not may_see(claims, case):
            raise CaseNotFound(request_id)
        if ask.action is Action.REASSIGN and not claims.has_any(Role.ADMIN, Role.SUPERVISOR):
            raise NotAllowed(
                "only a supervisor may reassign a case",
                "فقط سرپرست می‌تواند درخواست را به واحد دیگری ارجاع دهد",
            )
        current = RequestStatus(case["status"])
        step = plan_step(
            ask.action,
            current,
            reason=ask.reason,
            now=now,
            resolved_at=case.get("resolved_at"),
            reopen_within=timedelta(days=self._settings.reopen_within_days),
        )
        changes, events = await self._changes(case, ask, step, now)
        audit = {
            "at": now,
            "by": claims.sub,
            "action": str(ask.action),
            "from": str(current),
            "to": str(step.target),
            "unit_id": changes.get("unit_id", case.get("unit_id")),
            "reason": ask.reason.strip(),
        }
        updated = await self._repo.apply(
            request_id, {"status": str(current), "version": case["version"]}, changes, audit, events
        )
        if updated is None:
            raise CaseMovedMeanwhile(request_id)
        await self._outbox.relay(CASES, request_id)
        return updated

    async def _changes(
        self, case: dict[str, Any], ask: StepRequest, step: Step, now: datetime
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        clock = sla.SlaClock.model_validate(case["sla"])
        unit = await self._repo.unit(case["unit_id"]) if case.get("unit_id") else None
        changes: dict[str, Any] = {"status": str(step.target), "updated_at": now}
        if ask.action is Action.ASK_CITIZEN:
            clock = sla.pause(clock, now)
        elif ask.action is Action.CITIZEN_REPLIED:
            clock = sla.resume(clock, now)
        elif ask.action in (Action.RESOLVE, Action.REJECT):
            changes["resolved_at"] = now
        elif ask.action is Action.REOPEN:
            clock, changes["resolved_at"] = sla.restart(clock, now), None
        if ask.action in MOVES_UNIT:
            unit = await self._target_unit(ask)
            if not ask.keep_clock:
                clock = sla.restart(clock, now)
            changes |= {
                "unit_id": unit.unit_id,
                "unit_name_fa": unit.name_fa,
                "warned": False,
                "escalation_level": 0,
                "escalated_to": None,
                "calendar_id": unit.calendar_id,
            }
        calendar = await self._calendars.get(unit.calendar_id if unit else case.get("calendar_id"))
        changes |= {"sla": clock.model_dump(mode="json"), "due_at": sla.deadline(clock, calendar)}
        warned = changes.get("warned", case.get("warned", False))
        level = changes.get("escalation_level", case.get("escalation_level", 0))
        changes["watch_at"] = watch_at(self._settings, clock, calendar, warned=warned, level=level)
        note = citizen_note(step, unit_name_fa=unit.name_fa if unit else "", reason=ask.reason)
        return changes, self._events(case, ask, step, unit, note, changes, now)

    async def _target_unit(self, ask: StepRequest) -> Unit:
        unit_id = ask.unit_id or self._settings.triage_unit_id
        unit = await self._repo.unit(unit_id)
        if unit is None or not unit.active:
            raise UnknownUnit(unit_id)
        return unit

    @staticmethod
    def _events(
        case: dict[str, Any],
        ask: StepRequest,
        step: Step,
        unit: Unit | None,
        note: str,
        changes: dict[str, Any],
        now: datetime,
    ) -> list[dict[str, Any]]:
        if ask.action in MOVES_UNIT and unit is not None:
            routed = RequestRoutedV1(
                request_id=case["_id"],
                tracking_code=case["tracking_code"],
                unit_id=unit.unit_id,
                unit_name_fa=unit.name_fa,
                unit_name_en=unit.name_en,
                rule_id=None,
                routed_at=now,
                due_at=changes["due_at"],
                note_fa=note,
            )
            return envelopes(PRODUCER, routed)
        changed = RequestStatusChangedV1(
            request_id=case["_id"],
            tracking_code=case["tracking_code"],
            status=step.target,
            previous_status=RequestStatus(case["status"]),
            note_fa=note,
            unit_id=case.get("unit_id"),
            unit_name_fa=case.get("unit_name_fa"),
            changed_at=now,
        )
        return envelopes(PRODUCER, changed)
