"""Abuse limits (OWASP API4 and API6) measured against the running system.

- Every endpoint refuses a body over the size limit with 413, whether the length is declared
  or the body streams in chunks.
- Every page-size parameter declares a cap, and the cap holds.
- Offices are limited per office, the public lookups and comment calls per client: over the
  limit the answer is 429 with a Retry-After.
- The tracking lookup cannot enumerate codes: after N wrong guesses a client is blocked, even
  for a right guess, and a code's mobile check cannot be guessed from many addresses at once.

Each limited client connects from its own loopback address, so these tests spend no other
test's budget.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from stdnum import verhoeff
from support import (
    System,
    citizen_request,
    client_from,
    file_request,
    issue_office_key,
    licensed_office,
)
from test_authorization_matrix import ROWS, Row

from pishkhan_local.cluster import SERVICES
from pishkhan_local.demo import VENDORS_DRAFT
from servicekit.auth import Role

pytestmark = pytest.mark.e2e

LIMIT = 64 * 1024  # MAX_BODY_BYTES, the services' default
TRACK_PER_CLIENT, TRACK_PER_CODE = 30, 10  # intake.api.track
COMMENTS_PER_MINUTE, REPORTS_PER_MINUTE = 10, 20  # consultation's defaults


def _address() -> str:
    """A loopback address of its own for each limited client."""
    return f"127.0.{secrets.randbelow(200) + 2}.{secrets.randbelow(250) + 2}"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "probe", path.replace("{fmt}", "json"))


def _row_id(row: Row) -> str:
    return f"{row.service} {row.method} {row.path}"


# --- body size ------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_every_endpoint_refuses_an_oversized_body(system: System, row: Row) -> None:
    oversized = b'{"text_fa": "' + b"a" * (LIMIT + 1) + b'"}'
    response = httpx.request(
        row.method,
        system.url(row.service) + _concrete(row.path),
        content=oversized,
        headers={"Content-Type": "application/json"},
        timeout=15,
    )
    assert response.status_code == 413, response.text[:200]
    assert response.json()["title"] == "payload_too_large"


def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"text_fa": "'
    for _ in range(size // 4096 + 1):
        yield b"a" * 4096
    yield b'"}'


BODY_ROWS = [row for row in ROWS if row.json is not None or row.form is not None]


@pytest.mark.parametrize("row", BODY_ROWS, ids=_row_id)
def test_a_streamed_body_over_the_limit_is_refused_as_it_arrives(system: System, row: Row) -> None:
    """No Content-Length to trust: the body is counted while it is read."""
    media_type = "application/json" if row.json is not None else "application/x-www-form-urlencoded"
    response = httpx.request(
        row.method,
        system.url(row.service) + _concrete(row.path),
        content=_chunks(LIMIT + 1),
        headers={"Content-Type": media_type, "Authorization": system.staff()["Authorization"]},
        timeout=15,
    )
    assert response.status_code == 413, response.text[:200]


# --- page sizes ---------------------------------------------------------------------------------

SIZE_PARAMETERS = {"limit", "page_size", "page", "days"}

# (service, path, parameter) → (cap, who asks, the call)
PAGED: dict[tuple[str, str, str], tuple[int, Role | None, str]] = {
    ("routing", "/v1/queue", "page_size"): (500, Role.ADMIN, "/v1/queue"),
    ("routing", "/v1/queue", "page"): (10_000, Role.ADMIN, "/v1/queue"),
    ("consultation", "/v1/drafts", "limit"): (200, Role.AUTHOR, "/v1/drafts"),
    ("consultation", "/v1/moderation/comments", "limit"): (500, Role.MODERATOR, "/v1/moderation/comments"),
    ("consultation", "/v1/consultations/{draft_id}/comments", "limit"): (200, None, "comments"),
    ("notify", "/v1/notifications", "limit"): (200, Role.ADMIN, "/v1/notifications"),
    ("notify", "/v1/notifications/stats", "days"): (366, Role.ADMIN, "/v1/notifications/stats"),
    ("notify", "/v1/subscriptions", "limit"): (1000, Role.ADMIN, "/v1/subscriptions"),
}


def _size_parameters(system: System) -> dict[tuple[str, str, str], dict[str, Any]]:
    found = {}
    for service in SERVICES:
        schema = httpx.get(f"{system.url(service)}/openapi.json", timeout=10).json()
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "query" and parameter["name"] in SIZE_PARAMETERS:
                        found[(service, path, parameter["name"])] = parameter["schema"]
    return found


def test_every_page_size_parameter_declares_a_cap_and_is_checked_here(system: System) -> None:
    declared = _size_parameters(system)
    uncapped = sorted(key for key, schema in declared.items() if "maximum" not in schema)
    assert not uncapped, f"size parameters without a maximum: {uncapped}"
    assert set(declared) == set(PAGED), f"add to PAGED: {sorted(set(declared) - set(PAGED))}"
    assert {key: schema["maximum"] for key, schema in declared.items()} == {
        key: cap for key, (cap, _, _) in PAGED.items()
    }


@pytest.fixture(scope="module")
def open_draft(system: System) -> str:
    consultation = system.url("consultation")
    author, approver = system.staff(Role.AUTHOR), system.staff(Role.APPROVER)
    draft = httpx.post(f"{consultation}/v1/drafts", json=VENDORS_DRAFT, headers=author, timeout=10)
    assert draft.status_code == 201, draft.text
    draft_id = str(draft.json()["id"])
    for step, body in (("approve", None), ("open", {"days": 14})):
        moved = httpx.post(
            f"{consultation}/v1/drafts/{draft_id}/{step}", json=body, headers=approver, timeout=10
        )
        assert moved.status_code == 200, moved.text
    return draft_id


@pytest.mark.parametrize("key", sorted(PAGED), ids=lambda key: " ".join(key))
def test_a_page_size_over_its_cap_is_refused(
    system: System, open_draft: str, key: tuple[str, str, str]
) -> None:
    service, _, parameter = key
    cap, role, path = PAGED[key]
    if path == "comments":
        path = f"/v1/consultations/{open_draft}/comments"
    headers = system.staff(role) if role else {}
    url = system.url(service) + path
    at_cap = httpx.get(url, params={parameter: cap}, headers=headers, timeout=15)
    assert at_cap.status_code == 200, at_cap.text
    over = httpx.get(url, params={parameter: cap + 1}, headers=headers, timeout=15)
    assert over.status_code == 422, over.text


# --- rate limits ----------------------------------------------------------------------------------


def _retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 61
    return seconds


def test_an_office_over_its_rate_is_told_when_to_come_back(system: System) -> None:
    code = f"RATE-{uuid.uuid4().hex[:6]}"
    licensed_office(system, code, rate_limit_per_minute=3)
    _, key = issue_office_key(system, code)
    url = f"{system.url('intake')}/v1/requests"
    statuses = [
        httpx.post(url, json=citizen_request(), headers={"X-Api-Key": key}, timeout=10).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 201]
    _retry_after(httpx.post(url, json=citizen_request(), headers={"X-Api-Key": key}, timeout=10))
    # Open311 filing spends the same budget
    form = {
        "api_key": key,
        "service_code": "ARD-101",
        "lat": "38.2498",
        "long": "48.2933",
        "description": "x",
    }
    _retry_after(httpx.post(f"{system.url('intake')}/open311/v2/requests.json", data=form, timeout=10))
    # another office is not slowed down
    assert file_request(system)["status"]


def _wrong_code() -> str:
    body = str(secrets.randbelow(9 * 10**10) + 10**10)
    return body + verhoeff.calc_check_digit(body)


def test_guessing_tracking_codes_gets_a_client_blocked(system: System) -> None:
    """N wrong guesses, then blocked: even the right code and mobile are refused for the minute."""
    right = str(file_request(system)["tracking_code"])
    intake = system.url("intake")
    with client_from(_address()) as guesser:
        answers = [
            guesser.get(f"{intake}/v1/track/{_wrong_code()}", params={"last4": "4567"}) for _ in range(40)
        ]
        statuses = [answer.status_code for answer in answers]
        allowed = statuses.index(429)
        assert allowed == TRACK_PER_CLIENT and set(statuses[:allowed]) == {404}
        assert set(statuses[allowed:]) == {429}
        _retry_after(answers[-1])
        _retry_after(guesser.get(f"{intake}/v1/track/{right}", params={"last4": "4567"}))
        page = guesser.get(f"{intake}/track", params={"code": right, "last4": "4567"})
        assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    with client_from(_address()) as citizen:  # someone else is not blocked
        assert citizen.get(f"{intake}/v1/track/{right}", params={"last4": "4567"}).status_code == 200


def test_a_codes_mobile_check_cannot_be_guessed_from_many_addresses(system: System) -> None:
    code = str(file_request(system)["tracking_code"])
    intake = system.url("intake")
    statuses = []
    for guess in range(TRACK_PER_CODE + 2):
        with client_from(_address()) as guesser:
            statuses.append(
                guesser.get(f"{intake}/v1/track/{code}", params={"last4": f"{guess:04d}"}).status_code
            )
    assert statuses[:TRACK_PER_CODE] == [404] * TRACK_PER_CODE
    assert statuses[TRACK_PER_CODE:] == [429, 429]


def test_comments_and_reports_are_limited_per_client(system: System, open_draft: str) -> None:
    consultation = system.url("consultation")
    url = f"{consultation}/v1/consultations/{open_draft}/comments"
    with client_from(_address()) as campaigner:
        answers = [
            campaigner.post(url, json={"stance": "for", "text_fa": f"موافقم {uuid.uuid4().hex}"})
            for _ in range(COMMENTS_PER_MINUTE + 1)
        ]
        assert [answer.status_code for answer in answers[:-1]] == [201] * COMMENTS_PER_MINUTE
        _retry_after(answers[-1])
        receipt = answers[0].json()["receipt"]
        reports = [
            campaigner.post(f"{consultation}/v1/comments/{receipt}/report")
            for _ in range(REPORTS_PER_MINUTE + 1)
        ]
        assert {report.status_code for report in reports[:-1]} == {200}
        _retry_after(reports[-1])
    with client_from(_address()) as neighbour:
        assert neighbour.post(url, json={"stance": "against", "text_fa": "مخالفم"}).status_code == 201


def test_online_subscriptions_are_limited_per_client(system: System) -> None:
    url = f"{system.url('notify')}/v1/public/subscriptions"
    with client_from(_address()) as sender:
        statuses = [
            sender.post(url, json={"email": f"flood-{uuid.uuid4().hex[:8]}@example.org"}).status_code
            for _ in range(COMMENTS_PER_MINUTE * 3)
        ]
    assert 429 in statuses
