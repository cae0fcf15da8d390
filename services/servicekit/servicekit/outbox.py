"""Transactional outbox without transactions: events ride inside the aggregate's document.

A state change stages its events in the same single-document write (`outbox` array).
Right after that write the service calls `relay()` for that document: it publishes the
pending events with confirms, in order, and pulls them out. A sweeper does the same at
start-up and every few seconds for whatever a crash or an outage left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import Envelope, EventPayload
from servicekit.bus import Bus
from servicekit.context import current_correlation_id
from servicekit.faults import NO_FAULTS, Faults
from servicekit.metrics import ServiceMetrics
from servicekit.store import Document, PyMongoError, Store

log = logging.getLogger("servicekit.outbox")

OUTBOX_FIELD = "outbox"
# A publish the broker has not confirmed by then is left to the sweeper (consumers deduplicate).
PUBLISH_TIMEOUT_SECONDS = 5.0
PENDING_FILTER: Document = {f"{OUTBOX_FIELD}.0": {"$exists": True}}


def envelopes(producer: str, *payloads: EventPayload) -> list[dict[str, Any]]:
    """Wrap payloads for the outbox, under the correlation id now in force."""
    correlation_id = current_correlation_id()
    return [
        Envelope.wrap(payload, producer=producer, correlation_id=correlation_id).to_document()
        for payload in payloads
    ]


def push(events: Iterable[dict[str, Any]]) -> Document:
    """The `$push` clause that stages events in an update."""
    return {OUTBOX_FIELD: {"$each": list(events)}}


def _staged_at(document: Document, *, newest: bool = True) -> datetime:
    times = [datetime.fromisoformat(event["occurred_at"]) for event in document[OUTBOX_FIELD]]
    moment = max(times) if newest else min(times)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Outbox:
    def __init__(
        self,
        store: Store,
        bus: Bus,
        collections: Sequence[str],
        *,
        sweep_seconds: float,
        crash_before_publish: bool = False,
        faults: Faults = NO_FAULTS,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._faults = faults
        self._metrics = metrics
        self._store = store
        self._bus = bus
        self._collections = tuple(collections)
        self._sweep_seconds = sweep_seconds
        self._crash_before_publish = crash_before_publish
        self._task: asyncio.Task[None] | None = None

    async def relay(
        self, collection: str, document_id: Any, staged: Sequence[dict[str, Any]] | None = None
    ) -> None:
        """Publish what one document has pending; failures are left for the sweeper.

        `staged`: the events the caller's write has just put there, when it knows them (the
        document is not read again). The write that staged the events has succeeded by now,
        so a store or broker outage here must not fail the caller: the sweeper publishes them
        later.
        """
        if self._crash_before_publish:
            _crash()
        try:
            document = (
                {"_id": document_id, OUTBOX_FIELD: list(staged)}
                if staged is not None
                else await self._store.collection(collection).find_one(
                    {"_id": document_id}, {OUTBOX_FIELD: 1}
                )
            )
            if document and self._faults.crashes_on(document.get(OUTBOX_FIELD)):
                _crash()
            if document:
                await self._publish_pending(collection, document)
        except PyMongoError as error:
            log.warning("outbox relay left %s/%s to the sweeper: %r", collection, document_id, error)

    async def sweep(self, grace: timedelta = timedelta(0)) -> int:
        """Publish what is pending; documents staged within `grace` are left to their own relay."""
        published, pending, oldest = 0, 0, None
        now = datetime.now(UTC)
        broker_away = False  # after one failed publish, only count what waits
        for collection in self._collections:
            cursor = self._store.collection(collection).find(PENDING_FILTER, {OUTBOX_FIELD: 1})
            async for document in cursor:
                staged, waiting = _staged_at(document), len(document[OUTBOX_FIELD])
                if staged <= now - grace and not broker_away:
                    sent = await self._publish_pending(collection, document)
                    published, waiting = published + sent, waiting - sent
                    broker_away = waiting > 0
                if waiting:
                    pending += waiting
                    first = _staged_at(document, newest=False)
                    oldest = min(oldest or first, first)
        self._record(pending, oldest, now)
        return published

    def _record(self, pending: int, oldest: datetime | None, now: datetime) -> None:
        if self._metrics is not None:
            self._metrics.outbox_pending.set(pending)
            self._metrics.outbox_oldest_seconds.set((now - oldest).total_seconds() if oldest else 0)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sweep_forever(), name="outbox-sweeper")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _publish_pending(self, collection: str, document: Document) -> int:
        sent: list[str] = []
        try:
            for event in document.get(OUTBOX_FIELD, []):
                await asyncio.wait_for(self._bus.publish(event), PUBLISH_TIMEOUT_SECONDS)
                sent.append(event["event_id"])
        except Exception as error:  # the broker is away: keep the rest for the sweeper
            log.warning("outbox relay paused on %s/%s: %r", collection, document["_id"], error)
        if sent:
            await self._store.collection(collection).update_one(
                {"_id": document["_id"]},
                {"$pull": {OUTBOX_FIELD: {"event_id": {"$in": sent}}}},
            )
        return len(sent)

    async def _sweep_forever(self) -> None:
        grace = timedelta(seconds=0)  # at start-up nothing here is in flight
        while True:
            try:
                count = await self.sweep(grace)
                if count:
                    log.info("outbox sweeper published %d pending event(s)", count)
            except PyMongoError as error:
                log.warning("outbox sweep failed: %r", error)
            grace = timedelta(seconds=max(2.0, self._sweep_seconds))
            await asyncio.sleep(self._sweep_seconds)


def _crash() -> None:
    log.critical("fault injection: exiting between the store write and the publish")
    logging.shutdown()
    os._exit(70)
