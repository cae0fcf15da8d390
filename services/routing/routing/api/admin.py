"""Staff manage municipal units and routing rules."""

from __future__ import annotations

from fastapi import APIRouter

from routing.api.deps import Repository
from routing.domain.rules import RoutingRule, Unit
from servicekit.auth import Role, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1", tags=["units and rules"])
ADMIN = [require_roles(Role.ADMIN)]
STAFF = [require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)]


@router.put("/units/{unit_id}", response_model=Unit, dependencies=ADMIN, summary="Create or replace a unit")
async def put_unit(unit_id: str, unit: Unit, repo: Repository) -> Unit:
    if unit.unit_id != unit_id:
        raise Problem(422, "code_mismatch", "unit_id in the body must match the path")
    await repo.save_unit(unit)
    return unit


@router.get("/units", response_model=list[Unit], dependencies=STAFF, summary="All units")
async def list_units(repo: Repository) -> list[Unit]:
    return await repo.units()


@router.put(
    "/rules/{rule_id}", response_model=RoutingRule, dependencies=ADMIN, summary="Create or replace a rule"
)
async def put_rule(rule_id: str, rule: RoutingRule, repo: Repository) -> RoutingRule:
    if rule.rule_id != rule_id:
        raise Problem(422, "code_mismatch", "rule_id in the body must match the path")
    if await repo.unit(rule.unit_id) is None:
        raise Problem(422, "unknown_unit", f"no unit {rule.unit_id}")
    await repo.save_rule(rule)
    return rule


@router.get("/rules", response_model=list[RoutingRule], dependencies=STAFF, summary="All rules")
async def list_rules(repo: Repository) -> list[RoutingRule]:
    return await repo.rules()
