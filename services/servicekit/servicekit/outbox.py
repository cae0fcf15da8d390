"""Transactional outbox without transactions: events ride inside the aggregate's document.

A state change stages its events in the same single-document write (`outbox` array).
Right after that write the service calls `relay()` for that document: it publishes the
pending events with confirms, in order, and pulls them out. A sweeper does the same for
whatever a crash or an outage left behind.

The sweeper does not read whole collections every few seconds: no index finds "documents with
a non-empty array" cheaply, and the cost would grow with everything ever stored. A relay that
could not publish everything writes a marker (`outbox_pending`, keyed by collection and id),
and the sweeper follows the markers every `sweep_seconds`. Only a crash between the write and
its relay leaves events unmarked, so the full read runs at start-up (the crashed process, or
its replacement, starting again) and, as a backstop, every `full_sweep_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
MARKERS = "outbox_pending"
MARKERS_PER_SWEEP = 1000


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
        full_sweep_seconds: float = 300.0,
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
        self._full_sweep_seconds = full_sweep_seconds
        self._full_sweep_wanted = True  # at start-up: whatever a crash left unmarked
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
            pending = document.get(OUTBOX_FIELD) if document else None
            if document and pending and await self._publish_pending(collection, document) < len(pending):
                await self._mark(collection, document_id)
        except PyMongoError as error:
            log.warning("outbox relay left %s/%s to the sweeper: %r", collection, document_id, error)
            await self._mark(collection, document_id)

    async def _mark(self, collection: str, document_id: Any) -> None:
        """Point the sweeper at a document whose events are still to be published."""
        try:
            await self._store.collection(MARKERS).update_one(
                {"_id": _marker_id(collection, document_id)},
                {"$set": {"token": uuid.uuid4().hex, "collection": collection, "document_id": document_id}},
                upsert=True,
            )
        except PyMongoError as error:
            log.warning("outbox marker for %s/%s not written: %r", collection, document_id, error)
            self._full_sweep_wanted = True

    async def sweep(self, grace: timedelta = timedelta(0), *, full: bool = True) -> int:
        """Publish what is pending; documents staged within `grace` are left to their own relay.

        `full`: read every document of the collections; otherwise follow the markers only.
        """
        tally = _Tally(now=datetime.now(UTC))
        if full:
            for collection in self._collections:
                cursor = self._store.collection(collection).find(PENDING_FILTER, {OUTBOX_FIELD: 1})
                async for document in cursor:
                    await self._sweep_one(collection, document, grace, tally)
        await self._follow_markers(grace, tally, skip_counting=full)
        self._record(tally.pending, tally.oldest, tally.now)
        return tally.published

    async def _follow_markers(self, grace: timedelta, tally: _Tally, *, skip_counting: bool) -> None:
        markers = self._store.collection(MARKERS)
        cursor = markers.find({"collection": {"$in": list(self._collections)}}).limit(MARKERS_PER_SWEEP)
        for marker in [marker async for marker in cursor]:
            collection = marker["collection"]
            document = await self._store.collection(collection).find_one(
                {"_id": marker["document_id"]}, {OUTBOX_FIELD: 1}
            )
            waiting = document.get(OUTBOX_FIELD) if document else None
            if (
                document
                and waiting
                and (skip_counting or await self._sweep_one(collection, document, grace, tally))
            ):
                continue  # still waiting (a full read has just counted it)
            # Only the marker read above goes: a relay that has failed since then wrote a new token.
            await markers.delete_one({"_id": marker["_id"], "token": marker["token"]})

    async def _sweep_one(self, collection: str, document: Document, grace: timedelta, tally: _Tally) -> int:
        """Publish one document's events unless too fresh or the broker is away; how many still wait."""
        staged, waiting = _staged_at(document), len(document[OUTBOX_FIELD])
        if staged <= tally.now - grace and not tally.broker_away:
            sent = await self._publish_pending(collection, document)
            tally.published, waiting = tally.published + sent, waiting - sent
            tally.broker_away = waiting > 0  # after one failed publish, only count what waits
        if waiting:
            tally.pending += waiting
            first = _staged_at(document, newest=False)
            tally.oldest = min(tally.oldest or first, first)
        return waiting

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
        last_full = asyncio.get_running_loop().time()
        while True:
            now = asyncio.get_running_loop().time()
            full = self._full_sweep_wanted or now - last_full >= self._full_sweep_seconds
            try:
                self._full_sweep_wanted = False
                count = await self.sweep(grace, full=full)
                if count:
                    log.info("outbox sweeper published %d pending event(s)", count)
                if full:
                    last_full = now
            except PyMongoError as error:
                self._full_sweep_wanted = self._full_sweep_wanted or full
                log.warning("outbox sweep failed: %r", error)
            grace = timedelta(seconds=max(2.0, self._sweep_seconds))
            await asyncio.sleep(self._sweep_seconds)


@dataclass
class _Tally:
    now: datetime
    published: int = 0
    pending: int = 0
    oldest: datetime | None = None
    broker_away: bool = False


def _marker_id(collection: str, document_id: Any) -> str:
    return f"{collection}/{document_id}"


def _crash() -> None:
    log.critical("fault injection: exiting between the store write and the publish")
    logging.shutdown()
    os._exit(70)
