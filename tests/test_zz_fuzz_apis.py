"""Fuzzing every service's API from its committed OpenAPI document (schemathesis): whatever an
office, a citizen or a broken client sends, no endpoint answers with a server error.

Runs late in the suite because fuzzed writes (units, rules, calendars…) change the shared system.
Only `not_a_server_error` is checked: 4xx problem documents are answered everywhere but not
declared per endpoint in the OpenAPI documents.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from support import System

from pishkhan_local.docs import DOCS
from servicekit.auth import Role

pytestmark = pytest.mark.e2e
EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzz_headers(system: System) -> dict[str, str]:
    """An admin token and the key of an office of its own, so fuzzing exhausts no one's limits."""
    admin = system.staff(Role.ADMIN)
    office = {
        "code": "FUZZ-1",
        "name_fa": "دفتر آزمون",
        "district": "1",
        "licence_number": "F-1",
        "licence_valid_until": (date.today() + timedelta(days=30)).isoformat(),
        "rate_limit_per_minute": 100_000,
    }
    assert httpx.put(
        f"{system.url('intake')}/v1/offices/FUZZ-1", json=office, headers=admin, timeout=10
    ).is_success
    key = httpx.post(f"{system.url('intake')}/v1/offices/FUZZ-1/keys", headers=admin, timeout=10).json()
    return admin | {"X-Api-Key": key["api_key"]}


def _fuzz(service: str) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_path(DOCS / service / "openapi.json")


intake_api, routing_api = _fuzz("intake"), _fuzz("routing")
consultation_api, notify_api = _fuzz("consultation"), _fuzz("notify")
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _call(case: schemathesis.Case, system: System, service: str, headers: dict[str, str]) -> None:
    case.headers = {**(case.headers or {}), **headers}
    case.call_and_validate(base_url=system.url(service), checks=[not_a_server_error], timeout=15)


@intake_api.parametrize()
@fuzz_settings
def test_intake_never_answers_5xx(
    case: schemathesis.Case, system: System, fuzz_headers: dict[str, str]
) -> None:
    _call(case, system, "intake", fuzz_headers)


@routing_api.parametrize()
@fuzz_settings
def test_routing_never_answers_5xx(
    case: schemathesis.Case, system: System, fuzz_headers: dict[str, str]
) -> None:
    _call(case, system, "routing", fuzz_headers)


@consultation_api.parametrize()
@fuzz_settings
def test_consultation_never_answers_5xx(
    case: schemathesis.Case, system: System, fuzz_headers: dict[str, str]
) -> None:
    _call(case, system, "consultation", fuzz_headers)


@notify_api.parametrize()
@fuzz_settings
def test_notify_never_answers_5xx(
    case: schemathesis.Case, system: System, fuzz_headers: dict[str, str]
) -> None:
    _call(case, system, "notify", fuzz_headers)
