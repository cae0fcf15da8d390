"""Notify's settings, read from `NOTIFY_*` environment variables."""

from datetime import time
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from notify.domain.quiet_hours import QUIET_END, QUIET_START
from servicekit.settings import ServiceSettings, service_config


class NotifySettings(ServiceSettings):
    model_config = service_config("NOTIFY_")

    http_port: int = 8004
    tracking_url: str = "http://127.0.0.1:8001/track"
    console_base_url: str = Field(
        default="http://127.0.0.1:8000", description="the staff console; staff alerts link to its cases"
    )
    digest_hour: int = Field(
        default=8, ge=0, le=23, description="Tehran hour from which the overdue digest goes"
    )
    digest_scan_seconds: float = Field(default=300.0, gt=0, description="how often the digest job looks")
    sms_provider: Literal["log", "http", "kavenegar", "smsir"] = "log"
    sms_api_key: SecretStr = Field(
        default=SecretStr(""), description="kavenegar, smsir: the API key; never logged"
    )
    sms_base_url: str | None = Field(
        default=None, description="kavenegar, smsir: another API address (a proxy, a test double)"
    )
    sms_http_url: str | None = Field(default=None, description="the gateway's send endpoint (JSON POST)")
    sms_http_api_key: SecretStr = SecretStr("")
    sms_http_key_header: str = "X-API-Key"
    sms_sender: str = Field(default="", description="the sender line")
    sms_timeout_seconds: float = Field(default=10.0, gt=0)
    receipt_poll_seconds: float = Field(
        default=60.0,
        ge=0,
        description="kavenegar, smsir: how often sent SMS are asked for their delivery report; 0: never",
    )
    smtp_host: str | None = Field(default=None, description="unset: this process sends no e-mail")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "pishkhan@localhost"
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="none", description="starttls: upgrade on the port (587); tls: TLS from the start (465)"
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = Field(default=None, description="never logged")
    smtp_ca_file: str | None = Field(
        default=None, description="PEM CA bundle to trust (default: the system's)"
    )
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    sms_rate_per_second: float = Field(
        default=10.0, gt=0, description="the provider's limit for all notify processes together; excess waits"
    )
    fanout_batch_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="subscribers read and recorded at a time for consultation news",
    )
    webhook_secrets: dict[str, SecretStr] = Field(
        default_factory=dict, description='JSON: {"<signing_secret_ref>": "<secret>"}; never logged'
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    subscribes_per_minute: int = Field(
        default=5, ge=1, description="online subscriptions (each sends a code) per client address"
    )
    contact_retention_days: int = Field(default=90, ge=0, description="after the request is finished")
    receipts_token: SecretStr | None = Field(
        default=None, description="providers send it as X-Provider-Token"
    )
    retention_scan_seconds: float = Field(default=300.0, gt=0, description="how often the erasure job runs")
    census_seconds: float = Field(
        default=60.0, gt=0, description="how often the stored notifications are counted for /metrics"
    )
    retry_scan_seconds: float = Field(default=5.0, gt=0)
    retry_base_seconds: float = Field(default=30.0, ge=0)
    retry_cap_seconds: float = Field(default=3600.0, ge=0)
    send_lease_seconds: float = Field(default=300.0, gt=0, description="a send older than this is retaken")
    quiet_hours_start: time = Field(
        default=QUIET_START, description="HH:MM Tehran time; non-urgent SMS waits from then on"
    )
    quiet_hours_end: time = Field(
        default=QUIET_END, description="HH:MM Tehran time; held SMS goes out then; equal to start: none"
    )

    @field_validator("smtp_tls", mode="before")
    @classmethod
    def _smtp_tls_was_a_flag(cls, value: Any) -> Any:
        """NOTIFY_SMTP_TLS was once true/false (TLS from the start, or none)."""
        flags = {"true": "tls", "1": "tls", "yes": "tls", "false": "none", "0": "none", "no": "none"}
        if isinstance(value, bool):
            return "tls" if value else "none"
        return flags.get(str(value).strip().lower(), value)
