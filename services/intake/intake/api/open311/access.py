"""The calling office, by the `api_key` form field: the same keys as the native API."""

from __future__ import annotations

from fastapi import Request

from intake.api.open311.formats import Open311Error
from intake.api.problems import filing_problem
from intake.domain.offices import Office, OfficeStatus
from intake.store.repository import IntakeRepository
from servicekit.auth import digest_api_key
from servicekit.errors import Problem
from servicekit.ratelimit import RateLimiter


async def calling_office(request: Request, repo: IntakeRepository, api_key: str | None) -> Office:
    if not api_key:
        raise Open311Error(403, "an api_key of a licensed office is required")
    office_code = await repo.office_for_key(digest_api_key(api_key))
    office = await repo.office(office_code) if office_code else None
    if office is None:
        raise Open311Error(403, "the api_key is unknown or revoked")
    if office.status is OfficeStatus.SUSPENDED:
        raise Open311Error(403, f"office {office.code} is suspended")
    limiter: RateLimiter = request.app.state.office_limiter
    key = f"office:{office.code}"
    if not limiter.allow(key, office.rate_limit_per_minute):
        retry_after = str(limiter.retry_after(key))
        raise Open311Error(429, "this office is sending too fast; slow down", {"Retry-After": retry_after})
    return office


def refusal(error: Exception) -> Exception:
    """A filing refusal in Open311 terms: what the native API answers with 422 is a 400 here."""
    problem = filing_problem(error)
    if not isinstance(problem, Problem):
        return problem
    return Open311Error(400 if problem.status == 422 else problem.status, problem.detail)
