"""A background job run every few seconds for the life of a service (sweeps, watches).

A store outage is logged and the job tried again at the next tick; the job itself must be
safe with several replicas (conditional updates), since every replica runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from servicekit.store import PyMongoError

log = logging.getLogger("servicekit.periodic")


class Periodic:
    def __init__(self, name: str, job: Callable[[], Awaitable[object]], interval_seconds: float) -> None:
        self._name = name
        self._job = job
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._forever(), name=self._name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _forever(self) -> None:
        while True:
            try:
                await self._job()
            except PyMongoError as error:
                log.warning("%s failed: %r", self._name, error)
            await asyncio.sleep(self._interval)
