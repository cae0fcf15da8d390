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

log = logging.getLogger("intake.retention")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ContactRetention:
    def __init__(self, repo: IntakeRepository, clock: Callable[[], datetime] = _utcnow) -> None:
        self._repo = repo
        self._clock = clock

    async def erase_due(self) -> int:
        now, erased = self._clock(), 0
        for record in await self._repo.contacts_due(now):
            if await self._repo.erase_contact(record, without_contact(record.get("citizen") or {}), now):
                log.info("contact details erased for request %s", record["_id"])
                erased += 1
        return erased
