"""A service refuses to start, and says why, when its configuration is missing or wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e

GOOD = {
    "ROUTING_MONGODB_URL": "mongodb://127.0.0.1:1/routing",
    "ROUTING_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "ROUTING_JWT_SECRET": "x" * 40,
}


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROUTING_")}
    return subprocess.run(
        [sys.executable, "-m", "routing"],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({k: v for k, v in GOOD.items() if k != "ROUTING_MONGODB_URL"}, "ROUTING_MONGODB_URL: is required"),
        (GOOD | {"ROUTING_AMQP_URL": "http://broker"}, "ROUTING_AMQP_URL"),
        (GOOD | {"ROUTING_HTTP_PORT": "eighty"}, "ROUTING_HTTP_PORT"),
        ({k: v for k, v in GOOD.items() if k != "ROUTING_JWT_SECRET"}, "JWT_SECRET"),
    ],
)
def test_missing_or_malformed_settings_stop_the_service_with_a_clear_message(
    env: dict[str, str], named: str
) -> None:
    result = _start(env)
    assert result.returncode == 2
    assert "configuration" in result.stderr
    assert named in result.stderr
