"""Transactional outbox without transactions: events ride inside the aggregate's document.

A state change stages its events in the same single-document write (`outbox` array).
Right after that write the service calls `relay()` for that document: it publishes the
pending events with confirms, in order, and pulls them out. A sweeper does the same for
whatever a crash, an outage or a failed reply left behind.

The sweeper finds those documents through an index on `outbox.occurred_at` (each staged
event's time): a range on it reads only documents that still hold an event staged before
the grace, whatever path left it there (a kill between the write and the relay, a broker
away during the relay, a store that applied a write and then lost the connection before
answering), so nothing waits for a scan of whole collections. Once its events are pulled
a document leaves the index by itself; nothing extra is written on the way.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import Envelope, EventPayload
from servicekit.bus import Bus
from servicekit.context import current_correlation_id
from servicekit.faults import NO_FAULTS, Faults
from servicekit.metrics import ServiceMetrics
from servicekit.store import ASCENDING, Document, IndexSpec, PyMongoError, Store

log = logging.getLogger("servicekit.outbox")

OUTBOX_FIELD = "outbox"
# A publish the broker has not confirmed by then is left to the sweeper (consumers deduplicate).
PUBLISH_TIMEOUT_SECONDS = 5.0
STAGED_AT = f"{OUTBOX_FIELD}.occurred_at"
# Documents read per query of a sweep; a sweep goes on while the broker takes what it reads.
SWEEP_BATCH = 500


def outbox_indexes(collections: Sequence[str]) -> list[IndexSpec]:
    """The index the sweeper reads through, one per collection with an outbox."""
    return [IndexSpec(collection, [(STAGED_AT, ASCENDING)]) for collection in collections]


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
        self._grace = timedelta(seconds=max(2.0, sweep_seconds))
        self._crash_before_publish = crash_before_publish

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
            if document and document.get(OUTBOX_FIELD):
                await self._publish_pending(collection, document)
        except PyMongoError as error:
            log.warning("outbox relay left %s/%s to the sweeper: %r", collection, document_id, error)

    async def sweep(self, grace: timedelta | None = None) -> int:
        """Publish what has waited longer than `grace` (default: the sweeper's, so a relay in
        flight is not raced); returns how many events were published."""
        tally = _Tally(now=datetime.now(UTC))
        cutoff = tally.now - (self._grace if grace is None else grace)
        for collection in self._collections:
            await self._sweep_collection(collection, cutoff, tally)
        self._record(tally.pending, tally.oldest, tally.now)
        if tally.published:
            log.info("outbox sweeper published %d pending event(s)", tally.published)
        return tally.published

    async def _sweep_collection(self, collection: str, cutoff: datetime, tally: _Tally) -> None:
        seen: set[Any] = set()
        while True:
            query: Document = {STAGED_AT: {"$lte": _staged_key(cutoff)}}
            if seen:
                query["_id"] = {"$nin": list(seen)}
            cursor = self._store.collection(collection).find(query, {OUTBOX_FIELD: 1}).limit(SWEEP_BATCH)
            documents = [document async for document in cursor]
            for document in documents:
                seen.add(document["_id"])
                await self._sweep_one(collection, document, cutoff, tally)
            if len(documents) < SWEEP_BATCH or tally.broker_away:
                return

    async def _sweep_one(self, collection: str, document: Document, cutoff: datetime, tally: _Tally) -> None:
        """Publish one document's events unless too fresh or the broker is away; count what waits."""
        if not document.get(OUTBOX_FIELD):
            return
        waiting = len(document[OUTBOX_FIELD])
        if _staged_at(document) <= cutoff and not tally.broker_away:
            sent = await self._publish_pending(collection, document)
            tally.published, waiting = tally.published + sent, waiting - sent
            tally.broker_away = waiting > 0  # after one failed publish, only count what waits
        if waiting:
            tally.pending += waiting
            first = _staged_at(document, newest=False)
            tally.oldest = min(tally.oldest or first, first)

    def _record(self, pending: int, oldest: datetime | None, now: datetime) -> None:
        if self._metrics is not None:
            self._metrics.outbox_pending.set(pending)
            self._metrics.outbox_oldest_seconds.set((now - oldest).total_seconds() if oldest else 0)

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


@dataclass
class _Tally:
    now: datetime
    published: int = 0
    pending: int = 0
    oldest: datetime | None = None
    broker_away: bool = False


def _staged_key(moment: datetime) -> str:
    """`moment` as stored envelopes write `occurred_at`, rounded up to the whole second: the
    index range may hand out documents staged up to a second later, and `_sweep_one` leaves
    those to their relay, but it never leaves out one staged before `moment`."""
    whole = moment.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1 if moment.microsecond else 0)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def _crash() -> None:
    log.critical("fault injection: exiting between the store write and the publish")
    logging.shutdown()
    os._exit(70)
