"""At most N messages a second through one provider, counted across every notify process that shares
the store: a send takes a place in the current window (a counter in the store, raised only below the
window's capacity) or waits for the next window. The excess waits its turn; nothing is dropped.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from notify.ports import Outgoing, Sender, TemporaryFailure
from servicekit.store import PyMongoError

JITTER_SECONDS = 0.02  # replicas waking for the same window don't all ask at the same instant


class Windows(Protocol):
    async def take(self, key: str, window: int, capacity: int) -> bool:
        """One place in window number `window` of `key`, if fewer than `capacity` are taken."""
        ...


@dataclass(frozen=True)
class Budget:
    """`capacity` sends in each window of `seconds`."""

    seconds: float
    capacity: int


def budget(per_second: float) -> Budget:
    """10/s: ten in each second; 2.5/s: two in each second; 0.2/s: one in each five seconds."""
    if per_second <= 0:
        raise ValueError("the rate must be positive")
    if per_second >= 1:
        return Budget(1.0, math.floor(per_second))
    return Budget(1.0 / per_second, 1)


class LocalWindows:
    """Windows counted in this process only: for tests, and for a single process without a store."""

    def __init__(self) -> None:
        self.taken: dict[tuple[str, int], int] = {}

    async def take(self, key: str, window: int, capacity: int) -> bool:
        count = self.taken.get((key, window), 0)
        if count >= capacity:
            return False
        self.taken[(key, window)] = count + 1
        return True


class RateLimited:
    def __init__(
        self,
        sender: Sender,
        per_second: float,
        windows: Windows | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.name = sender.name
        self._sender = sender
        self._budget = budget(per_second)
        self._windows = windows or LocalWindows()
        self._key = f"sms:{sender.name}"
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = asyncio.Lock()  # one waiter per process asks the store; the rest queue here

    @property
    def inner(self) -> Sender:
        """The provider this one paces (its status lookups and `aclose` are its own)."""
        return self._sender

    async def send(self, message: Outgoing) -> str:
        await self.turn()
        return await self._sender.send(message)

    async def turn(self) -> None:
        """Returns once this send has a place in a window; a store outage is a reason to try later."""
        async with self._lock:
            while True:
                now = self._clock()
                window = math.floor(now / self._budget.seconds)
                if await self._take(window):
                    return
                next_window = (window + 1) * self._budget.seconds
                await self._sleep(max(next_window - now, 0.0) + self._rng.uniform(0, JITTER_SECONDS))

    async def _take(self, window: int) -> bool:
        try:
            return await self._windows.take(self._key, window, self._budget.capacity)
        except PyMongoError as error:
            raise TemporaryFailure(
                f"the provider's rate could not be checked: {type(error).__name__}"
            ) from error
