"""Open311 GeoReport v2 under /open311/v2, in JSON and XML (what FixMyStreet's client speaks)."""

from __future__ import annotations

from fastapi import APIRouter

from intake.api.open311 import requests, services, updates
from intake.api.open311.formats import Open311Error, Open311Route

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
router.include_router(services.router)
router.include_router(requests.router)
router.include_router(updates.router)


@router.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
async def unknown(rest: str) -> None:
    raise Open311Error(404, f"no resource {rest}")
