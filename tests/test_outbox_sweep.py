"""The outbox against a real store process: what a relay could not publish is found again through
its marker, without reading whole collections; what a crash left unmarked, by the full read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import store_process

from contracts import RequestRoutedV1
from servicekit.outbox import MARKERS, Outbox, envelopes, push
from servicekit.store import Store

pytestmark = pytest.mark.integration


class Broker:
    """A bus whose broker can be away: publishes fail while it is."""

    def __init__(self) -> None:
        self.away = False
        self.published: list[str] = []

    async def publish(self, event: dict[str, Any]) -> None:
        if self.away:
            raise ConnectionError("broker away")
        self.published.append(event["event_id"])


@pytest.fixture(scope="module")
def store_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from store_process(Path(tmp_path_factory.mktemp("outbox-store")), "routing")


@pytest.fixture
async def store(store_base: str) -> AsyncIterator[Store]:
    opened = Store(f"{store_base}/routing_{uuid.uuid4().hex[:12]}", "routing")
    try:
        yield opened
    finally:
        await opened.close()


def outbox(store: Store, broker: Broker) -> Outbox:
    return Outbox(store, broker, ["cases"], sweep_seconds=1)  # type: ignore[arg-type]


async def staged(store: Store, case_id: str) -> list[dict[str, Any]]:
    """A state change with one event in its outbox, as a service writes it."""
    payload = RequestRoutedV1.model_validate(RequestRoutedV1.model_json_schema()["examples"][0])
    events = envelopes("routing", payload)
    await store.collection("cases").update_one(
        {"_id": case_id},
        {"$set": {"status": "routed"}, "$push": {"outbox": push(events)["outbox"]}},
        upsert=True,
    )
    return events


async def markers(store: Store) -> list[dict[str, Any]]:
    return [marker async for marker in store.collection(MARKERS).find({})]


async def relayed_while_away(
    store: Store, broker: Broker, case_id: str
) -> tuple[Outbox, list[dict[str, Any]]]:
    """A change whose relay found the broker away (it is still away on return)."""
    box = outbox(store, broker)
    events = await staged(store, case_id)
    broker.away = True
    await box.relay("cases", case_id, events)
    return box, events


async def test_a_relay_that_could_not_publish_leaves_a_marker_the_sweeper_follows(store: Store) -> None:
    broker = Broker()
    box, events = await relayed_while_away(store, broker, "c-1")
    assert [marker["document_id"] for marker in await markers(store)] == ["c-1"]
    assert broker.published == []

    broker.away = False
    assert await box.sweep(full=False) == 1
    assert broker.published == [events[0]["event_id"]]
    assert await markers(store) == []
    case = await store.collection("cases").find_one({"_id": "c-1"})
    assert case is not None and case["outbox"] == []


async def test_a_published_relay_leaves_no_marker(store: Store) -> None:
    broker = Broker()
    events = await staged(store, "c-2")
    await outbox(store, broker).relay("cases", "c-2", events)
    assert broker.published == [events[0]["event_id"]]
    assert await markers(store) == []


async def test_events_a_crash_left_unmarked_wait_for_the_full_read(store: Store) -> None:
    broker = Broker()
    box = outbox(store, broker)
    events = await staged(store, "c-3")  # written, never relayed: the process died here
    assert await box.sweep(full=False) == 0
    assert await box.sweep(full=True) == 1
    assert broker.published == [events[0]["event_id"]]


async def test_the_sweeper_keeps_a_marker_while_the_broker_is_still_away(store: Store) -> None:
    box, _ = await relayed_while_away(store, Broker(), "c-4")
    assert await box.sweep(full=False) == 0
    assert [marker["document_id"] for marker in await markers(store)] == ["c-4"]


async def test_a_fresh_marker_is_left_to_the_relay_within_the_grace(store: Store) -> None:
    broker = Broker()
    box, _ = await relayed_while_away(store, broker, "c-5")
    broker.away = False
    assert await box.sweep(timedelta(minutes=1), full=False) == 0
    assert len(await markers(store)) == 1
    assert await box.sweep(full=False) == 1
