"""Kavenegar and sms.ir adapters against local servers that answer as those gateways document
(`fake_gateways.py`): what each request carries, how each answer is taken (permanent, temporary,
technical), delivery reports, one pooled client per provider, and the API key kept out of logs."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from contracts import Channel
from notify.app import close_senders, senders
from notify.dispatch import Dispatcher, RetryPolicy
from notify.domain.model import Delivery, DeliveryStatus
from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers import KavenegarSms, SmsIrSms
from notify.providers.limits import RateLimited
from notify.providers.receipts import Outcome, check
from notify.settings import NotifySettings

from .conftest import SECRET, Clock, FakeOutbox, FakeRepository
from .fake_gateways import FakeKavenegar, FakeSmsIr, serving

pytestmark = pytest.mark.unit

TEXT = "درخواست شما با کد ۱۴۰۳۱۲۳۴۵۶۷۸ ثبت شد"
MESSAGE = Outgoing("+989141234567", TEXT, "n-1")
NOT_A_MOBILE = Outgoing("+98912345", TEXT, "n-2")  # what a gateway refuses as a receptor
TIMEOUT = 0.4


@pytest.fixture(scope="module")
def kavenegar_server() -> Iterator[FakeKavenegar]:
    with serving(FakeKavenegar()) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def smsir_server() -> Iterator[FakeSmsIr]:
    with serving(FakeSmsIr()) as gateway:
        yield gateway


@pytest.fixture
def kavenegar_gw(kavenegar_server: FakeKavenegar) -> FakeKavenegar:
    """The module's server, as a fresh account: answering, in credit, nothing recorded."""
    kavenegar_server.mode, kavenegar_server.override, kavenegar_server.credit = "ok", None, 10_000
    kavenegar_server.sender = "10004346"
    for kept in (kavenegar_server.blocked, kavenegar_server.seen, kavenegar_server.messages):
        kept.clear()
    kavenegar_server.by_localid.clear()
    return kavenegar_server


@pytest.fixture
def smsir_gw(smsir_server: FakeSmsIr) -> FakeSmsIr:
    smsir_server.mode, smsir_server.override, smsir_server.credit = "ok", None, 10_000
    for kept in (smsir_server.blacklist, smsir_server.seen, smsir_server.messages):
        kept.clear()
    return smsir_server


@pytest.fixture
async def kavenegar(kavenegar_gw: FakeKavenegar) -> AsyncIterator[KavenegarSms]:
    provider = KavenegarSms(kavenegar_gw.api_key, "10004346", base_url=kavenegar_gw.url, timeout=TIMEOUT)
    yield provider
    await provider.aclose()


@pytest.fixture
async def smsir(smsir_gw: FakeSmsIr) -> AsyncIterator[SmsIrSms]:
    provider = SmsIrSms(smsir_gw.api_key, str(smsir_gw.line), base_url=smsir_gw.url, timeout=TIMEOUT)
    yield provider
    await provider.aclose()


# --- Kavenegar ------------------------------------------------------------------------------


async def test_kavenegar_gets_the_documented_form_and_its_messageid_is_the_provider_id(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    message_id = await kavenegar.send(MESSAGE)
    [seen] = kavenegar_gw.seen
    assert (seen.method, seen.path) == ("POST", f"/v1/{kavenegar_gw.api_key}/sms/send.json")
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.body == {"receptor": "09141234567", "message": TEXT, "sender": "10004346", "localid": "n-1"}
    assert message_id == str(kavenegar_gw.next_id)


@pytest.mark.parametrize(
    ("arrange", "message", "failure", "code"),
    [
        (lambda g: None, NOT_A_MOBILE, PermanentFailure, "411"),  # receptor not valid
        (lambda g: g.blocked.add("09141234567"), MESSAGE, PermanentFailure, "14"),  # blocked by recipient
        (lambda g: setattr(g, "credit", 0), MESSAGE, TemporaryFailure, "418"),  # credit insufficient
        (lambda g: setattr(g, "mode", "5xx"), MESSAGE, TemporaryFailure, "502"),  # a proxy's HTML 502
        (lambda g: setattr(g, "override", (409, _kv(409))), MESSAGE, TemporaryFailure, "409"),  # busy
        (lambda g: setattr(g, "sender", "2000500"), MESSAGE, PermanentFailure, "412"),  # not our line
        (lambda g: setattr(g, "override", (413, _kv(413))), MESSAGE, PermanentFailure, "413"),  # too long
        (lambda g: setattr(g, "mode", "malformed"), MESSAGE, TemporaryFailure, "200"),  # localid: retry safe
        (lambda g: setattr(g, "override", (401, _kv(401))), MESSAGE, TechnicalFailure, "401"),  # disabled
        (lambda g: setattr(g, "override", (499, _kv(499))), MESSAGE, TechnicalFailure, "499"),  # unknown
    ],
    ids=[
        "invalid-receptor",
        "blocked",
        "no-credit",
        "5xx",
        "busy",
        "bad-sender",
        "too-long",
        "malformed",
        "disabled",
        "unknown",
    ],
)
async def test_kavenegar_answers_are_taken_as_documented(
    kavenegar: KavenegarSms,
    kavenegar_gw: FakeKavenegar,
    arrange: object,
    message: Outgoing,
    failure: type[Exception],
    code: str,
) -> None:
    arrange(kavenegar_gw)  # type: ignore[operator]
    with pytest.raises(failure) as raised:
        await kavenegar.send(message)
    assert type(raised.value) is failure
    assert code in str(raised.value)
    assert kavenegar_gw.api_key not in str(raised.value)


async def test_kavenegar_with_a_wrong_key_is_a_configuration_problem_and_the_key_stays_out_of_the_reason(
    kavenegar_gw: FakeKavenegar,
) -> None:
    wrong = "k-WRONG-secret"
    provider = KavenegarSms(wrong, "10004346", base_url=kavenegar_gw.url, timeout=TIMEOUT)
    try:
        with pytest.raises(TechnicalFailure, match="403") as raised:
            await provider.send(MESSAGE)
    finally:
        await provider.aclose()
    assert wrong not in str(raised.value)


async def test_kavenegar_a_timeout_is_temporary_and_the_retry_sends_nothing_twice(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    kavenegar_gw.mode = "slow"  # takes the message, then answers too late
    with pytest.raises(TemporaryFailure, match="in time"):
        await kavenegar.send(MESSAGE)
    taken = kavenegar_gw.by_localid[MESSAGE.client_reference]
    kavenegar_gw.mode = "ok"
    assert await kavenegar.send(MESSAGE) == str(taken)  # the same localid: the same message
    assert kavenegar_gw.credit == 10_000 - kavenegar_gw.cost  # paid (and sent) once


async def test_a_refused_connection_is_temporary() -> None:
    provider = KavenegarSms("k", "1", base_url="http://127.0.0.1:9", timeout=TIMEOUT)
    try:
        with pytest.raises(TemporaryFailure, match="unreachable"):
            await provider.send(MESSAGE)
    finally:
        await provider.aclose()


async def test_kavenegar_delivery_reports_map_to_notify_outcomes(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    message_id = await kavenegar.send(MESSAGE)
    queued = await kavenegar.status(message_id)
    assert (queued.outcome, queued.provider_status, queued.message_id) == (Outcome.PENDING, "1", message_id)
    assert kavenegar_gw.seen[-1].path.endswith("/sms/status.json")
    assert kavenegar_gw.seen[-1].body == {"messageid": message_id}
    for status, outcome in [(4, Outcome.PENDING), (10, Outcome.DELIVERED), (11, Outcome.FAILED)]:
        kavenegar_gw.deliver(message_id, status)
        assert (await kavenegar.status(message_id)).outcome is outcome
    assert (await kavenegar.status("999")).outcome is Outcome.UNKNOWN  # 100: not ours or too old
    by_reference = await kavenegar.status_by_reference(MESSAGE.client_reference)
    assert (by_reference.message_id, by_reference.outcome) == (message_id, Outcome.FAILED)
    assert kavenegar_gw.seen[-1].body == {"localid": MESSAGE.client_reference}


async def test_a_final_report_is_recorded_as_a_receipt_and_a_pending_one_is_not(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    recorded: list[tuple[str, str, datetime]] = []

    async def record(reference: str, outcome: str, at: datetime) -> bool:  # Operations.receipt's shape
        recorded.append((reference, outcome, at))
        return True

    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    message_id = await kavenegar.send(MESSAGE)
    assert (await check(kavenegar, message_id, record, now)).outcome is Outcome.PENDING
    assert recorded == []
    kavenegar_gw.deliver(message_id, 10)
    await check(kavenegar, message_id, record, now)
    assert recorded == [(message_id, "delivered", now)]


async def test_kavenegar_keeps_one_client_and_one_connection_for_many_sends(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    for n in range(6):
        await kavenegar.send(Outgoing(MESSAGE.to, TEXT, f"n-pool-{n}"))
    assert len(kavenegar_gw.seen) == 6
    assert len(kavenegar_gw.connections) == 1  # one TCP connection, kept alive
    assert kavenegar.http.clients_made == 1
    await kavenegar.aclose()
    with pytest.raises(TemporaryFailure, match="stopping"):
        await kavenegar.send(MESSAGE)


async def test_the_api_key_in_kavenegars_url_is_masked_in_the_request_log(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    await kavenegar.send(MESSAGE)
    kavenegar_gw.credit = 0
    with pytest.raises(TemporaryFailure):
        await kavenegar.send(Outgoing(MESSAGE.to, TEXT, "n-broke"))
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(lines) == 2
    assert all("/v1/***/sms/send.json" in line for line in lines)
    assert kavenegar_gw.api_key not in caplog.text


async def test_a_temporary_refusal_goes_through_notifys_retry_policy_then_delivers(
    kavenegar: KavenegarSms, kavenegar_gw: FakeKavenegar
) -> None:
    repository, outbox, clock = FakeRepository(), FakeOutbox(), Clock()
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))
    dispatcher = Dispatcher(repository, {Channel.SMS: kavenegar}, outbox, policy, clock, random.Random(3))
    delivery = Delivery.new(
        source_event_id="e-1",
        recipient_key="r-1",
        channel=Channel.SMS,
        request_id="req-1",
        template="request.received",
        to=MESSAGE.to,
        text=TEXT,
        now=clock.now,
    )
    await repository.add_delivery(delivery)
    kavenegar_gw.credit = 0
    await dispatcher.attempt(delivery.id)
    waiting = repository.records[delivery.id]
    assert waiting.status is DeliveryStatus.TEMPORARY_FAILURE
    assert waiting.next_attempt_at is not None and "418" in (waiting.reason or "")
    kavenegar_gw.credit = 10_000  # topped up
    clock.now = waiting.next_attempt_at
    await dispatcher.attempt(delivery.id)
    sent = repository.records[delivery.id]
    assert sent.status is DeliveryStatus.DELIVERED
    assert sent.provider_message_id == str(kavenegar_gw.by_localid[delivery.notification_id])


# --- sms.ir ---------------------------------------------------------------------------------


async def test_smsir_gets_the_documented_json_and_its_message_id_is_the_provider_id(
    smsir: SmsIrSms, smsir_gw: FakeSmsIr
) -> None:
    message_id = await smsir.send(MESSAGE)
    [seen] = smsir_gw.seen
    assert (seen.method, seen.path) == ("POST", "/v1/send/bulk")
    assert seen.headers["X-API-KEY"] == smsir_gw.api_key
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.body == {
        "lineNumber": smsir_gw.line,
        "messageText": TEXT,
        "mobiles": ["09141234567"],
        "sendDateTime": None,
    }
    assert message_id == str(smsir_gw.next_id)


@pytest.mark.parametrize(
    ("arrange", "message", "failure", "code"),
    [
        (lambda g: None, NOT_A_MOBILE, PermanentFailure, "104"),  # mobile not valid
        (lambda g: g.blacklist.add("09141234567"), MESSAGE, PermanentFailure, "115"),  # blacklisted
        (lambda g: setattr(g, "line", 30001), MESSAGE, PermanentFailure, "101"),  # our line not valid
        (lambda g: setattr(g, "credit", 0), MESSAGE, TemporaryFailure, "102"),  # credit insufficient
        (lambda g: setattr(g, "mode", "5xx"), MESSAGE, TemporaryFailure, "502"),  # a proxy's HTML 502
        (lambda g: setattr(g, "override", (500, _ir(0))), MESSAGE, TemporaryFailure, "0"),  # sms.ir's 500
        (lambda g: setattr(g, "override", (429, _ir(20))), MESSAGE, TemporaryFailure, "20"),  # throttled
        (lambda g: setattr(g, "mode", "malformed"), MESSAGE, TechnicalFailure, "200"),  # no key to retry
        (lambda g: setattr(g, "override", (400, _ir(13))), MESSAGE, TechnicalFailure, "13"),  # disabled
    ],
    ids=[
        "invalid-mobile",
        "blacklist",
        "bad-line",
        "no-credit",
        "5xx",
        "500",
        "429",
        "malformed",
        "disabled",
    ],
)
async def test_smsir_answers_are_taken_as_documented(
    smsir_gw: FakeSmsIr,
    arrange: object,
    message: Outgoing,
    failure: type[Exception],
    code: str,
) -> None:
    line = smsir_gw.line
    provider = SmsIrSms(smsir_gw.api_key, str(line), base_url=smsir_gw.url, timeout=TIMEOUT)
    arrange(smsir_gw)  # type: ignore[operator]
    try:
        with pytest.raises(failure) as raised:
            await provider.send(message)
    finally:
        smsir_gw.line = line
        await provider.aclose()
    assert type(raised.value) is failure
    assert code in str(raised.value)
    assert smsir_gw.api_key not in str(raised.value)


async def test_smsir_with_a_wrong_key_is_a_configuration_problem(smsir_gw: FakeSmsIr) -> None:
    provider = SmsIrSms("wrong-key", str(smsir_gw.line), base_url=smsir_gw.url, timeout=TIMEOUT)
    try:
        with pytest.raises(TechnicalFailure, match="10 API key not valid"):
            await provider.send(MESSAGE)
    finally:
        await provider.aclose()


async def test_smsir_a_timeout_is_temporary(smsir: SmsIrSms, smsir_gw: FakeSmsIr) -> None:
    smsir_gw.mode = "slow"
    with pytest.raises(TemporaryFailure, match="in time"):
        await smsir.send(MESSAGE)


async def test_smsir_sends_to_iranian_mobiles_only() -> None:
    provider = SmsIrSms("k", "30004505000027", base_url="http://127.0.0.1:9", timeout=TIMEOUT)
    with pytest.raises(PermanentFailure, match="Iranian"):
        await provider.send(Outgoing("+447700900123", TEXT, "n-uk"))
    await provider.aclose()


async def test_smsir_delivery_reports_map_to_notify_outcomes(smsir: SmsIrSms, smsir_gw: FakeSmsIr) -> None:
    message_id = await smsir.send(MESSAGE)
    pending = await smsir.status(message_id)
    assert (pending.outcome, pending.message_id) == (Outcome.PENDING, message_id)
    assert (smsir_gw.seen[-1].method, smsir_gw.seen[-1].path) == ("GET", f"/v1/send/{message_id}")
    smsir_gw.deliver(message_id, 5)  # at the operator
    assert (await smsir.status(message_id)).outcome is Outcome.PENDING
    smsir_gw.deliver(message_id, 1, at=1_767_225_660)
    delivered = await smsir.status(message_id)
    assert (delivered.outcome, delivered.provider_status) == (Outcome.DELIVERED, "1")
    assert delivered.at == datetime.fromtimestamp(1_767_225_660, UTC)
    smsir_gw.deliver(message_id, 7)
    assert (await smsir.status(message_id)).outcome is Outcome.FAILED
    unknown = await smsir.status("12")
    assert (unknown.outcome, unknown.provider_status) == (Outcome.UNKNOWN, "111")


async def test_smsir_keeps_one_client_and_one_connection_for_many_sends(
    smsir: SmsIrSms, smsir_gw: FakeSmsIr
) -> None:
    for _ in range(6):
        await smsir.send(MESSAGE)
    assert len(smsir_gw.seen) == 6
    assert len(smsir_gw.connections) == 1
    assert smsir.http.clients_made == 1


# --- wiring ---------------------------------------------------------------------------------


def settings(**values: object) -> NotifySettings:
    return NotifySettings(
        mongodb_url="mongodb://127.0.0.1:1/notify",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("provider", "sender", "kind"),
    [("kavenegar", "10004346", KavenegarSms), ("smsir", "30004505000027", SmsIrSms)],
)
async def test_notify_sms_provider_picks_the_adapter_and_stop_closes_its_client(
    provider: str, sender: str, kind: type
) -> None:
    chosen = senders(settings(sms_provider=provider, sms_api_key="k-1", sms_sender=sender))
    paced = chosen[Channel.SMS]
    assert isinstance(paced, RateLimited) and isinstance(paced.inner, kind)
    paced.inner.http.client  # noqa: B018 - open it, as a first send would  # type: ignore[attr-defined]
    await close_senders(chosen)
    with pytest.raises(TemporaryFailure, match="stopping"):
        await paced.inner.send(MESSAGE)


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"sms_provider": "kavenegar"}, "NOTIFY_SMS_API_KEY"),
        ({"sms_provider": "smsir", "sms_api_key": "k"}, "NOTIFY_SMS_SENDER"),
        ({"sms_provider": "http"}, "NOTIFY_SMS_HTTP_URL"),
    ],
)
def test_a_provider_without_its_settings_stops_the_start(values: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        senders(settings(**values))


def _kv(status: int) -> dict[str, object]:
    return {"return": {"status": status, "message": "خطا"}, "entries": None}


def _ir(status: int) -> dict[str, object]:
    return {"status": status, "message": "خطا", "data": None}
