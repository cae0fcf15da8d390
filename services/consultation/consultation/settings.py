"""Settings of the consultation service, read under the `CONSULTATION_` prefix."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from servicekit.settings import ServiceSettings, service_config


class ConsultationSettings(ServiceSettings):
    model_config = service_config("CONSULTATION_")

    http_port: int = Field(default=8003, ge=1, le=65535)
    timezone: str = Field(
        default="Asia/Tehran", description="IANA zone that counts the comment window's days"
    )
    schedule_scan_seconds: float = Field(
        default=30.0, gt=0, description="How often the closing-soon and closing job looks for due events"
    )
    comments_per_minute: int = Field(default=10, ge=1, description="Comments one client may file per minute")
    reports_per_minute: int = Field(default=20, ge=1, description="Reports one client may file per minute")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value
