"""What every intake endpoint needs from the app: the repository, the outbox, the calling office."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from intake.domain.offices import Office, OfficeStatus
from intake.service import IntakeService
from intake.store.repository import IntakeRepository
from servicekit.auth import digest_api_key
from servicekit.errors import Problem
from servicekit.outbox import Outbox
from servicekit.ratelimit import RateLimiter


def repository(request: Request) -> IntakeRepository:
    repo: IntakeRepository = request.app.state.repository
    return repo


def outbox(request: Request) -> Outbox:
    box: Outbox = request.app.state.outbox
    return box


Repository = Annotated[IntakeRepository, Depends(repository)]
OutboxDep = Annotated[Outbox, Depends(outbox)]


async def calling_office(
    repo: Repository, x_api_key: Annotated[str | None, Header(description="the office's API key")] = None
) -> Office:
    if not x_api_key:
        raise Problem(401, "missing_api_key", "an X-Api-Key header with the office's key is required")
    office_code = await repo.office_for_key(digest_api_key(x_api_key.strip()))
    office = await repo.office(office_code) if office_code else None
    if office is None:
        raise Problem(401, "invalid_api_key", "the API key is unknown or revoked")
    if office.status is OfficeStatus.SUSPENDED:
        raise Problem(403, "office_suspended", f"office {office.code} is suspended")
    return office


CallingOffice = Annotated[Office, Depends(calling_office)]


def intake_service(request: Request) -> IntakeService:
    service: IntakeService = request.app.state.intake
    return service


IntakeServiceDep = Annotated[IntakeService, Depends(intake_service)]


def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise Problem(415, "unsupported_media_type", "send the body as application/json")


def within_office_rate(request: Request, office: CallingOffice) -> None:
    limiter: RateLimiter = request.app.state.office_limiter
    key = f"office:{office.code}"
    if not limiter.allow(key, office.rate_limit_per_minute):
        raise Problem(
            429,
            "rate_limited",
            "this office is filing too fast; slow down",
            headers={"Retry-After": str(limiter.retry_after(key))},
        )
