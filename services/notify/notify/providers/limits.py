"""At most N messages a second through one provider: the excess waits its turn, nothing is dropped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from notify.ports import Outgoing, Sender


class RateLimited:
    def __init__(
        self, sender: Sender, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = sender.name
        self._sender = sender
        self._interval = 1.0 / per_second
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def send(self, message: Outgoing) -> str:
        async with self._lock:
            wait = self._next - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next = max(self._clock(), self._next) + self._interval
        return await self._sender.send(message)
