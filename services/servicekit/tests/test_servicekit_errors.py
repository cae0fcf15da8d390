from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, field_validator

from intake.settings import IntakeSettings
from servicekit.app import new_app
from servicekit.errors import PROBLEM_JSON, Problem, install_problem_handlers

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
