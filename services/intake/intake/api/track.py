"""Citizens follow their request with the tracking code and the mobile's last four digits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from intake.api.deps import IntakeServiceDep
from intake.domain.persian import normalize_number
from servicekit.errors import Problem
from servicekit.ratelimit import RateLimiter, client_address

router = APIRouter(prefix="/v1/track", tags=["citizens"])
PER_CLIENT_PER_MINUTE = 30
PER_CODE_PER_MINUTE = 10


def track_retry_after(request: Request, tracking_code: str) -> int | None:
    """Count one lookup; the seconds to wait when it is over a limit, else None.

    The code is keyed in ASCII digits, so its Persian and ASCII spellings share one budget.
    """
    limiter: RateLimiter = request.app.state.track_limiter
    client = client_address(request)
    for key, limit in (
        (f"client:{client}", PER_CLIENT_PER_MINUTE),
        (f"code:{normalize_number(tracking_code)}", PER_CODE_PER_MINUTE),
    ):
        if not limiter.allow(key, limit):
            return limiter.retry_after(key)
    return None


def check_track_rate(request: Request, tracking_code: str) -> None:
    retry_after = track_retry_after(request, tracking_code)
    if retry_after is not None:
        raise Problem(
            429,
            "rate_limited",
            "too many lookups; try again in a minute",
            headers={"Retry-After": str(retry_after)},
        )


@router.get("/{tracking_code}", summary="Status and timeline of a request (no personal data)")
async def track(
    tracking_code: str,
    request: Request,
    intake: IntakeServiceDep,
    last4: str = Query(min_length=4, max_length=8, description="last four digits of the citizen's mobile"),
) -> dict[str, Any]:
    check_track_rate(request, tracking_code)
    view = await intake.track(tracking_code, last4)
    if view is None:
        raise Problem(404, "not_found", "no request matches this tracking code and mobile")
    return view
