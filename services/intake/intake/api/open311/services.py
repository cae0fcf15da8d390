"""Discovery and the service catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from intake.api.deps import Repository
from intake.api.open311.formats import MEDIA_TYPES, Document, Format, Open311Error, Open311Route, respond
from intake.domain.open311 import service_definition, service_entry

router = APIRouter(route_class=Open311Route)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00+03:30"


@router.get("/discovery.{fmt}", summary="Open311 discovery")
async def discovery(fmt: Format, request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    body = {
        "changeset": CHANGESET,
        "contact": "میز خدمت شهرداری — درخواست‌ها از طریق دفاتر خدمات الکترونیک شهرداری ثبت می‌شوند",
        "key_service": "api_key هر دفتر را مدیر سامانه صادر می‌کند (POST /v1/offices/{code}/keys)",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": CHANGESET,
                "type": "production",
                "formats": [media_type.split(";")[0] for media_type in MEDIA_TYPES.values()],
            }
        ],
    }
    return respond(Document("discovery", body), fmt)


@router.get("/services.{fmt}", summary="Open311: the active service catalogue")
async def services(fmt: Format, repo: Repository) -> Response:
    now = datetime.now(UTC)
    entries = [service_entry(service) for service in await repo.services() if service.is_active(now)]
    return respond(Document("services", entries), fmt)


@router.get("/services/{service_code}.{fmt}", summary="Open311: one service's attributes")
async def definition(service_code: str, fmt: Format, repo: Repository) -> Response:
    service = await repo.service(service_code)
    if service is None or not service.is_active(datetime.now(UTC)):
        raise Open311Error(404, f"no service {service_code}")
    return respond(Document("service_definition", service_definition(service)), fmt)
