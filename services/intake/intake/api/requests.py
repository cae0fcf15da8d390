"""Offices file citizen requests and read back the ones they filed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from intake.api.deps import CallingOffice, OutboxDep, Repository, utcnow
from intake.domain.catalogue import AttributeProblem, check_attributes
from intake.domain.offices import OfficeRefused, check_may_file
from intake.domain.requests import NewRequest, file_request
from intake.domain.tracking import new_tracking_code, parse_tracking_code
from intake.store.repository import REQUESTS, TrackingCodeTaken
from servicekit.errors import Problem
from servicekit.outbox import envelopes

router = APIRouter(prefix="/v1/requests", tags=["requests"])


class FiledRequest(BaseModel):
    tracking_code: str
    request_id: str
    status: str
    service_code: str
    fee_rials: int
    requested_at: str


def _field_problem(loc: list[str], message: str, message_fa: str) -> Problem:
    error = {"loc": ["body", *loc], "type": "value_error", "msg": message, "msg_fa": message_fa}
    return Problem(422, "validation_failed", message, errors=[error])


@router.post("", status_code=201, response_model=FiledRequest, summary="File a citizen request")
async def file(new: NewRequest, office: CallingOffice, repo: Repository, outbox: OutboxDep) -> dict[str, Any]:
    now = utcnow()
    service = await repo.service(new.service_code)
    if service is None or not service.is_active(now):
        raise _field_problem(["service_code"], "unknown or retired service", "خدمت نامعتبر یا غیرفعال است")
    try:
        check_may_file(office, service.service_code, now.date())
        check_attributes(service, new.attributes)
    except OfficeRefused as refused:
        raise Problem(403, refused.code, refused.reason) from refused
    except AttributeProblem as problem:
        raise _field_problem(
            ["attributes", problem.code], str(problem), "ویژگی درخواست نامعتبر است"
        ) from problem
    if service.location_required and new.location is None and not new.address:
        raise _field_problem(["location"], "this service needs a location", "برای این خدمت نشانی لازم است")
    for _ in range(5):
        record, event = file_request(new, service, office, tracking_code=new_tracking_code(), now=now)
        try:
            await repo.insert_request(record, envelopes("intake", event))
            break
        except TrackingCodeTaken:
            continue
    else:
        raise Problem(503, "tracking_codes_exhausted", "could not allocate a tracking code; try again")
    await outbox.relay(REQUESTS, record["_id"])
    return _filed(record)


@router.get("/{tracking_code}", summary="A request this office filed, with its timeline")
async def read(tracking_code: str, office: CallingOffice, repo: Repository) -> dict[str, Any]:
    code = parse_tracking_code(tracking_code)
    record = await repo.request(code) if code else None
    if record is None or record["office_code"] != office.code:
        raise Problem(404, "not_found", "no such request for this office")
    return {
        **_filed(record),
        "timeline": record["timeline"],
        "unit_name_fa": record.get("unit_name_fa"),
        "notifications": record.get("notifications", []),
    }


def _filed(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "tracking_code": record["_id"],
        "request_id": record["request_id"],
        "status": record["status"],
        "service_code": record["service_code"],
        "fee_rials": record["fee_rials"],
        "requested_at": record["requested_at"].isoformat(),
    }
