"""Notify's store code against a real store process (mongo-java-server, as in every local run): the
shared rate windows, subscriber pages, fan-out progress, the recipient listing and the erasure rule.

Each test gets a database of its own, so nothing one test writes is seen by another.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import store_process

from contracts import Channel
from notify.domain.model import Delivery, DeliveryStatus, Recipient, Subscription, SubscriptionStatus
from notify.domain.phones import mask
from notify.ports import DeliveryQuery
from notify.store import INDEXES, MongoRepository
from notify.store.operations import Operations
from notify.store.rates import RATE_INDEXES, StoreWindows
from servicekit.store import Store

pytestmark = pytest.mark.integration

MOBILE = "+989141234567"
EMAIL = "maryam@example.org"


def now() -> datetime:
    at = datetime.now(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


@pytest.fixture(scope="module")
def store_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from store_process(Path(tmp_path_factory.mktemp("notify-store")), "notify")


@pytest.fixture
def database_url(store_base: str) -> str:
    return f"{store_base}/notify_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = Store(database_url, "notify")
    await opened.ensure_indexes((*INDEXES, *RATE_INDEXES))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def repository(store: Store) -> MongoRepository:
    return MongoRepository(store)


def delivery(
    request_id: str, status: DeliveryStatus, *, to: str = MOBILE, n: int = 0, **fields: Any
) -> Delivery:
    fresh = Delivery.new(
        source_event_id=f"e-{n}-{uuid.uuid4().hex[:6]}",
        recipient_key=request_id,
        channel=Channel.SMS,
        request_id=request_id,
        template="request.received",
        to=to,
        text="...",
        now=now() + timedelta(seconds=n),
        fallback_email=EMAIL,
    )
    return replace(fresh, status=status, **fields)


async def closed_request(repository: MongoRepository, *deliveries: Delivery) -> str:
    request_id = deliveries[0].request_id if deliveries else str(uuid.uuid4())
    assert request_id is not None
    await repository.save_recipient(Recipient(request_id, "140312345678", MOBILE, EMAIL))
    await repository.schedule_erasure(request_id, now() - timedelta(seconds=1))
    for one in deliveries:
        assert await repository.add_delivery(one)
    return request_id


async def recipient_document(store: Store, request_id: str) -> dict[str, Any]:
    found = await store.collection("recipients").find_one({"_id": request_id})
    assert found is not None
    return found


async def test_concurrent_takes_from_two_processes_fill_a_window_exactly(
    store: Store, database_url: str
) -> None:
    other = Store(database_url, "notify")  # a second client, as a second notify process has
    try:
        replicas = [StoreWindows(store), StoreWindows(other)]
        taken = await asyncio.gather(*(replicas[n % 2].take("sms:http", 42, 3) for n in range(20)))
        assert sum(taken) == 3
        assert await replicas[0].take("sms:http", 43, 3)  # the next window starts empty
        assert await replicas[1].take("sms:log", 42, 3)  # another provider counts on its own
    finally:
        await other.close()
    assert (await store.collection("rate_windows").find_one({"_id": "sms:http:42"}) or {})["count"] == 3
    assert await StoreWindows(store).forget_before(datetime.now(UTC) + timedelta(seconds=1)) == 3
    assert await StoreWindows(store).take("sms:http", 42, 3)


async def test_subscribers_come_in_pages_of_confirmed_ones_only(repository: MongoRepository) -> None:
    subscriptions = repository.subscription_store
    mobiles = [f"+98912000{n:04d}" for n in range(7)]
    for mobile in mobiles:
        await subscriptions.subscribe(Subscription("consultations", mobile, "", now()))
    pending = Subscription("consultations", "+989129999999", "", now(), status=SubscriptionStatus.PENDING)
    await subscriptions.subscribe(pending, "123456")
    await subscriptions.set_opt_out(mobiles[3], "consultations", True)
    await subscriptions.set_opt_out(mobiles[4], "requests", True)

    pages, after = [], None
    while page := await repository.subscribers_page("consultations", after, 3):
        pages.append([s.mobile for s in page])
        after = page[-1].id
    assert pages == [mobiles[:3], mobiles[3:6], mobiles[6:]]
    assert await repository.opted_out_among(mobiles, "consultations") == {mobiles[3]}


async def test_fan_out_progress_is_kept_per_event(repository: MongoRepository) -> None:
    assert await repository.fanout_progress("e-1") is None
    await repository.save_fanout_progress("e-1", "consultations:+989120000002")
    await repository.save_fanout_progress("e-1", "consultations:+989120000004")
    assert await repository.fanout_progress("e-1") == "consultations:+989120000004"
    assert await repository.fanout_progress("e-2") is None


async def test_a_recipients_deliveries_newest_first_in_pages(repository: MongoRepository) -> None:
    request_id = str(uuid.uuid4())
    for n in range(5):
        await repository.add_delivery(delivery(request_id, DeliveryStatus.DELIVERED, n=n))
    await repository.add_delivery(delivery(request_id, DeliveryStatus.DELIVERED, to="+989121112233", n=9))
    first = await repository.deliveries(DeliveryQuery(to=MOBILE, limit=3))
    rest = await repository.deliveries(DeliveryQuery(to=MOBILE, limit=3, skip=3))
    times = [d.created_at for d in (*first, *rest)]
    assert len(first) == 3 and len(rest) == 2
    assert times == sorted(times, reverse=True)
    assert {d.to for d in (*first, *rest)} == {MOBILE}


@pytest.mark.parametrize(
    ("status", "next_attempt"),
    [
        (DeliveryStatus.CREATED, timedelta(hours=9)),  # held by quiet hours
        (DeliveryStatus.SENDING, None),
        (DeliveryStatus.TEMPORARY_FAILURE, timedelta(minutes=5)),
    ],
)
async def test_contact_data_waits_for_a_message_that_may_still_be_sent(
    store: Store, repository: MongoRepository, status: DeliveryStatus, next_attempt: timedelta | None
) -> None:
    request_id = str(uuid.uuid4())
    waiting = delivery(
        request_id, status, n=1, next_attempt_at=now() + next_attempt if next_attempt else None
    )
    await closed_request(repository, delivery(request_id, DeliveryStatus.DELIVERED), waiting)
    operations = Operations(store)

    assert await operations.erase_due(now()) == 0
    kept = await recipient_document(store, request_id)
    assert (kept["mobile"], kept.get("erased")) == (MOBILE, None)
    stored = await repository.delivery(waiting.id)
    assert stored is not None and (stored.to, stored.fallback_email) == (MOBILE, EMAIL)

    # it is sent: the next pass erases
    await store.collection("notifications").update_one(
        {"_id": waiting.id}, {"$set": {"status": "delivered", "next_attempt_at": None}}
    )
    assert await operations.erase_due(now()) == 1
    erased = await recipient_document(store, request_id)
    assert (erased["mobile"], erased["email"], erased["erased"]) == (None, None, True)
    for sent in await repository.deliveries(DeliveryQuery(request_id=request_id)):
        assert (sent.to, sent.fallback_email) == (mask(MOBILE), None)
    assert await operations.erase_due(now()) == 0  # done once


async def test_a_message_given_up_no_longer_keeps_the_contact(
    store: Store, repository: MongoRepository
) -> None:
    request_id = str(uuid.uuid4())
    await closed_request(
        repository, delivery(request_id, DeliveryStatus.TEMPORARY_FAILURE, next_attempt_at=None)
    )
    assert await Operations(store).erase_due(now()) == 1
    assert (await recipient_document(store, request_id))["mobile"] is None


async def test_a_message_recorded_during_the_erasure_keeps_its_address_until_it_is_sent(
    store: Store, repository: MongoRepository
) -> None:
    request_id = str(uuid.uuid4())
    await closed_request(repository, delivery(request_id, DeliveryStatus.DELIVERED))
    late = delivery(request_id, DeliveryStatus.CREATED, n=1)

    class Interleaved(Operations):
        """Another process records a message from the contact it read just before the erasure."""

        async def _mask(self, sent: dict[str, Any]) -> None:
            await repository.add_delivery(late)
            await super()._mask(sent)

    assert await Interleaved(store).erase_due(now()) == 0
    assert (await recipient_document(store, request_id))["mobile"] is None
    waiting = await repository.delivery(late.id)
    assert waiting is not None and waiting.to == MOBILE  # it still has to be sent
    await store.collection("notifications").update_one(
        {"_id": late.id}, {"$set": {"status": "delivered", "next_attempt_at": None}}
    )
    assert await Operations(store).erase_due(now()) == 1
    sent = await repository.delivery(late.id)
    assert sent is not None and sent.to == mask(MOBILE)
