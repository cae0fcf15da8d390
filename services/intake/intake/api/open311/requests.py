"""Open311 service requests: filed by an office's software, read by anyone (no personal data)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from intake.api.deps import IntakeServiceDep, Repository
from intake.api.open311.access import calling_office, refusal
from intake.api.open311.formats import Document, Format, Open311Error, Open311Route, respond
from intake.api.open311.forms import read_form
from intake.domain.open311 import BadInput, date_window, first, new_request, request_entry
from intake.domain.tracking import parse_tracking_code
from intake.store.repository import OPEN_STATUSES

router = APIRouter(route_class=Open311Route)

MAX_IDS = 200
STATUS_FILTERS = {
    "open": list(OPEN_STATUSES),
    "closed": ["resolved", "rejected", "closed"],
}


@router.post("/requests.{fmt}", summary="Open311: file a request (form-encoded, with an office's api_key)")
async def file(fmt: Format, request: Request, repo: Repository, intake: IntakeServiceDep) -> Response:
    form = await read_form(request)
    office = await calling_office(request, repo, first(form, "api_key"))
    code = first(form, "service_code")
    service = await repo.service(code) if code else None
    if service is None:
        raise Open311Error(400, f"unknown service_code {code!r}")
    try:
        filed = await intake.file(new_request(service, form), office, channel="open311")
    except BadInput as error:
        raise Open311Error(400, str(error)) from error
    except Exception as error:
        raise refusal(error) from error
    answer = {
        "service_request_id": filed.record["_id"],
        "service_notice": None,
        "account_id": first(form, "account_id"),
    }
    return respond(Document("service_requests", [answer]), fmt, 201)


def _tracking_codes(raw: str) -> list[str]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
    return [code for part in parts if (code := parse_tracking_code(part))]


@router.get("/requests.{fmt}", summary="Open311: requests by id, or by service, period and status")
async def search(fmt: Format, request: Request, repo: Repository) -> Response:
    query = request.query_params
    if ids := query.get("service_request_id"):
        records = await repo.open311_requests_by_code(_tracking_codes(ids))
        return respond(Document("service_requests", [request_entry(r) for r in records]), fmt)
    status = query.get("status")
    if status and status not in STATUS_FILTERS:
        raise Open311Error(400, "status must be open or closed")
    try:
        since, until = date_window(query.get("start_date"), query.get("end_date"), datetime.now(UTC))
    except BadInput as error:
        raise Open311Error(400, str(error)) from error
    records = await repo.open311_requests_between(
        since,
        until,
        service_code=query.get("service_code") or None,
        statuses=STATUS_FILTERS[status] if status else None,
    )
    return respond(Document("service_requests", [request_entry(r) for r in records]), fmt)


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: one request")
async def read(service_request_id: str, fmt: Format, repo: Repository) -> Response:
    code = parse_tracking_code(service_request_id)
    records = await repo.open311_requests_by_code([code]) if code else []
    if not records:
        raise Open311Error(404, f"no request {service_request_id}")
    return respond(Document("service_requests", [request_entry(records[0])]), fmt)


@router.get("/tokens/{token}.{fmt}", summary="Open311: the request a token stands for")
async def token(token: str, fmt: Format, repo: Repository) -> Response:
    code = await repo.tracking_code_of_token(token)
    if code is None:
        raise Open311Error(404, "no such token")
    return respond(Document("service_requests", [{"token": token, "service_request_id": code}]), fmt)
