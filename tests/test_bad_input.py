"""Bad input at intake gets a machine-readable 4xx and stores nothing."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from support import System, citizen_request

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (b'{"service_code": "ARD-101", ', 400, "malformed_json"),
        ({"category": "complaint"}, 422, "validation_failed"),
        ({"service_code": "NO-SUCH"}, 422, "validation_failed"),
        (
            {"citizen": {"name": "مریم", "national_id": "1111111111", "mobile": "09141234567"}},
            422,
            "validation_failed",
        ),
        (
            {"citizen": {"name": "مریم", "national_id": "0499370899", "mobile": "02133445566"}},
            422,
            "validation_failed",
        ),
        ({"unexpected": {"$where": "1"}}, 422, "validation_failed"),
    ],
)
def test_bad_requests_are_refused_and_leave_nothing_behind(
    system: System, body: bytes | dict[str, object], status: int, problem: str
) -> None:
    marker = uuid.uuid4().hex
    if isinstance(body, dict):
        payload = citizen_request(marker) | body
        if "category" in body and "service_code" not in body:
            payload.pop("service_code")
        content = httpx.Request("POST", "/", json=payload).content
    else:
        content = body
    response = httpx.post(
        f"{system.url('intake')}/v1/requests",
        content=content,
        timeout=10,
        headers=system.office | {"Content-Type": "application/json"},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document = response.json()
    assert document["title"] == problem
    assert document["status"] == status
    if status == 422:
        assert document["errors"][0]["loc"][0] == "body"

    time.sleep(1.5)
    queue = httpx.get(
        f"{system.url('routing')}/v1/queue", headers=system.staff(), params={"limit": 500}, timeout=10
    )
    assert all(marker not in str(case["description"]) for case in queue.json())


def test_an_unknown_or_missing_api_key_is_refused(system: System) -> None:
    url = f"{system.url('intake')}/v1/requests"
    assert httpx.post(url, json=citizen_request(), timeout=10).status_code == 401
    refused = httpx.post(url, json=citizen_request(), headers={"X-Api-Key": "pk_nope_nope"}, timeout=10)
    assert refused.status_code == 401
    assert refused.json()["title"] == "invalid_api_key"
