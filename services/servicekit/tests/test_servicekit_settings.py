from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from intake.settings import IntakeSettings
from servicekit.settings import describe_errors

from .conftest import SECRET, UNREACHABLE_AMQP, UNREACHABLE_MONGODB

VALID: dict[str, Any] = {
    "mongodb_url": UNREACHABLE_MONGODB,
    "amqp_url": UNREACHABLE_AMQP,
    "jwt_secret": SECRET,
}


def build(**changes: Any) -> IntakeSettings:
    values = {key: value for key, value in (VALID | changes).items() if value is not None}
    return IntakeSettings(**values)


def test_valid_settings_build() -> None:
    settings = build()
    assert settings.mongodb_url == UNREACHABLE_MONGODB
    assert settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == SECRET


def test_a_public_key_alone_is_enough() -> None:
    assert build(jwt_secret=None, jwt_public_key="-----BEGIN PUBLIC KEY-----").jwt_secret is None


@pytest.mark.parametrize(
    "changes",
    [
        {"mongodb_url": None},
        {"amqp_url": None},
        {"mongodb_url": "postgres://127.0.0.1/intake"},
        {"amqp_url": "http://127.0.0.1:5672/"},
        {"jwt_secret": None},
        {"jwt_secret": "short-secret"},
    ],
    ids=["no-mongodb", "no-amqp", "mongodb-scheme", "amqp-scheme", "no-key", "short-secret"],
)
def test_bad_settings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        build(**changes)


def test_environment_is_read_under_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_MONGODB_URL", UNREACHABLE_MONGODB)
    monkeypatch.setenv("INTAKE_AMQP_URL", UNREACHABLE_AMQP)
    monkeypatch.setenv("INTAKE_JWT_SECRET", SECRET)
    assert IntakeSettings().amqp_url == UNREACHABLE_AMQP  # type: ignore[call-arg]


def test_describe_errors_names_the_variables_to_set() -> None:
    with pytest.raises(ValidationError) as caught:
        IntakeSettings(jwt_secret=SECRET)  # type: ignore[call-arg]
    text = describe_errors("INTAKE_", caught.value)
    lines = text.splitlines()
    assert any("INTAKE_MONGODB_URL" in line and "is required" in line for line in lines)
    assert any("INTAKE_AMQP_URL" in line and "is required" in line for line in lines)


def test_describe_errors_gives_the_reason_for_a_bad_value() -> None:
    with pytest.raises(ValidationError) as caught:
        build(amqp_url="http://127.0.0.1:5672/")
    text = describe_errors("INTAKE_", caught.value)
    assert "INTAKE_AMQP_URL" in text
    assert "amqp://" in text
    assert "is required" not in text
