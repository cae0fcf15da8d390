"""The delivery-report poll against the fake Kavenegar server (`fake_gateways.py`, its
`sms/status.json` as kavenegar-php `Status` and kavenegar-dotnet `MessageStatus` describe it) and
notify's in-memory repository: what a sent SMS ends as, when it is asked again, when never."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from contracts import Channel
from notify.app import create_app, status_lookup
from notify.delivery_reports import DeliveryReports
from notify.dispatch import Dispatcher, RetryPolicy
from notify.domain.model import Delivery, DeliveryStatus
from notify.providers import KavenegarSms, LogSmsProvider
from notify.providers.limits import RateLimited
from notify.providers.receipts import Receipt
from notify.settings import NotifySettings
from servicekit.app import lifecycle_of

from .conftest import SECRET, Clock, FakeOutbox, FakeRepository
from .fake_gateways import FakeKavenegar, serving

pytestmark = pytest.mark.unit

EVERY = timedelta(seconds=60)
SETTLED = timedelta(seconds=61)  # past the minute a report is given to arrive


@pytest.fixture(scope="module")
def server() -> Iterator[FakeKavenegar]:
    with serving(FakeKavenegar()) as gateway:
        yield gateway


@pytest.fixture
def gateway(server: FakeKavenegar) -> FakeKavenegar:
    server.mode, server.override = "ok", None
    for kept in (server.seen, server.messages, server.by_localid):
        kept.clear()
    return server


@pytest.fixture
async def kavenegar(gateway: FakeKavenegar) -> AsyncIterator[KavenegarSms]:
    provider = KavenegarSms(gateway.api_key, gateway.sender, base_url=gateway.url, timeout=0.4)
    yield provider
    await provider.aclose()


@pytest.fixture
def sent(repository: FakeRepository, kavenegar: KavenegarSms, clock: Clock) -> Dispatcher:
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))
    return Dispatcher(repository, {Channel.SMS: kavenegar}, FakeOutbox(), policy, clock, random.Random(1))


@pytest.fixture
def reports(repository: FakeRepository, kavenegar: KavenegarSms, clock: Clock) -> DeliveryReports:
    return DeliveryReports(repository, kavenegar, repository.receipt, clock, EVERY)


async def send(repository: FakeRepository, dispatcher: Dispatcher, clock: Clock, n: int = 1) -> Delivery:
    """An SMS handed to Kavenegar (status delivered, its messageid kept), as the dispatcher does it."""
    delivery = Delivery.new(
        source_event_id=f"e-{n}",
        recipient_key=f"r-{n}",
        channel=Channel.SMS,
        request_id=f"req-{n}",
        template="request.received",
        to="+989141234567",
        text="درخواست شما ثبت شد",
        now=clock.now,
    )
    await repository.add_delivery(delivery)
    await dispatcher.attempt(delivery.id)
    taken = repository.records[delivery.id]
    assert taken.status is DeliveryStatus.DELIVERED and taken.provider_message_id
    return taken


def status_asks(gateway: FakeKavenegar) -> list[str]:
    return [s.body["messageid"] for s in gateway.seen if s.path.endswith("/sms/status.json")]


async def test_status_10_ends_with_a_delivered_receipt_and_no_more_questions(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
) -> None:
    delivery = await send(repository, sent, clock)
    gateway.deliver(str(delivery.provider_message_id), 10)
    clock.now += SETTLED
    assert await reports.tick() == 1
    assert repository.reports[delivery.id]["receipt"] == "delivered"
    assert repository.reports[delivery.id]["receipt_at"] == clock.now  # Kavenegar gives no time
    clock.now += EVERY * 2
    assert await reports.tick() == 0
    assert status_asks(gateway) == [delivery.provider_message_id]


async def test_status_11_ends_failed(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
) -> None:
    delivery = await send(repository, sent, clock)
    gateway.deliver(str(delivery.provider_message_id), 11)
    clock.now += SETTLED
    await reports.tick()
    assert repository.reports[delivery.id]["receipt"] == "failed"
    assert repository.records[delivery.id].status is DeliveryStatus.PERMANENT_FAILURE


@pytest.mark.parametrize("pending", [1, 2, 4, 5])
async def test_a_pending_status_is_asked_again_at_the_next_round_and_not_before(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
    pending: int,
) -> None:
    delivery = await send(repository, sent, clock)
    message_id = str(delivery.provider_message_id)
    gateway.deliver(message_id, pending)
    clock.now += SETTLED
    assert await reports.tick() == 1
    assert repository.reports[delivery.id]["receipt"] is None
    clock.now += EVERY - timedelta(seconds=1)  # another replica's round, within the interval
    assert await reports.tick() == 0
    clock.now += timedelta(seconds=1)
    gateway.deliver(message_id, 10)
    assert await reports.tick() == 1
    assert status_asks(gateway) == [message_id, message_id]
    assert {"receipt": "delivered", "checks": 2}.items() <= repository.reports[delivery.id].items()


async def test_an_unknown_id_is_not_asked_again(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
) -> None:
    delivery = await send(repository, sent, clock)
    gateway.messages.clear()  # Kavenegar has forgotten it: status 100
    clock.now += SETTLED
    assert await reports.tick() == 1
    for _ in range(3):
        clock.now += EVERY
        assert await reports.tick() == 0
    assert len(status_asks(gateway)) == 1
    assert repository.reports[delivery.id]["receipt"] is None
    assert repository.records[delivery.id].status is DeliveryStatus.DELIVERED


async def test_a_fresh_send_waits_a_minute_and_an_old_one_past_the_horizon_is_left(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
) -> None:
    await send(repository, sent, clock)
    clock.now += timedelta(seconds=30)
    assert await reports.tick() == 0
    clock.now += timedelta(hours=72)  # pending all along, never asked within the window's end
    assert await reports.tick() == 0
    assert status_asks(gateway) == []


async def test_an_unanswering_gateway_is_logged_and_asked_again_next_round(
    repository: FakeRepository,
    sent: Dispatcher,
    reports: DeliveryReports,
    gateway: FakeKavenegar,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = await send(repository, sent, clock, 1)
    second = await send(repository, sent, clock, 2)
    gateway.deliver(str(first.provider_message_id), 10)
    gateway.deliver(str(second.provider_message_id), 10)
    clock.now += SETTLED
    gateway.mode = "5xx"
    assert await reports.tick() == 2  # both asked, neither answered, nothing raised
    assert "asked again next round" in caplog.text
    assert gateway.api_key not in caplog.text
    assert all(repository.reports[d.id]["receipt"] is None for d in (first, second))
    gateway.mode = "ok"
    clock.now += EVERY
    assert await reports.tick() == 2
    assert all(repository.reports[d.id]["receipt"] == "delivered" for d in (first, second))


async def test_a_timeout_does_not_stop_the_rest_of_the_round(
    repository: FakeRepository,
    sent: Dispatcher,
    kavenegar: KavenegarSms,
    gateway: FakeKavenegar,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="notify.delivery_reports")
    deliveries = [await send(repository, sent, clock, n) for n in (1, 2)]
    for delivery in deliveries:
        gateway.deliver(str(delivery.provider_message_id), 10)
    clock.now += SETTLED
    asked: list[str] = []

    class FirstTimesOut:
        """Kavenegar, answering the first question after the client gave up."""

        async def status(self, message_id: str) -> Receipt:
            asked.append(message_id)
            gateway.mode = "slow" if len(asked) == 1 else "ok"
            return await kavenegar.status(message_id)

    reports = DeliveryReports(repository, FirstTimesOut(), repository.receipt, clock, EVERY)
    assert await reports.tick() == 2
    receipts = [repository.reports[d.id]["receipt"] for d in deliveries]
    assert receipts == [None, "delivered"]
    assert "did not answer in time" in caplog.text
    gateway.mode = "ok"


def settings(**values: object) -> NotifySettings:
    return NotifySettings(
        mongodb_url="mongodb://127.0.0.1:1/notify",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("values", "polled"),
    [
        ({"sms_provider": "kavenegar", "sms_api_key": "k"}, True),
        ({"sms_provider": "smsir", "sms_api_key": "k", "sms_sender": "30004505000027"}, True),
        ({"sms_provider": "kavenegar", "sms_api_key": "k", "receipt_poll_seconds": 0}, False),
        ({"sms_provider": "log"}, False),
        ({"sms_provider": "http", "sms_http_url": "http://127.0.0.1:9/send"}, False),
    ],
    ids=["kavenegar", "smsir", "disabled", "log", "http"],
)
async def test_the_poll_runs_only_for_a_gateway_that_can_be_asked(
    values: dict[str, object], polled: bool
) -> None:
    app = create_app(settings(**values))
    [close_channels] = [step for step in lifecycle_of(app).stops if step.__name__ == "close_channels"]
    try:
        app.state.jobs["notify-delivery-reports"]
    except KeyError:
        registered = False
    else:
        registered = True
    finally:
        await close_channels()  # the gateway's key leaves the httpx log filter with it
    assert registered is polled


async def test_the_lookup_is_the_gateway_behind_the_rate_limit() -> None:
    gateway = KavenegarSms("k-lookup", "")
    assert status_lookup(RateLimited(gateway, 1.0)) is gateway
    assert status_lookup(RateLimited(LogSmsProvider(), 1.0)) is None
    await gateway.aclose()
