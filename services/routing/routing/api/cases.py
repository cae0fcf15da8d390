"""Unit staff see their work queue and move cases along."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts import RequestStatus
from routing.api.deps import Repository, RouterService
from routing.domain.cases import IllegalTransition
from routing.service import CaseMovedMeanwhile
from servicekit.auth import Role, StaffClaims, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1", tags=["cases"])
StaffMember = require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus
    note_fa: str = Field(default="", max_length=1000)


def _visible_units(claims: StaffClaims) -> list[str] | None:
    return None if claims.has_any(Role.ADMIN, Role.SUPERVISOR) else claims.units


def _check_may_see(claims: StaffClaims, case: dict[str, Any]) -> None:
    units = _visible_units(claims)
    if units is not None and case.get("unit_id") not in units:
        raise Problem(404, "not_found", "no such case in your units")


@router.get("/queue", summary="Open cases of the caller's units, oldest first")
async def work_queue(
    repo: Repository, claims: StaffClaims = StaffMember, limit: int = Query(default=50, ge=1, le=500)
) -> list[dict[str, Any]]:
    return await repo.queue(_visible_units(claims), limit)


@router.get("/cases/{request_id}", summary="One case with its history")
async def read_case(request_id: str, repo: Repository, claims: StaffClaims = StaffMember) -> dict[str, Any]:
    case = await repo.case(request_id)
    if case is None:
        raise Problem(404, "not_found", "no such case")
    _check_may_see(claims, case)
    return case


@router.post("/cases/{request_id}/status", summary="Move a case to its next status")
async def change_status(
    request_id: str,
    change: StatusChange,
    repo: Repository,
    service: RouterService,
    claims: StaffClaims = StaffMember,
) -> dict[str, Any]:
    case = await repo.case(request_id)
    if case is None:
        raise Problem(404, "not_found", "no such case")
    _check_may_see(claims, case)
    try:
        updated = await service.change_status(request_id, change.status, change.note_fa, claims.sub)
    except IllegalTransition as error:
        raise Problem(409, "illegal_transition", str(error)) from error
    except CaseMovedMeanwhile as error:
        raise Problem(409, "conflict", "the case changed meanwhile; reload and try again") from error
    if updated is None:
        raise Problem(404, "not_found", "no such case")
    return updated
