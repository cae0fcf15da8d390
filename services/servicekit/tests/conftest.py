"""Settings for servicekit tests, built directly so nothing is read from the machine's environment."""

from __future__ import annotations

import os

import pytest

from intake.settings import IntakeSettings

SECRET = "x" * 40
# Nothing listens on port 1: building a Bus or an app with these must not try to connect.
UNREACHABLE_AMQP = "amqp://guest:guest@127.0.0.1:1/"
UNREACHABLE_MONGODB = "mongodb://127.0.0.1:1/intake"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("INTAKE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> IntakeSettings:
    return IntakeSettings(mongodb_url=UNREACHABLE_MONGODB, amqp_url=UNREACHABLE_AMQP, jwt_secret=SECRET)
