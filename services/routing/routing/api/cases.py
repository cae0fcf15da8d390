"""Unit staff work their queue: list, read, and move cases step by step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts import RequestStatus
from routing.api.deps import Repository, Work
from routing.api.problems import REFUSALS, case_not_found, refusal_problem
from routing.domain.cases import Action
from routing.work import StepRequest, may_see
from servicekit.auth import Role, StaffClaims, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1", tags=["work queue"])
StaffMember = require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(
        default="", max_length=2000, description="required to ask, resolve, reject, refer, reopen"
    )
    unit_id: str | None = Field(default=None, description="not_ours / reassign: the unit (default: triage)")
    keep_clock: bool = Field(default=True, description="reassign: keep the SLA clock or restart it")


def _scope(claims: StaffClaims, unit_id: str | None) -> list[str] | None:
    if claims.has_any(Role.ADMIN):
        return [unit_id] if unit_id else None
    if unit_id is not None and unit_id not in claims.units:
        raise Problem(
            403,
            "forbidden",
            f"unit {unit_id} is not one of yours",
            detail_fa=f"واحد «{unit_id}» از واحدهای شما نیست",
        )
    return [unit_id] if unit_id else list(claims.units)


@router.get("/queue", summary="Cases of the caller's units, earliest deadline first")
async def work_queue(
    repo: Repository,
    claims: StaffClaims = StaffMember,
    unit_id: str | None = None,
    status: Annotated[list[RequestStatus] | None, Query()] = None,
    service_code: str | None = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return await repo.queue(
        _scope(claims, unit_id),
        statuses=[str(s) for s in status] if status else None,
        service_code=service_code,
        overdue_at=datetime.now(UTC) if overdue else None,
        skip=(page - 1) * page_size,
        limit=page_size,
    )


@router.get("/cases/{request_id}", summary="One case with its audit trail")
async def read_case(request_id: str, repo: Repository, claims: StaffClaims = StaffMember) -> dict[str, Any]:
    case = await repo.case(request_id)
    if case is None or not may_see(claims, case):
        raise case_not_found()
    return case


@router.post(
    "/cases/{request_id}/{action}",
    summary="Take one step: accept, start, ask_citizen, citizen_replied, resolve, reject, not_ours, "
    "reassign, reopen, close",
    responses={409: {"description": "illegal from this status, or the case changed meanwhile"}},
)
async def act(
    request_id: str, action: Action, work: Work, step: Step | None = None, claims: StaffClaims = StaffMember
) -> dict[str, Any]:
    ask = StepRequest(action, **(step or Step()).model_dump())
    try:
        return await work.act(request_id, ask, claims)
    except REFUSALS as error:
        raise refusal_problem(error) from error
