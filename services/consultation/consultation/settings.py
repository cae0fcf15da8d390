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
    comment_window_days: int = Field(
        default=14, ge=14, description="Calendar days of public comment after the opening day"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value
