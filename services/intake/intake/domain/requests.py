"""A citizen request as filed, and the public status timeline that follows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from contracts import (
    Channel,
    CitizenContact,
    GeoPoint,
    Language,
    RequestCategory,
    RequestStatus,
    RequestSubmittedV1,
)
from intake.domain.catalogue import ServiceDefinition
from intake.domain.fees import DiscountClaim, FeeBreakdown
from intake.domain.identity import mobile_e164, national_id
from intake.domain.offices import Office
from intake.domain.persian import normalize_text

STATUS_NOTES_FA: dict[RequestStatus, str] = {
    RequestStatus.SUBMITTED: "درخواست شما ثبت شد.",
    RequestStatus.ROUTED: "درخواست شما به واحد مسئول ارجاع شد.",
    RequestStatus.ACCEPTED: "درخواست شما توسط واحد مسئول پذیرفته شد.",
    RequestStatus.IN_PROGRESS: "درخواست شما در دست اقدام است.",
    RequestStatus.ON_HOLD: "رسیدگی به درخواست شما موقتاً متوقف شده است.",
    RequestStatus.RESOLVED: "به درخواست شما رسیدگی شد.",
    RequestStatus.REJECTED: "درخواست شما قابل انجام نبود.",
    RequestStatus.CLOSED: "پرونده درخواست شما بسته شد.",
    RequestStatus.REOPENED: "درخواست شما دوباره باز شد.",
}


class Citizen(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100)
    national_id: str | None = Field(default=None, description="کد ملی; required in the native API")
    mobile: str | None = None
    email: EmailStr | None = None
    preferred_channel: Channel = Channel.SMS
    language: Language = Language.FA

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return normalize_text(value)

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str | None) -> str | None:
        return None if value is None else national_id(value)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        return None if value is None else mobile_e164(value)


class NewRequest(BaseModel):
    """What an office sends to file one citizen request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service_code: str = Field(min_length=1, max_length=32)
    category: RequestCategory = RequestCategory.REQUEST
    description: str = Field(min_length=1, max_length=4000)
    attributes: dict[str, Any] = Field(default_factory=dict)
    district: str | None = Field(default=None, max_length=32)
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    operator: str | None = Field(default=None, max_length=100, description="who at the office filed it")
    media_url: str | None = Field(default=None, max_length=2000)
    discount: DiscountClaim | None = None
    citizen: Citizen

    @field_validator("description", "address")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else normalize_text(value)


def timeline_entry(
    status: RequestStatus,
    at: datetime,
    *,
    event_id: str | None = None,
    unit_name_fa: str | None = None,
    note_fa: str | None = None,
) -> dict[str, Any]:
    return {
        "status": str(status),
        "note_fa": note_fa or STATUS_NOTES_FA[status],
        "unit_name_fa": unit_name_fa,
        "at": at,
        "event_id": event_id,
    }


@dataclass(frozen=True)
class Filing:
    """What the office asked for and what intake decided, before anything is stored."""

    new: NewRequest
    service: ServiceDefinition
    office: Office
    fee: FeeBreakdown
    idempotency_key: str
    body_hash: str
    channel: str
    possible_duplicates: list[str]


def file_request(
    filing: Filing, *, tracking_code: str, now: datetime
) -> tuple[dict[str, Any], RequestSubmittedV1]:
    """The stored request and the event announcing it; nothing is written here."""
    new, service, office = filing.new, filing.service, filing.office
    request_id = str(uuid.uuid4())
    district = new.district or office.district
    record: dict[str, Any] = {
        "_id": tracking_code,
        "request_id": request_id,
        "service_code": service.service_code,
        "service_name_fa": service.name_fa,
        "open311_public": service.open311_public,
        "category": str(new.category),
        "description": new.description,
        "attributes": new.attributes,
        "district": district,
        "location": new.location.model_dump() if new.location else None,
        "address": new.address,
        "office_code": office.code,
        "operator": new.operator,
        "citizen": new.citizen.model_dump(mode="json"),
        "media_url": new.media_url,
        "discount_claim": new.discount.model_dump(mode="json") if new.discount else None,
        "fee": filing.fee.model_dump(mode="json"),
        "fee_rials": filing.fee.total_rials,
        "sla_hours": service.sla_hours,
        "expected_at": None,
        "channel": filing.channel,
        "idempotency_key": filing.idempotency_key,
        "body_hash": filing.body_hash,
        "token": str(uuid.uuid4()),
        "possible_duplicates": filing.possible_duplicates,
        "status": str(RequestStatus.SUBMITTED),
        "unit_name_fa": None,
        "requested_at": now,
        "updated_at": now,
        "filed_response": None,
        "timeline": [timeline_entry(RequestStatus.SUBMITTED, now)],
        "notifications": [],
    }
    record["filed_response"] = filing_answer(record)
    event = RequestSubmittedV1(
        request_id=request_id,
        tracking_code=tracking_code,
        service_code=service.service_code,
        category=new.category,
        description=new.description,
        attributes=new.attributes,
        district=district,
        location=new.location,
        address=new.address,
        office_code=office.code,
        submitted_at=now,
        sla_hours=service.sla_hours,
        contact=CitizenContact(
            mobile=new.citizen.mobile,
            email=new.citizen.email,
            channel=new.citizen.preferred_channel,
            language=new.citizen.language,
        ),
    )
    return record, event


def filing_answer(record: dict[str, Any]) -> dict[str, Any]:
    """What the office is told at filing; kept, so a repeated Idempotency-Key gets it verbatim."""
    return {
        "tracking_code": record["_id"],
        "request_id": record["request_id"],
        "status": record["status"],
        "service_code": record["service_code"],
        "service_name_fa": record["service_name_fa"],
        "fee": record["fee"],
        "requested_at": record["requested_at"].isoformat(),
        "sla_hours": record["sla_hours"],
        "expected_at": None,
        "possible_duplicates": record["possible_duplicates"],
    }
