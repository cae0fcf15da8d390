"""Notify's settings, read from `NOTIFY_*` environment variables."""

from typing import Literal

from servicekit.settings import ServiceSettings, service_config


class NotifySettings(ServiceSettings):
    model_config = service_config("NOTIFY_")

    http_port: int = 8004
    sms_provider: Literal["log"] = "log"
    tracking_url: str = "http://127.0.0.1:8001/track"
