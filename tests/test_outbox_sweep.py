"""The outbox against a real store process: whatever left an event unpublished (a relay that found
the broker away, a process killed between its write and its relay, a write whose answer was lost),
the sweeper finds it through the outbox index at its next pass, and leaves fresh ones to their relay."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import store_process

from contracts import RequestRoutedV1
from servicekit.outbox import Outbox, envelopes, outbox_indexes, push
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
    await opened.ensure_indexes(outbox_indexes(["cases"]))
    try:
        yield opened
    finally:
        await opened.close()


def outbox(store: Store, broker: Broker) -> Outbox:
    return Outbox(store, broker, ["cases"], sweep_seconds=1)  # type: ignore[arg-type]


async def staged(store: Store, case_id: str, age: timedelta = timedelta(seconds=10)) -> list[dict[str, Any]]:
    """A state change with one event in its outbox, as a service writes it."""
    payload = RequestRoutedV1.model_validate(RequestRoutedV1.model_json_schema()["examples"][0])
    events = envelopes("routing", payload)
    for event in events:  # staged `age` ago
        event["occurred_at"] = (datetime.now(UTC) - age).isoformat().replace("+00:00", "Z")
    await store.collection("cases").update_one(
        {"_id": case_id},
        {"$set": {"status": "routed"}, "$push": {"outbox": push(events)["outbox"]}},
        upsert=True,
    )
    return events


async def pending(store: Store) -> list[Any]:
    return [case["_id"] async for case in store.collection("cases").find({"outbox.0": {"$exists": True}})]


async def relayed_while_away(
    store: Store, broker: Broker, case_id: str
) -> tuple[Outbox, list[dict[str, Any]]]:
    """A change whose relay found the broker away (it is still away on return)."""
    box = outbox(store, broker)
    events = await staged(store, case_id)
    broker.away = True
    await box.relay("cases", case_id, events)
    return box, events


async def test_a_relay_that_could_not_publish_is_swept_once_the_broker_is_back(store: Store) -> None:
    broker = Broker()
    box, events = await relayed_while_away(store, broker, "c-1")
    assert broker.published == []
    assert await box.sweep() == 0, "the broker is still away"
    assert await pending(store) == ["c-1"]

    broker.away = False
    assert await box.sweep() == 1
    assert broker.published == [events[0]["event_id"]]
    case = await store.collection("cases").find_one({"_id": "c-1"})
    assert case is not None and case["outbox"] == []
    assert await box.sweep() == 0, "published once"


async def test_events_a_kill_left_unrelayed_go_at_the_next_sweep(store: Store) -> None:
    broker = Broker()
    events = await staged(store, "c-3")  # written, never relayed: the process died here
    assert await outbox(store, broker).sweep() == 1
    assert broker.published == [events[0]["event_id"]]


async def test_a_relayed_change_leaves_nothing_to_sweep(store: Store) -> None:
    broker = Broker()
    events = await staged(store, "c-2")
    box = outbox(store, broker)
    await box.relay("cases", "c-2", events)
    assert broker.published == [events[0]["event_id"]]
    assert await box.sweep(timedelta(0)) == 0
    assert await pending(store) == []


async def test_fresh_events_are_left_to_their_relay_within_the_grace(store: Store) -> None:
    broker = Broker()
    await staged(store, "c-5", age=timedelta(0))
    box = outbox(store, broker)
    assert await box.sweep(timedelta(minutes=1)) == 0
    assert await box.sweep(timedelta(0)) == 1


async def test_a_long_backlog_is_swept_in_batches(store: Store) -> None:
    broker = Broker()
    for n in range(1203):
        await staged(store, f"b-{n}")
    assert await outbox(store, broker).sweep() == 1203
    assert len(set(broker.published)) == 1203
    assert await pending(store) == []
