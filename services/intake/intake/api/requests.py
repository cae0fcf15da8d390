"""Offices file citizen requests (native JSON API) and read back the ones they filed."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from intake.api.deps import CallingOffice, IntakeServiceDep, Repository, require_json, within_office_rate
from intake.api.problems import filing_problem
from intake.domain.fees import FeeBreakdown
from intake.domain.requests import Citizen, NewRequest
from intake.domain.tracking import parse_tracking_code
from intake.receipt import render_receipt
from servicekit.errors import Problem

router = APIRouter(prefix="/v1/requests", tags=["requests"])


class NativeCitizen(Citizen):
    national_id: str = Field(description="کد ملی: ten digits with its check digit (Persian digits accepted)")


class NativeRequest(NewRequest):
    """A request as an office's software files it; the office has checked the citizen's identity."""

    citizen: NativeCitizen


class FiledRequest(BaseModel):
    tracking_code: str
    request_id: str
    status: str
    service_code: str
    service_name_fa: str
    fee: FeeBreakdown
    requested_at: str
    sla_hours: int
    expected_at: str | None
    possible_duplicates: list[str]


def filed_view(record: dict[str, Any]) -> dict[str, Any]:
    expected = record.get("expected_at")
    return {
        "tracking_code": record["_id"],
        "request_id": record["request_id"],
        "status": record["status"],
        "service_code": record["service_code"],
        "service_name_fa": record["service_name_fa"],
        "fee": record["fee"],
        "requested_at": record["requested_at"].isoformat(),
        "sla_hours": record["sla_hours"],
        "expected_at": expected.isoformat() if expected else None,
        "possible_duplicates": record.get("possible_duplicates", []),
    }


# 8 to 200 visible ASCII characters (a UUID is 36): an empty or blank header is refused, never
# taken as no key, or an office would believe its retries safe when they are not.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{8,200}")


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="same key and body: the first response again; 8 to 200 visible ASCII characters, "
            "e.g. a UUID",
        ),
    ] = None,
) -> str | None:
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise Problem(
            400,
            "bad_idempotency_key",
            "Idempotency-Key must be 8 to 200 visible ASCII characters (e.g. a UUID); "
            "send none rather than an empty one",
            detail_fa="کلید تکرارناپذیری (Idempotency-Key) باید ۸ تا ۲۰۰ نویسهٔ لاتین بدون فاصله باشد، مانند یک UUID",
        )
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


@router.post(
    "",
    status_code=201,
    response_model=FiledRequest,
    dependencies=[Depends(require_json), Depends(within_office_rate)],
    summary="File a citizen request",
    responses={
        400: {"description": "an empty or malformed Idempotency-Key"},
        409: {"description": "Idempotency-Key reused with another body"},
    },
)
async def file(
    new: NativeRequest,
    office: CallingOffice,
    intake: IntakeServiceDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    try:
        filed = await intake.file(new, office, idempotency_key=idempotency_key, channel="native")
    except Exception as error:
        raise filing_problem(error) from error
    return dict(filed.record["filed_response"])


async def _own_request(tracking_code: str, office: CallingOffice, repo: Repository) -> dict[str, Any]:
    code = parse_tracking_code(tracking_code)
    record = await repo.request(code) if code else None
    if record is None or record["office_code"] != office.code:
        raise Problem(404, "not_found", "no such request for this office")
    return record


OwnRequest = Annotated[dict[str, Any], Depends(_own_request)]


@router.get("/{tracking_code}", summary="A request this office filed, with its timeline")
async def read(record: OwnRequest) -> dict[str, Any]:
    return {
        **filed_view(record),
        "unit_name_fa": record.get("unit_name_fa"),
        "timeline": record["timeline"],
        "notifications": record.get("notifications", []),
        "updates": record.get("updates", []),
        "discount_claim": record.get("discount_claim"),
        "operator": record.get("operator"),
    }


@router.get("/{tracking_code}/receipt", response_class=HTMLResponse, summary="Printable Persian receipt")
async def receipt(record: OwnRequest, office: CallingOffice) -> Response:
    return HTMLResponse(render_receipt(record, office.name_fa))
