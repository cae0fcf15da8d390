from typing import Any

import pytest
from pydantic import ValidationError

from consultation.settings import ConsultationSettings

REQUIRED: dict[str, Any] = {
    "mongodb_url": "mongodb://127.0.0.1:27017/consultation",
    "amqp_url": "amqp://guest:guest@127.0.0.1:5672/",
    "jwt_secret": "x" * 32,
}


def test_defaults_are_tehran_a_30_second_scan_and_port_8003() -> None:
    settings = ConsultationSettings(**REQUIRED)
    assert settings.http_port == 8003
    assert settings.timezone == "Asia/Tehran"
    assert settings.schedule_scan_seconds == 30
    assert settings.comments_per_minute == 10


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError):
        ConsultationSettings(**REQUIRED, timezone="Asia/Nowhere")


def test_settings_come_from_the_consultation_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULTATION_SCHEDULE_SCAN_SECONDS", "0.5")
    assert ConsultationSettings(**REQUIRED).schedule_scan_seconds == 0.5
