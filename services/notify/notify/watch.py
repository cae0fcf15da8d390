"""The retry watch: attempts whatever the store says is due, so retries survive a restart."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from notify.dispatch import Dispatcher
from notify.ports import Repository

log = logging.getLogger("notify.watch")
BATCH = 200
ROUNDS = 5  # a long queue (a large fan-out) is worked through without waiting between batches


class RetryWatch:
    def __init__(
        self,
        repository: Repository,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        housekeeping: Callable[[datetime], Awaitable[object]] | None = None,
    ) -> None:
        self._repository = repository
        self._dispatcher = dispatcher
        self._clock = clock
        self._housekeeping = housekeeping

    async def scan(self) -> int:
        """Attempt every due delivery this process has a channel for; returns how many were due."""
        due = await self._repository.due(self._clock(), self._dispatcher.channels, BATCH)
        for delivery in due:
            await self._dispatcher.attempt(delivery.id)
        return len(due)

    async def tick(self) -> None:
        """One round of the watch: due deliveries in batches, then housekeeping."""
        for _ in range(ROUNDS):
            if await self.scan() < BATCH:
                break
        if self._housekeeping is not None:
            await self._housekeeping(self._clock())
