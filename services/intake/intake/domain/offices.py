"""Licensed electronic service offices (دفاتر خدمات الکترونیک شهرداری)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class OfficeStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class Office(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
    name_fa: str
    district: str
    licence_number: str
    licence_valid_until: date
    status: OfficeStatus = OfficeStatus.ACTIVE
    services: list[str] | None = Field(default=None, description="service codes it may file; null: all")
    rate_limit_per_minute: int = Field(default=120, ge=1)
    callback_url: HttpUrl | None = Field(
        default=None, description="where notify posts signed status callbacks"
    )
    signing_secret_ref: str | None = Field(
        default=None,
        max_length=100,
        description="names the callback signing secret held by notify; never the secret",
    )


class OfficeRefused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def check_may_file(office: Office, service_code: str, today: date) -> None:
    if office.status is OfficeStatus.SUSPENDED:
        raise OfficeRefused("office_suspended", f"office {office.code} is suspended")
    if office.status is OfficeStatus.EXPIRED or office.licence_valid_until < today:
        raise OfficeRefused("licence_expired", f"the licence of office {office.code} has expired")
    if office.services is not None and service_code not in office.services:
        raise OfficeRefused("service_not_licensed", f"office {office.code} may not file {service_code}")
