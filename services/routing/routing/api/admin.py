"""Staff manage units, routing rules, district boundaries and working calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter, Query

from routing.api.deps import Calendars, Repository, RouterService, Units
from routing.domain.calendar import WorkingCalendar
from routing.domain.rules import District, RoutingRule, Unit
from routing.domain.statistics import ServiceLevel, service_levels
from servicekit.auth import Role, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1", tags=["units, rules and calendars"])
ADMIN = [require_roles(Role.ADMIN)]
STAFF = [require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)]


def _same(path_id: str, body_id: str, name: str, name_fa: str) -> None:
    if path_id != body_id:
        raise Problem(
            422,
            "code_mismatch",
            f"{name} in the body must match the path",
            detail_fa=f"{name_fa} در متن درخواست با {name_fa} در نشانی یکی نیست",
        )


def _unknown_unit(unit_id: str) -> Problem:
    return Problem(
        422,
        "unknown_unit",
        f"no unit {unit_id}",
        detail_fa=f"واحد «{unit_id}» تعریف نشده است؛ نخست آن را تعریف کنید",
    )


@router.put("/units/{unit_id}", response_model=Unit, dependencies=ADMIN, summary="Create or replace a unit")
async def put_unit(unit_id: str, unit: Unit, repo: Repository, units: Units) -> Unit:
    _same(unit_id, unit.unit_id, "unit_id", "شناسه واحد")
    for other in (unit.parent_unit_id, unit.escalates_to):
        if other is not None and other != unit_id and await repo.unit(other) is None:
            raise _unknown_unit(other)
    await units.save(unit)  # notify hears of it: staff alerts go to the unit's contact
    return unit


@router.get("/units", response_model=list[Unit], dependencies=STAFF, summary="All units, retired ones too")
async def list_units(repo: Repository) -> list[Unit]:
    return await repo.units()


@router.put(
    "/rules/{rule_id}", response_model=RoutingRule, dependencies=ADMIN, summary="Create or replace a rule"
)
async def put_rule(rule_id: str, rule: RoutingRule, repo: Repository) -> RoutingRule:
    _same(rule_id, rule.rule_id, "rule_id", "شناسه قاعده ارجاع")
    if await repo.unit(rule.unit_id) is None:
        raise _unknown_unit(rule.unit_id)
    await repo.save_rule(rule)
    return rule


@router.get("/rules", response_model=list[RoutingRule], dependencies=STAFF, summary="All rules")
async def list_rules(repo: Repository) -> list[RoutingRule]:
    return await repo.rules()


@router.put(
    "/districts/{district}", response_model=District, dependencies=ADMIN, summary="A district boundary"
)
async def put_district(district: str, body: District, repo: Repository) -> District:
    _same(district, body.district, "district", "شناسه منطقه")
    await repo.save_district(body)
    return body


@router.get("/districts", response_model=list[District], dependencies=STAFF, summary="District boundaries")
async def list_districts(repo: Repository) -> list[District]:
    return await repo.districts()


@router.put(
    "/calendars/{calendar_id}",
    response_model=WorkingCalendar,
    dependencies=ADMIN,
    summary="Create or replace a working calendar (days, hours, holidays by Jalali date)",
)
async def put_calendar(calendar_id: str, calendar: WorkingCalendar, calendars: Calendars) -> WorkingCalendar:
    _same(calendar_id, calendar.calendar_id, "calendar_id", "شناسه تقویم کاری")
    return await calendars.save(calendar)  # open cases on it get their deadlines again


@router.get(
    "/calendars", response_model=list[WorkingCalendar], dependencies=STAFF, summary="Working calendars"
)
async def list_calendars(repo: Repository) -> list[WorkingCalendar]:
    return await repo.calendars()


@router.get("/routing/preview", dependencies=STAFF, summary="Which unit would get such a request, and why")
async def preview(
    service: RouterService,
    service_code: str,
    district: str | None = None,
    lat: float | None = Query(default=None, ge=-90, le=90),
    long: float | None = Query(default=None, ge=-180, le=180),
) -> dict[str, Any]:
    decision = await service.decide(service_code, district, lat, long, datetime.now(UTC))
    return {
        "district": decision.district,
        "district_found_by_location": decision.district_found_by_location,
        "rule": decision.rule.model_dump(mode="json") if decision.rule else None,
        "unit": decision.unit.model_dump() if decision.unit else None,
        "reason": decision.reason,
    }


@router.get(
    "/statistics",
    response_model=list[ServiceLevel],
    dependencies=STAFF,
    summary="Open, overdue, resolved within SLA and median time to resolve, per unit and service",
)
async def statistics(repo: Repository, start: date, end: date) -> list[ServiceLevel]:
    if end < start:
        raise Problem(422, "bad_range", "end is before start", detail_fa="تاریخ پایان پیش از تاریخ آغاز است")
    begin = datetime.combine(start, time.min, UTC)
    finish = datetime.combine(end, time.max, UTC)
    return service_levels(await repo.cases_submitted_between(begin, finish), datetime.now(UTC))
