"""mySociety's service request updates: status steps out, citizens' follow-ups in."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from intake.api.deps import Repository
from intake.api.open311.access import calling_office, refusal
from intake.api.open311.formats import Document, Format, Open311Error, Open311Route, respond
from intake.api.open311.forms import read_form
from intake.domain.offices import OfficeRefused, check_may_file
from intake.domain.open311 import BadInput, citizen_update, date_window, first, status_updates
from intake.domain.tracking import parse_tracking_code

router = APIRouter(route_class=Open311Route)

MAX_UPDATES = 1000


@router.get("/servicerequestupdates.{fmt}", summary="Status updates of requests in a period")
async def updates(fmt: Format, request: Request, repo: Repository) -> Response:
    query = request.query_params
    try:
        since, until = date_window(query.get("start_date"), query.get("end_date"), datetime.now(UTC))
    except BadInput as error:
        raise Open311Error(400, str(error)) from error
    found = [
        update
        for record in await repo.open311_requests_changed_between(since, until)
        for update in status_updates(record, since, until)
    ]
    found.sort(key=lambda update: (update["updated_datetime"], update["update_id"]))
    return respond(Document("service_request_updates", found[:MAX_UPDATES]), fmt)


@router.post("/servicerequestupdates.{fmt}", summary="A citizen's follow-up on a request this office filed")
async def post_update(fmt: Format, request: Request, repo: Repository) -> Response:
    form = await read_form(request)
    office = await calling_office(request, repo, first(form, "api_key"))
    raw_code = first(form, "service_request_id") or ""
    code = parse_tracking_code(raw_code)
    record = await repo.request(code) if code else None
    if code is None or record is None or record["office_code"] != office.code:
        raise Open311Error(404, f"no request {raw_code} for this office")
    now = datetime.now(UTC)
    try:
        check_may_file(office, record["service_code"], now.date())
        entry = citizen_update(form, now)
    except BadInput as error:
        raise Open311Error(400, str(error)) from error
    except OfficeRefused as error:
        raise refusal(error) from error
    added = await repo.add_open311_update(code, office.code, entry)
    if added is None:
        raise Open311Error(404, f"no request {raw_code} for this office")
    answer = Document("service_request_updates", [{"update_id": entry["update_id"]}])
    return respond(answer, fmt, 201 if added else 200)
