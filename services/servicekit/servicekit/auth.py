"""Who is calling: offices by API key, municipal staff by bearer token (JWT).

API keys look like `pk_<key id>_<secret>`; only a SHA-256 digest is stored, so a
key is shown once, at issue. An office may hold several active keys for rotation.
Staff tokens are verified with a shared secret (HS256) locally, or with an identity
provider's public key (RS256/ES256, e.g. Keycloak) in production.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, Field, ValidationError, field_validator

from servicekit.errors import Problem
from servicekit.settings import ServiceSettings

API_KEY_PREFIX = "pk_"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CLERK = "clerk"
    MODERATOR = "moderator"
    AUTHOR = "author"  # writes consultation drafts
    APPROVER = "approver"  # approves and opens them; never their own


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    plaintext: str
    digest: str


def issue_api_key() -> IssuedKey:
    key_id = secrets.token_hex(4)
    plaintext = f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return IssuedKey(key_id=key_id, plaintext=plaintext, digest=digest_api_key(plaintext))


def digest_api_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


class StaffClaims(BaseModel):
    sub: str
    roles: list[Role] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)

    @field_validator("roles", mode="before")
    @classmethod
    def _known_roles_only(cls, value: Any) -> Any:
        """An identity provider may carry roles of other systems; they grant nothing here."""
        if isinstance(value, list):
            return [role for role in value if role in set(Role)]
        return value

    def has_any(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        if settings.jwt_public_key:
            self._key: str = settings.jwt_public_key
        elif settings.jwt_secret is not None:
            self._key = settings.jwt_secret.get_secret_value()
        self._algorithms = list(settings.jwt_algorithms)
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer

    def verify(self, token: str) -> StaffClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as error:
            raise Problem(401, "invalid_token", f"staff token rejected: {error}") from error
        try:
            return StaffClaims.model_validate(claims)
        except ValidationError as error:
            raise Problem(401, "invalid_token", "staff token claims are malformed") from error


def mint_staff_token(
    secret: str,
    subject: str,
    roles: list[Role],
    units: list[str] | None = None,
    *,
    ttl: timedelta = timedelta(hours=12),
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [str(role) for role in roles],
        "units": units or [],
        "iat": now,
        "exp": now + ttl,
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "missing_token", "an Authorization: Bearer staff token is required")
    return token.strip()


def staff(request: Request) -> StaffClaims:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(bearer_token(request))


Staff = Annotated[StaffClaims, Depends(staff)]


def require_roles(*roles: Role) -> Any:
    """A dependency that admits staff holding any of `roles`."""

    def check(claims: Staff) -> StaffClaims:
        if not claims.has_any(*roles):
            wanted = ", ".join(str(role) for role in roles)
            raise Problem(403, "forbidden", f"this needs one of the roles: {wanted}")
        return claims

    return Depends(check)
