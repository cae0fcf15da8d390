"""Settings shared by every service; each service reads them under its own prefix."""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Subclass with `model_config = service_config("INTAKE_")` and a default port.

    Nothing here is read at import time: a service builds its settings inside
    `create_app` (or its `__main__`), so tests pass settings in directly.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    mongodb_url: str = Field(description="MongoDB connection string; the database is the path")
    amqp_url: str = Field(description="RabbitMQ URL, e.g. amqp://guest:guest@127.0.0.1:5672/")
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)
    public_base_url: str | None = None
    jwt_secret: SecretStr | None = Field(default=None, min_length=32)
    jwt_public_key: str | None = None
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    delivery_limit: int = Field(default=5, ge=1, le=15)
    not_yet_attempts: int = Field(
        default=15,
        ge=1,
        le=19,  # below the queues' own x-delivery-limit (20)
        description="attempts, with back-off up to 10 s, for an event that arrived before what it needs",
    )
    prefetch: int = Field(default=100, ge=1, le=10_000)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="larger request bodies get 413")
    tracing_enabled: bool = Field(default=False, description="OpenTelemetry traces of HTTP and bus work")
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces endpoint, e.g. http://otel:4318/v1/traces"
    )
    log_level: str = "INFO"
    log_json: bool = True
    fault_crash_before_publish: bool = Field(
        default=False,
        description="Fault injection for tests: exit right after a store write, before its events go out",
    )

    @field_validator("mongodb_url")
    @classmethod
    def _mongodb_scheme(cls, value: str) -> str:
        if not value.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    @field_validator("amqp_url")
    @classmethod
    def _amqp_scheme(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps://")
        return value

    @model_validator(mode="after")
    def _token_key(self) -> Self:
        if self.jwt_secret is None and self.jwt_public_key is None:
            raise ValueError("set JWT_SECRET (32+ characters) or JWT_PUBLIC_KEY to verify staff tokens")
        return self

    @property
    def base_url(self) -> str:
        return self.public_base_url or f"http://{self.http_host}:{self.http_port}"


def service_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", frozen=True)


def _prefixed(prefix: str, word: str) -> str:
    return f"{prefix}{word}" if word.lower() in ServiceSettings.model_fields else word


def describe_errors(prefix: str, error: ValidationError) -> str:
    """One line per bad setting, named as the operator has to type it."""
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        name = f"{prefix}{field.upper()}" if field else f"{prefix}*"
        problem = "is required" if item["type"] == "missing" else item["msg"]
        problem = re.sub(r"\b([A-Z][A-Z_]+)\b", lambda m: _prefixed(prefix, m.group(1)), problem)
        lines.append(f"  {name}: {problem}")
    return "\n".join(lines)
