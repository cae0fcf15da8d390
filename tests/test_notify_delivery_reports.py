"""Notify's delivery-report poll against a real store process (mongo-java-server, with notify's
indexes) and the fake Kavenegar server of notify's own tests (services/notify/tests/fake_gateways.py,
`sms/status.json` as kavenegar-php `Status` and kavenegar-dotnet `MessageStatus` describe it), the
answers recorded by `Operations.receipt`, the same recorder as `POST /v1/provider/receipts`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import store_process

from contracts import Channel
from notify.delivery_reports import DeliveryReports
from notify.domain.model import Delivery, DeliveryStatus
from notify.ports import ReportWindow
from notify.providers import KavenegarSms
from notify.store import INDEXES, MongoRepository
from notify.store.operations import Operations
from servicekit.store import Collection, Store

pytestmark = pytest.mark.integration

EVERY = timedelta(seconds=60)


def notify_fake_gateways() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "services" / "notify" / "tests" / "fake_gateways.py"
    spec = importlib.util.spec_from_file_location("notify_fake_gateways", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    if not hasattr(module, "FakeKavenegar"):
        spec.loader.exec_module(module)
    return module


class Clock:
    def __init__(self) -> None:
        at = datetime.now(UTC)
        self.now = at.replace(microsecond=at.microsecond // 1000 * 1000)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def store_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from store_process(Path(tmp_path_factory.mktemp("notify-reports-store")), "notify")


@pytest.fixture(scope="module")
def gateway() -> Iterator[Any]:
    fakes = notify_fake_gateways()
    with fakes.serving(fakes.FakeKavenegar()) as served:
        yield served


@pytest.fixture
async def store(store_base: str) -> AsyncIterator[Store]:
    opened = Store(f"{store_base}/notify_{uuid.uuid4().hex[:12]}", "notify")
    await opened.ensure_indexes(INDEXES)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def kavenegar(gateway: Any) -> AsyncIterator[KavenegarSms]:
    for kept in (gateway.seen, gateway.messages, gateway.by_localid):
        kept.clear()
    gateway.mode = "ok"
    provider = KavenegarSms(gateway.api_key, gateway.sender, base_url=gateway.url, timeout=2.0)
    yield provider
    await provider.aclose()


def notifications(store: Store) -> Collection:
    return store.collection("notifications")


async def sent(
    repository: MongoRepository,
    gateway: Any,
    clock: Clock,
    *,
    status: int,
    ago: timedelta = timedelta(minutes=2),
    channel: Channel = Channel.SMS,
) -> Delivery:
    """A message Kavenegar took `ago`, now in `status`; notify keeps it delivered with its messageid."""
    gateway.next_id += 1
    gateway.messages[gateway.next_id] = {"messageid": gateway.next_id, "status": status}
    fresh = Delivery.new(
        source_event_id=f"e-{uuid.uuid4().hex[:8]}",
        recipient_key="r-1",
        channel=channel,
        request_id=f"req-{uuid.uuid4().hex[:8]}",
        template="request.received",
        to="+989141234567",
        text="درخواست شما ثبت شد",
        now=clock.now - ago,
    )
    delivery = replace(
        fresh,
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        provider_message_id=str(gateway.next_id),
        finished_at=clock.now - ago,
    )
    assert await repository.add_delivery(delivery)
    return delivery


def asked(gateway: Any) -> list[str]:
    return [s.body["messageid"] for s in gateway.seen if s.path.endswith("/sms/status.json")]


async def test_each_answer_ends_as_the_callback_would_and_pending_ones_wait_a_round(
    store: Store, kavenegar: KavenegarSms, gateway: Any
) -> None:
    repository, operations, clock = MongoRepository(store), Operations(store), Clock()
    reports = DeliveryReports(repository, kavenegar, operations.receipt, clock, EVERY)
    delivered = await sent(repository, gateway, clock, status=10)
    undelivered = await sent(repository, gateway, clock, status=11)
    pending = await sent(repository, gateway, clock, status=4)
    forgotten = await sent(repository, gateway, clock, status=1)
    gateway.messages.pop(int(str(forgotten.provider_message_id)))  # Kavenegar answers 100
    fresh = await sent(repository, gateway, clock, status=10, ago=timedelta(seconds=20))
    old = await sent(repository, gateway, clock, status=10, ago=timedelta(hours=73))
    email = await sent(repository, gateway, clock, status=10, channel=Channel.EMAIL)
    called_back = await sent(repository, gateway, clock, status=10)
    await operations.receipt(called_back.notification_id, "delivered", clock.now)

    assert await reports.tick() == 4
    oldest_first = [delivered, undelivered, pending, forgotten]  # sent in that order
    assert asked(gateway) == [d.provider_message_id for d in oldest_first]
    for never in (fresh, old, email, called_back):
        assert never.provider_message_id not in asked(gateway)

    first = await notifications(store).find_one({"_id": delivered.id})
    assert first is not None
    assert (first["status"], first["receipt"]) == ("delivered", "delivered")
    assert first["history"][-1]["reason"] == "receipt: delivered"
    assert first["receipt_checks"] == 1

    failed = await notifications(store).find_one({"_id": undelivered.id})
    assert failed is not None
    assert (failed["status"], failed["receipt"]) == ("permanent-failure", "failed")
    [event] = failed["outbox"]
    assert event["type"] == "notification.failed.v1"
    assert event["payload"]["notification_id"] == undelivered.notification_id

    waiting = await notifications(store).find_one({"_id": pending.id})
    assert waiting is not None
    assert (waiting.get("receipt"), waiting["receipt_lookup"], waiting["receipt_provider_status"]) == (
        None,
        "pending",
        "4",
    )
    given_up = await notifications(store).find_one({"_id": forgotten.id})
    assert given_up is not None and given_up["receipt_lookup"] == "unknown"

    clock.now += timedelta(seconds=30)  # within the interval: nobody is asked again
    assert await reports.tick() == 0
    clock.now += timedelta(seconds=30)
    gateway.deliver(str(pending.provider_message_id), 10)
    assert await reports.tick() == 2  # the pending one and the fresh one, now a minute old; not the forgotten
    assert asked(gateway)[-2:] == [pending.provider_message_id, fresh.provider_message_id]
    done = await notifications(store).find_one({"_id": pending.id})
    assert done is not None and (done["receipt"], done["receipt_checks"]) == ("delivered", 2)
    clock.now += EVERY
    assert await reports.tick() == 0


async def test_two_replicas_in_the_same_round_ask_the_gateway_once_per_message(
    store: Store, kavenegar: KavenegarSms, gateway: Any
) -> None:
    repository, operations, clock = MongoRepository(store), Operations(store), Clock()
    messages = [await sent(repository, gateway, clock, status=n) for n in (10, 11, 5, 10, 1)]
    replicas = [DeliveryReports(repository, kavenegar, operations.receipt, clock, EVERY) for _ in range(2)]

    counts = await asyncio.gather(*(replica.tick() for replica in replicas))

    assert sum(counts) == len(messages)
    assert sorted(asked(gateway)) == sorted(str(m.provider_message_id) for m in messages)
    for message in messages:
        stored = await notifications(store).find_one({"_id": message.id})
        assert stored is not None and stored["receipt_checks"] == 1
    failed = await notifications(store).find_one({"_id": messages[1].id})
    assert failed is not None and len(failed["outbox"]) == 1  # one notification.failed, not two


async def test_a_claim_is_taken_once_per_round(store: Store, gateway: Any) -> None:
    repository, clock = MongoRepository(store), Clock()
    message = await sent(repository, gateway, clock, status=4)
    window = ReportWindow(settle=timedelta(seconds=60), horizon=timedelta(hours=72), every=EVERY)
    [due] = await repository.awaiting_report(clock.now, window, 10)
    assert due.id == message.id
    assert await repository.claim_report(message.id, clock.now, window)
    assert not await repository.claim_report(message.id, clock.now, window)  # another replica, same read
    assert await repository.awaiting_report(clock.now + timedelta(seconds=59), window, 10) == []
    assert await repository.claim_report(message.id, clock.now + EVERY, window)
