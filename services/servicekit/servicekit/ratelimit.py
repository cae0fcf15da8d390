"""A sliding-window rate limiter kept in the process.

Each replica counts on its own, so N replicas admit up to N times the limit; a shared
limit belongs at the ingress (or a store-backed counter) when that matters.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from servicekit.errors import Problem


class RateLimiter:
    def __init__(self, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, limit: int) -> bool:
        """Count one hit for `key`; False when it would exceed `limit` within the window."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        if len(self._hits) > 50_000:
            self._forget_idle(now)
        return True

    def retry_after(self, key: str) -> int:
        hits = self._hits.get(key)
        if not hits:
            return 0
        return max(1, int(hits[0] + self._window - self._clock()) + 1)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._window]:
            del self._hits[key]


def client_address(request: Request) -> str:
    """The address a per-client limit counts under (behind a proxy: set uvicorn's forwarded IPs)."""
    return request.client.host if request.client else "unknown"


def refuse_over_limit(limiter: RateLimiter, key: str, per_minute: int) -> None:
    """Count one call under `key`; over the limit, answer 429 with `Retry-After`."""
    if not limiter.allow(key, per_minute):
        raise Problem(
            429,
            "rate_limited",
            "too many requests from this client; wait a minute",
            errors=[{"code": "rate_limited", "msg_fa": "درخواست‌ها بیش از حد مجاز است؛ کمی صبر کنید"}],
            headers={"Retry-After": str(limiter.retry_after(key))},
        )
