"""The job that erases finished requests' contact details once their retention has run out.

Every replica runs it; each erasure is a conditional update, so two replicas never both act and a
request reopened in the meantime (its erasure called off) is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from intake.domain.retention import without_contact
from intake.store.repository import IntakeRepository
from servicekit.periodic import Periodic

log = logging.getLogger("intake.retention")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ContactRetention:
    def __init__(
        self, repo: IntakeRepository, interval_seconds: float, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._periodic = Periodic("intake-contact-retention", self.erase_due, interval_seconds)

    async def erase_due(self) -> int:
        now, erased = self._clock(), 0
        for record in await self._repo.contacts_due(now):
            if await self._repo.erase_contact(record, without_contact(record.get("citizen") or {}), now):
                log.info("contact details erased for request %s", record["_id"])
                erased += 1
        return erased

    async def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
