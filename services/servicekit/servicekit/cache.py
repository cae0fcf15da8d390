"""Reference data kept in the process for a few seconds (catalogues, rules): read on nearly
every request, changed rarely. A change made through this process is seen at once; one made
through another replica within `ttl_seconds`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._kept: dict[Hashable, tuple[float, T]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        now = self._clock()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        value = await load()
        self._kept[key] = (now, value)
        return value

    def forget(self) -> None:
        self._kept.clear()
