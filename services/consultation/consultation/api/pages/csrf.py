"""Cross-site request forgery: a signed token in a SameSite=Strict cookie, repeated in the form.

The token is `issued.nonce.signature`; a POST passes when the form's copy equals the cookie's,
the signature matches the server's key and the token is younger than `MAX_AGE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from fastapi import Request, Response

from servicekit.settings import ServiceSettings

COOKIE = "consultation_form"
FIELD = "form_token"
MAX_AGE_SECONDS = 12 * 3600
LABEL = b"pishkhan/consultation/forms/v1\x00"


def form_key(settings: ServiceSettings) -> bytes:
    """A key of its own for forms, derived from the service's token secret so replicas agree."""
    if settings.jwt_secret is not None:
        material = settings.jwt_secret.get_secret_value()
    else:
        material = settings.jwt_public_key or ""
    return hashlib.sha256(LABEL + material.encode()).digest()


class FormTokens:
    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._clock = clock

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        body = f"{int(self._clock())}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, token: str | None, max_age: int = MAX_AGE_SECONDS) -> bool:
        if not token or len(token) > 200:
            return False
        body, _, signature = token.rpartition(".")
        issued = body.partition(".")[0]
        if not issued.isdigit() or not hmac.compare_digest(signature, self._sign(body)):
            return False
        return 0 <= self._clock() - int(issued) <= max_age

    def matches(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
            return False
        return self.valid(cookie)

    def for_page(self, request: Request) -> str:
        """The visitor's current token, or a fresh one when it is missing, forged or old."""
        current = request.cookies.get(COOKIE)
        # reused so several open tabs keep working, but renewed well before it expires
        fresh = current is not None and self.valid(current, MAX_AGE_SECONDS // 2)
        return current if fresh and current is not None else self.issue()


def set_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        path="/consultations",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
