"""Idempotent consumers: every handled event id is recorded, and repeats are skipped.

The record is keyed `<queue>:<event_id>` in `_id` (always uniquely indexed), written
after the handler's own write succeeded. A crash between the two redelivers the
event, so handlers make their writes idempotent too (natural keys, conditional
updates); the inbox then turns every later repeat into a cheap no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from contracts import Envelope
from servicekit.store import DuplicateKeyError, Store

log = logging.getLogger("servicekit.inbox")

INBOX_COLLECTION = "inbox"


class Inbox:
    def __init__(self, store: Store) -> None:
        self._inbox = store.collection(INBOX_COLLECTION)

    def once(
        self, queue_name: str, handler: Callable[[Envelope[Any]], Awaitable[None]]
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        async def handle_once(envelope: Envelope[Any]) -> None:
            key = f"{queue_name}:{envelope.event_id}"
            if await self._inbox.find_one({"_id": key}, {"_id": 1}):
                log.debug("skipping repeat of %s on %s", envelope.event_id, queue_name)
                return
            await handler(envelope)
            try:
                await self._inbox.insert_one(
                    {
                        "_id": key,
                        "queue": queue_name,
                        "event_id": str(envelope.event_id),
                        "type": envelope.type,
                        "handled_at": datetime.now(UTC),
                    }
                )
            except DuplicateKeyError:
                log.debug("%s on %s was handled concurrently", envelope.event_id, queue_name)

        return handle_once
