from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo.errors import AutoReconnect

from intake.settings import IntakeSettings
from servicekit.app import new_app
from servicekit.auth import Role, mint_staff_token, require_roles
from servicekit.errors import (
    PROBLEM_JSON,
    PROBLEMS_FA,
    REFUSED_FA,
    SERVER_ERROR_FA,
    STATUS_FA,
    Problem,
    default_message_fa,
    install_problem_handlers,
)
from servicekit.ratelimit import RateLimiter, refuse_over_limit

from .conftest import SECRET

NOT_A_CODE_FA = "کد معتبر نیست"


class BadCode(ValueError):
    def __init__(self) -> None:
        super().__init__("code is not valid")
        self.message_fa = NOT_A_CODE_FA


class Filing(BaseModel):
    code: str
    count: int = Field(ge=1)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not value.isdigit():
            raise BadCode()
        return value


@pytest.fixture
def client(settings: IntakeSettings) -> TestClient:
    app: FastAPI = new_app("intake", settings, title="t", description="d")

    @app.post("/filings")
    async def file(filing: Filing) -> dict[str, int]:
        return {"count": filing.count}

    @app.get("/conflict")
    async def conflict() -> None:
        raise Problem(409, "duplicate", "already filed")

    return TestClient(app)


def test_well_formed_body_passes(client: TestClient) -> None:
    response = client.post("/filings", json={"code": "12", "count": 3})
    assert response.status_code == 200
    assert response.json() == {"count": 3}


def test_malformed_json_is_400_problem(client: TestClient) -> None:
    response = client.post(
        "/filings", content=b'{"code": "12", "count": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["title"] == "malformed_json"
    assert body["status"] == 400


def test_validation_failure_is_422_with_locations(client: TestClient) -> None:
    response = client.post("/filings", json={"code": "12", "count": 0})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["title"] == "validation_failed"
    assert ["body", "count"] in [item["loc"] for item in body["errors"]]


def test_missing_field_is_422_naming_it(client: TestClient) -> None:
    response = client.post("/filings", json={"code": "12"})
    assert response.status_code == 422
    assert ["body", "count"] in [item["loc"] for item in response.json()["errors"]]


def test_domain_error_carries_its_persian_message(client: TestClient) -> None:
    response = client.post("/filings", json={"code": "abc", "count": 1})
    assert response.status_code == 422
    items = response.json()["errors"]
    code_items = [item for item in items if item["loc"] == ["body", "code"]]
    assert code_items and code_items[0]["msg_fa"] == NOT_A_CODE_FA


def test_problem_raised_in_a_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/conflict")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["title"] == "duplicate"
    assert response.json()["detail"] == "already filed"


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["title"] == "not_found"


class _Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=3)
    count: int


def test_every_validation_error_carries_a_persian_message() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def things(body: _Thing) -> dict[str, str]:
        return {"ok": body.name}

    response = TestClient(app).post("/things", json={"name": "too long", "extra": 1})
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e for e in response.json()["errors"]}
    assert errors[("body", "name")]["msg_fa"] == "متن بلندتر از حد مجاز است"
    assert errors[("body", "count")]["msg_fa"] == "این مورد الزامی است"
    assert errors[("body", "extra")]["msg_fa"].startswith("این مورد شناخته‌شده نیست")


# Every problem carries a Persian `msg_fa` for the person who reads it, whoever raised it.


@pytest.fixture
def plumbing(settings: IntakeSettings) -> TestClient:
    app: FastAPI = new_app("intake", settings, title="t", description="d")
    limiter = RateLimiter()

    @app.post("/filings", dependencies=[require_roles(Role.ADMIN)])
    async def file(filing: Filing) -> dict[str, int]:
        return {"count": filing.count}

    @app.get("/limited")
    async def limited() -> None:
        refuse_over_limit(limiter, "client", 0)

    @app.get("/store")
    async def store() -> None:
        raise AutoReconnect("connection closed")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Problem(409, "duplicate", "already filed")

    @app.get("/said")
    async def said() -> None:
        raise Problem(409, "duplicate", "already filed", detail_fa="این درخواست قبلاً ثبت شده است")

    return TestClient(app, raise_server_exceptions=False)


def _bearer(who: str | None) -> dict[str, str]:
    tokens = {
        "admin": mint_staff_token(SECRET, "admin-1", [Role.ADMIN]),
        "clerk": mint_staff_token(SECRET, "clerk-1", [Role.CLERK]),
        "forged": "not-a-token",
    }
    return {"authorization": f"Bearer {tokens[who]}"} if who else {}


FILING = b'{"code": "1", "count": 1}'


@pytest.mark.unit
@pytest.mark.parametrize(
    ("method", "path", "who", "body", "status", "code"),
    [
        ("GET", "/nowhere", None, None, 404, "not_found"),
        ("DELETE", "/filings", None, None, 405, "method_not_allowed"),
        ("POST", "/filings", None, FILING, 401, "missing_token"),
        ("POST", "/filings", "forged", FILING, 401, "invalid_token"),
        ("POST", "/filings", "clerk", FILING, 403, "forbidden"),
        ("POST", "/filings", "admin", b'{"code": ', 400, "malformed_json"),
        ("POST", "/filings", "admin", b'{"code": "1"}', 422, "validation_failed"),
        ("POST", "/filings", "admin", b"x" * (65 * 1024), 413, "payload_too_large"),
        ("GET", "/limited", None, None, 429, "rate_limited"),
        ("GET", "/store", None, None, 503, "store_unavailable"),
    ],
)
def test_servicekit_s_own_problems_speak_persian(
    plumbing: TestClient, method: str, path: str, who: str | None, body: bytes | None, status: int, code: str
) -> None:
    headers = _bearer(who) | {"content-type": "application/json"}
    response = plumbing.request(method, path, content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["title"] == code
    assert problem["status"] == status
    assert problem["detail"]
    assert problem["msg_fa"] == PROBLEMS_FA[code]


@pytest.mark.unit
def test_a_problem_without_persian_gets_its_status_s_and_a_raiser_s_own_wins(plumbing: TestClient) -> None:
    assert plumbing.get("/conflict").json()["msg_fa"] == STATUS_FA[409]
    said = plumbing.get("/said").json()
    assert said["msg_fa"] == "این درخواست قبلاً ثبت شده است"
    assert said["detail"] == "already filed"


@pytest.mark.unit
def test_every_status_has_a_persian_default() -> None:
    assert default_message_fa(418, "teapot") == REFUSED_FA
    assert default_message_fa(500, "boom") == SERVER_ERROR_FA
    assert default_message_fa(404, "no_such_office") == STATUS_FA[404]
    assert default_message_fa(403, "office_suspended") == STATUS_FA[403]
    for text in [*PROBLEMS_FA.values(), *STATUS_FA.values(), REFUSED_FA, SERVER_ERROR_FA]:
        assert re.search("[\u0600-\u06ff]", text)
        assert not re.search("[يك]", text), text  # Persian ی and ک, not the Arabic letters
