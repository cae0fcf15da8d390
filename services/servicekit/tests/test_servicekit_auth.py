from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from intake.settings import IntakeSettings
from servicekit.app import new_app
from servicekit.auth import (
    API_KEY_PREFIX,
    Role,
    StaffClaims,
    TokenVerifier,
    issue_api_key,
    mint_staff_token,
    require_roles,
)
from servicekit.errors import Problem

from .conftest import SECRET, UNREACHABLE_AMQP, UNREACHABLE_MONGODB


def claims(**extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": "staff-1", "roles": ["clerk"], "iat": now, "exp": now + timedelta(hours=1)} | extra


def refused(verifier: TokenVerifier, token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        verifier.verify(token)
    return caught.value


def test_api_keys_are_distinct_and_stored_only_as_digest() -> None:
    keys = [issue_api_key() for _ in range(5)]
    assert len({key.plaintext for key in keys}) == len(keys)
    for key in keys:
        assert key.plaintext.startswith(API_KEY_PREFIX)
        assert key.key_id in key.plaintext
        assert key.digest == hashlib.sha256(key.plaintext.encode()).hexdigest()
        assert key.digest != key.plaintext


def test_minted_token_round_trips(settings: IntakeSettings) -> None:
    token = mint_staff_token(SECRET, "staff-9", [Role.SUPERVISOR, Role.CLERK], ["unit-a", "unit-b"])
    verified = TokenVerifier(settings).verify(token)
    assert verified.sub == "staff-9"
    assert verified.roles == [Role.SUPERVISOR, Role.CLERK]
    assert verified.units == ["unit-a", "unit-b"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(jwt.encode(claims(exp=datetime.now(UTC) - timedelta(minutes=5)), SECRET), id="expired"),
        pytest.param(jwt.encode(claims(), "y" * 40), id="wrong-secret"),
        pytest.param(jwt.encode({"sub": "staff-1", "roles": ["admin"]}, SECRET), id="no-exp"),
        pytest.param(jwt.encode(claims(roles=["admin"]), None, algorithm="none"), id="alg-none"),
        pytest.param("not-a-token", id="garbage"),
    ],
)
def test_bad_tokens_are_refused_with_401(settings: IntakeSettings, token: str) -> None:
    assert refused(TokenVerifier(settings), token).status == 401


def test_expired_minted_token_is_refused(settings: IntakeSettings) -> None:
    token = mint_staff_token(SECRET, "staff-1", [Role.ADMIN], ttl=timedelta(seconds=-60))
    assert refused(TokenVerifier(settings), token).status == 401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_public_key_verifies_rs256_and_refuses_hs256() -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = IntakeSettings(
        mongodb_url=UNREACHABLE_MONGODB,
        amqp_url=UNREACHABLE_AMQP,
        jwt_public_key=public_pem,
        jwt_algorithms=("RS256",),
    )
    verifier = TokenVerifier(settings)

    rs256 = jwt.encode(claims(units=["u1"]), private_key, algorithm="RS256")
    assert verifier.verify(rs256) == StaffClaims(sub="staff-1", roles=[Role.CLERK], units=["u1"])

    assert refused(verifier, jwt.encode(claims(), SECRET, algorithm="HS256")).status == 401
    # HS256 signed with the public key itself, the classic algorithm confusion
    body = json.dumps({"sub": "staff-1", "roles": ["admin"], "exp": int(datetime.now(UTC).timestamp()) + 600})
    header = json.dumps({"alg": "HS256", "typ": "JWT"})
    signing_input = f"{_b64(header.encode())}.{_b64(body.encode())}"
    signature = hmac.new(public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert refused(verifier, f"{signing_input}.{_b64(signature)}").status == 401


@pytest.fixture
def client(settings: IntakeSettings) -> TestClient:
    app: FastAPI = new_app("intake", settings, title="t", description="d")

    @app.get("/supervised", dependencies=[require_roles(Role.SUPERVISOR, Role.ADMIN)])
    async def supervised() -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app)


def bearer(*roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(SECRET, 'staff-1', list(roles))}"}


def test_require_roles_without_token_is_401_problem(client: TestClient) -> None:
    response = client.get("/supervised")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_require_roles_with_bad_token_is_401(client: TestClient) -> None:
    response = client.get("/supervised", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_require_roles_with_wrong_role_is_403(client: TestClient) -> None:
    response = client.get("/supervised", headers=bearer(Role.CLERK, Role.MODERATOR))
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_require_roles_with_any_listed_role_is_200(client: TestClient) -> None:
    for role in (Role.SUPERVISOR, Role.ADMIN):
        response = client.get("/supervised", headers=bearer(role))
        assert response.status_code == 200, role
        assert response.json() == {"ok": "yes"}


def test_signed_token_with_an_unknown_role_is_not_a_server_error(settings: IntakeSettings) -> None:
    app: FastAPI = new_app("intake", settings, title="t", description="d")

    @app.get("/admin-only", dependencies=[require_roles(Role.ADMIN)])
    async def admin_only() -> dict[str, str]:
        return {"ok": "yes"}

    token = jwt.encode(claims(roles=["admin", "auditor"]), SECRET)
    response = TestClient(app, raise_server_exceptions=False).get(
        "/admin-only", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200

    malformed = jwt.encode(claims(roles="admin", units=[3]), SECRET)
    refused = TestClient(app, raise_server_exceptions=False).get(
        "/admin-only", headers={"Authorization": f"Bearer {malformed}"}
    )
    assert refused.status_code == 401
    assert refused.json()["title"] == "invalid_token"
