"""The retry watch: attempts whatever the store says is due, so retries survive a restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from notify.dispatch import Dispatcher
from notify.ports import Repository
from servicekit.store import PyMongoError

log = logging.getLogger("notify.watch")
BATCH = 200


class RetryWatch:
    def __init__(
        self,
        repository: Repository,
        dispatcher: Dispatcher,
        interval_seconds: float,
        clock: Callable[[], datetime],
        housekeeping: Callable[[datetime], Awaitable[int]] | None = None,
    ) -> None:
        self._repository = repository
        self._dispatcher = dispatcher
        self._interval = interval_seconds
        self._clock = clock
        self._housekeeping = housekeeping
        self._task: asyncio.Task[None] | None = None

    async def scan(self) -> int:
        """Attempt every due delivery this process has a channel for; returns how many were due."""
        due = await self._repository.due(self._clock(), self._dispatcher.channels, BATCH)
        for delivery in due:
            await self._dispatcher.attempt(delivery.id)
        return len(due)

    def start(self) -> None:
        self._task = asyncio.create_task(self._forever(), name="notify-retry-watch")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _forever(self) -> None:
        while True:
            try:
                await self.scan()
                if self._housekeeping is not None:
                    await self._housekeeping(self._clock())
            except PyMongoError as error:
                log.warning("retry scan failed: %r", error)
            await asyncio.sleep(self._interval)
