"""Notify's promises through real processes: a kill mid-send, two processes on one store, retries across
a restart, the fallback to e-mail, quiet hours at their boundary, the contact-retention job, consultation
news fanned out in batches and the provider's rate shared by two processes.

Every test starts its own notify processes against notify's store, with a local HTTP server playing the
bulk-SMS provider. The system's own notify process is stopped while this module runs, so every event and
every due delivery is taken by the processes a test started with the settings it chose.

Tests share notify's store, and the machine may be busy with other work: every test uses mobile numbers,
e-mail addresses and categories of its own, checks only what it wrote, takes ports again when another
program took them first, and asserts time only as a lower bound (a slow machine only adds time).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo import MongoClient
from pymongo.database import Database
from support import System, eventually, publish_event
from test_notify_e2e import RECEIVED_SUBJECT, Mailbox, second_notify, smtp_server, text_of

from contracts import ConsultationOpenedV1, Envelope, RequestStatusChangedV1, RequestSubmittedV1
from notify.domain.phones import mask
from pishkhan_local.cluster import ServiceProcess

pytestmark = pytest.mark.e2e

TEHRAN = ZoneInfo("Asia/Tehran")
HANG = -1  # the gateway takes the request and never answers
NO_QUIET_HOURS = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}  # the wall clock must not matter


class SmsGateway:
    """A bulk-SMS REST API on 127.0.0.1 that records every request. Messages to `to` are answered from
    `replies` (one status per call, in order), then with `then`; HANG keeps the connection open without
    an answer. Anything else the store holds as due (other tests' messages) is simply accepted."""

    def __init__(self, to: str = "", replies: tuple[int, ...] = (), then: int = 200) -> None:
        self.calls: list[dict[str, Any]] = []
        self.to = to
        self.replies = list(replies)
        self.then = then
        self._lock = threading.Lock()
        self._released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                status = gateway._record(body)
                if status == HANG:
                    gateway._released.wait(30)
                    return
                answer = json.dumps({"message_id": f"gw-{uuid.uuid4().hex}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/send"

    def _record(self, body: dict[str, Any]) -> int:
        with self._lock:
            self.calls.append(body | {"received_at": time.monotonic()})
            if body.get("to") != self.to:
                return 200
            return self.replies.pop(0) if self.replies else self.then

    def for_reference(self, reference: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c.get("client_reference") == reference]

    def settings(self) -> dict[str, str]:
        return {"sms_provider": "http", "sms_http_url": self.url, "sms_http_api_key": "test-key"}

    def __enter__(self) -> SmsGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module", autouse=True)
def only_these_notify_processes(system: System) -> Iterator[None]:
    own = system.cluster.services["notify"]
    own.stop()
    try:
        yield
    finally:
        own.start()
        own.wait_ready()


@pytest.fixture(scope="module", autouse=True)
def routing_leaves_these_requests_alone(system: System) -> None:
    """The events here carry the contract's example tracking code. Routing opens one case per tracking
    code and ignores a request with a code it holds: once it holds this one, no `request.routed` of its
    own joins a test's messages, whichever test runs first."""
    example = RequestSubmittedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    with MongoClient(system.cluster.stores["routing"].url) as client:
        cases = client.get_default_database()["cases"]
        if cases.find_one({"tracking_code": example["tracking_code"]}) is None:
            publish_event(system.amqp_url, submitted(a_mobile())[1])
            eventually(lambda: cases.find_one({"tracking_code": example["tracking_code"]}), timeout=30)


@pytest.fixture
def db(system: System) -> Iterator[Database[dict[str, Any]]]:
    with MongoClient(system.cluster.stores["notify"].url, tz_aware=True) as client:
        yield client.get_default_database()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


def notify_process(system: System, log: Path, **settings: str) -> ServiceProcess:
    """A notify process for one test, free of quiet hours unless the test sets its own."""
    return second_notify(system, log, **(NO_QUIET_HOURS | settings))


def a_mobile() -> str:
    return f"+98912{uuid.uuid4().int % 10_000_000:07d}"


def submitted(mobile: str | None, email: str | None = None) -> tuple[str, dict[str, Any]]:
    """A request.submitted event from intake for a new request, as (request id, envelope)."""
    example = RequestSubmittedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    request_id = str(uuid.uuid4())
    contact = {"mobile": mobile, "email": email, "channel": "sms" if mobile else "email", "language": "fa"}
    event = RequestSubmittedV1.model_validate(
        example | {"request_id": request_id, "contact": contact, "office_code": f"T-{uuid.uuid4().hex[:6]}"}
    )
    return request_id, Envelope.wrap(event, producer="intake", correlation_id=str(uuid.uuid4())).to_document()


def status_changed(request_id: str, status: str, previous: str) -> dict[str, Any]:
    example = RequestStatusChangedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    event = RequestStatusChangedV1.model_validate(
        example | {"request_id": request_id, "status": status, "previous_status": previous}
    )
    return Envelope.wrap(event, producer="routing", correlation_id=str(uuid.uuid4())).to_document()


def stored(db: Database[dict[str, Any]], request_id: str, template: str, channel: str = "sms") -> Any:
    return db["notifications"].find_one({"request_id": request_id, "template": template, "channel": channel})


def statuses(document: dict[str, Any]) -> list[str]:
    return [entry["status"] for entry in document["history"]]


def settle() -> None:
    """Give every process time to act on what it still holds; what follows checks nothing more came."""
    time.sleep(1.5)


def test_a_send_killed_mid_flight_is_retaken_once_with_the_same_client_reference(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    mobile = a_mobile()
    request_id, envelope = submitted(mobile)
    with SmsGateway(mobile, replies=(HANG,), then=200) as gateway:
        # The lease is written by the process that claims the send, so that process's setting decides
        # when another may retake it; it must outlast the provider timeout, or a slow send is retaken live.
        first = notify_process(
            system,
            tmp_path / "notify-killed.log",
            **gateway.settings(),
            send_lease_seconds="6",
            sms_timeout_seconds="5",
        )
        try:
            publish_event(system.amqp_url, envelope)
            eventually(lambda: [c for c in gateway.calls if c["to"] == mobile], timeout=15, interval=0.05)
            sending = stored(db, request_id, "request.received")  # read well within the 5 s timeout
            assert sending["status"] == "sending" and sending["lease_until"] is not None
        finally:
            first.kill()
        reference = sending["notification_id"]
        assert [c["client_reference"] for c in gateway.calls if c["to"] == mobile] == [reference]

        second = notify_process(system, tmp_path / "notify-restarted.log", **gateway.settings())
        try:
            done = eventually(
                lambda: (d := stored(db, request_id, "request.received"))["status"] == "delivered" and d,
                timeout=20,
            )
            settle()
        finally:
            second.stop()
        # The killed process may have handed the message over before it died: nothing tells notify, so
        # the send is made again. Both requests carry the notification id as client reference, which is
        # what lets a provider that honours it recognise the second as a resend.
        calls = gateway.for_reference(reference)
        assert len(calls) == 2 and all(c["to"] == mobile for c in calls)
        assert calls[0]["text"] == calls[1]["text"]
    assert done["attempts"] == 2
    assert statuses(done) == ["created", "sending", "sending", "delivered"]
    received = {"request_id": request_id, "channel": "sms", "template": "request.received"}
    assert db["notifications"].count_documents(received) == 1


def test_two_notify_processes_and_a_repeated_event_send_each_message_once(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    request_id, envelope = submitted(a_mobile())
    with SmsGateway() as gateway:
        processes = [
            notify_process(system, tmp_path / f"notify-{n}.log", **gateway.settings()) for n in (1, 2)
        ]
        try:
            publish_event(system.amqp_url, envelope, times=4)
            eventually(
                lambda: (d := stored(db, request_id, "request.received")) and d["status"] == "delivered"
            )
            publish_event(system.amqp_url, status_changed(request_id, "in_progress", "routed"), times=4)
            eventually(
                lambda: (d := stored(db, request_id, "request.status_changed")) and d["status"] == "delivered"
            )
            settle()
        finally:
            for process in processes:
                process.stop()
        sent = list(db["notifications"].find({"request_id": request_id, "channel": "sms"}))
        # routing may answer request.submitted with request.routed; only the events published here count
        sent = [d for d in sent if d["template"] != "request.routed"]
        assert sorted(d["template"] for d in sent) == ["request.received", "request.status_changed"]
        for delivery in sent:
            assert statuses(delivery) == ["created", "sending", "delivered"]
            assert len(gateway.for_reference(delivery["notification_id"])) == 1


def test_a_retry_scheduled_in_the_store_is_taken_up_after_a_restart(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    mobile = a_mobile()
    request_id, envelope = submitted(mobile)
    with SmsGateway(mobile, replies=(503, 503), then=200) as gateway:
        patient = notify_process(
            system, tmp_path / "notify-patient.log", **gateway.settings(), retry_base_seconds="3600"
        )
        try:
            publish_event(system.amqp_url, envelope)
            eventually(
                lambda: (
                    (d := stored(db, request_id, "request.received")) and d["status"] == "temporary-failure"
                )
            )
        finally:
            patient.stop()  # SIGTERM
        waiting = stored(db, request_id, "request.received")
        assert waiting["status"] == "temporary-failure" and waiting["next_attempt_at"] is not None
        # as if the hour-long wait had passed while notify was down
        db["notifications"].update_one(
            {"_id": waiting["_id"]}, {"$set": {"next_attempt_at": datetime.now(UTC) - timedelta(seconds=1)}}
        )
        eager = notify_process(
            system, tmp_path / "notify-eager.log", **gateway.settings(), retry_base_seconds="0.2"
        )
        try:
            done = eventually(
                lambda: (d := stored(db, request_id, "request.received"))["status"] == "delivered" and d
            )
            settle()
        finally:
            eager.stop()
        calls = gateway.for_reference(done["notification_id"])
    assert len(calls) == done["attempts"] == 3
    assert statuses(done) == [
        "created",
        *["sending", "temporary-failure"] * 2,
        "sending",
        "delivered",
    ]


def test_an_sms_refused_for_good_falls_back_to_email(
    system: System, db: Database[dict[str, Any]], smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    address = f"f-{uuid.uuid4().hex[:8]}@example.org"
    mobile = a_mobile()
    request_id, envelope = submitted(mobile, address)
    with SmsGateway(mobile, then=400) as gateway:
        process = notify_process(
            system,
            tmp_path / "notify-fallback.log",
            **gateway.settings(),
            smtp_host="127.0.0.1",
            smtp_port=str(port),
        )
        try:
            publish_event(system.amqp_url, envelope)
            [mail] = eventually(lambda: mailbox.to(address), timeout=15)
            email = eventually(
                lambda: (
                    (d := stored(db, request_id, "request.received", "email"))
                    and d["status"] == "delivered"
                    and d
                )
            )
            settle()
        finally:
            process.stop()
        sms = stored(db, request_id, "request.received")
        assert sms["status"] == "permanent-failure"
        assert len(gateway.for_reference(sms["notification_id"])) == 1
    assert "140312345678" in text_of(mail)
    assert email["source_event_id"] == sms["source_event_id"]
    assert len(mailbox.to(address, RECEIVED_SUBJECT)) == 1


def test_quiet_hours_hold_sms_from_their_start_to_their_end_but_not_an_urgent_code(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    # The window starts at this very minute (its start is inside it) and lasts ninety minutes.
    start = datetime.now(TEHRAN).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=90)
    window = {"quiet_hours_start": start.strftime("%H:%M"), "quiet_hours_end": end.strftime("%H:%M")}
    request_id, envelope = submitted(a_mobile())
    mobile = f"0912{uuid.uuid4().int % 10_000_000:07d}"
    with SmsGateway() as gateway:
        night = notify_process(system, tmp_path / "notify-night.log", **gateway.settings(), **window)
        try:
            publish_event(system.amqp_url, envelope)
            held = eventually(lambda: stored(db, request_id, "request.received"))
            pending = httpx.post(f"{night.url}/v1/public/subscriptions", json={"mobile": mobile}, timeout=10)
            assert pending.status_code in (200, 201, 202), pending.text
            code = eventually(
                lambda: db["notifications"].find_one(
                    {
                        "template": "subscription.confirmation",
                        "recipient_key": pending.json()["subscriber_id"],
                        "status": "delivered",
                    }
                )
            )
            settle()
            held = stored(db, request_id, "request.received")
        finally:
            night.stop()
        assert len(gateway.for_reference(code["notification_id"])) == 1
        assert (held["status"], held["attempts"]) == ("created", 0)
        assert held["next_attempt_at"] == end.astimezone(UTC)
        assert gateway.for_reference(held["notification_id"]) == []

        # A window that ended this very minute (its end is outside it) holds nothing back.
        ended = {
            "quiet_hours_start": (start - timedelta(minutes=90)).strftime("%H:%M"),
            "quiet_hours_end": start.strftime("%H:%M"),
        }
        morning_id, morning = submitted(a_mobile())
        day = notify_process(system, tmp_path / "notify-morning.log", **gateway.settings(), **ended)
        try:
            publish_event(system.amqp_url, morning)
            sent = eventually(
                lambda: (d := stored(db, morning_id, "request.received")) and d["status"] == "delivered" and d
            )
        finally:
            day.stop()
        assert len(gateway.for_reference(sent["notification_id"])) == 1
        assert gateway.for_reference(held["notification_id"]) == []


def test_contact_data_is_erased_after_closing_by_two_processes_at_once(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    mobile, address = a_mobile(), f"e-{uuid.uuid4().hex[:8]}@example.org"
    request_id, envelope = submitted(mobile, address)
    logs = [tmp_path / f"notify-erase-{n}.log" for n in (1, 2)]
    processes = [notify_process(system, log, contact_retention_days="0") for log in logs]
    try:
        publish_event(system.amqp_url, envelope)
        eventually(lambda: (d := stored(db, request_id, "request.received")) and d["status"] == "delivered")
        recipient = db["recipients"].find_one({"_id": request_id})
        assert (recipient["mobile"], recipient["email"]) == (mobile, address)
        publish_event(system.amqp_url, status_changed(request_id, "closed", "resolved"), times=2)
        erased = eventually(
            lambda: db["recipients"].find_one({"_id": request_id, "erased": True}), timeout=15
        )
        eventually(
            lambda: (d := stored(db, request_id, "request.status_changed")) and d["status"] == "delivered"
        )
        settle()
        assert all(process.process and process.process.poll() is None for process in processes)
    finally:
        for process in processes:
            process.stop()
    assert (erased["mobile"], erased["email"]) == (None, None)
    kept = list(db["notifications"].find({"request_id": request_id}))
    assert {d["to"] for d in kept} == {mask(mobile)}
    leaks = [
        (d["template"], name) for d in kept for name, v in d.items() if mobile in str(v) or address in str(v)
    ]
    assert not leaks, leaks
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace")


def test_contact_data_waits_for_messages_held_by_quiet_hours(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    start = datetime.now(TEHRAN).replace(second=0, microsecond=0)
    window = {
        "quiet_hours_start": start.strftime("%H:%M"),
        "quiet_hours_end": (start + timedelta(minutes=90)).strftime("%H:%M"),
    }
    mobile = a_mobile()
    request_id, envelope = submitted(mobile)
    night = notify_process(system, tmp_path / "notify-held.log", contact_retention_days="0", **window)
    try:
        publish_event(system.amqp_url, envelope)
        eventually(lambda: stored(db, request_id, "request.received"))
        publish_event(system.amqp_url, status_changed(request_id, "closed", "resolved"))
        held = eventually(lambda: stored(db, request_id, "request.status_changed"))
        eventually(lambda: (db["recipients"].find_one({"_id": request_id}) or {}).get("erase_after"))
        settle()  # several passes of the retention job: each must leave the contact alone
        recipient = db["recipients"].find_one({"_id": request_id})
    finally:
        night.stop()
    assert (held["status"], held["to"]) == ("created", mobile)
    assert (recipient["mobile"], recipient.get("erased")) == (mobile, None)
    waiting = list(db["notifications"].find({"request_id": request_id}))
    assert {(d["status"], d["to"]) for d in waiting} == {("created", mobile)}

    # the morning: what was held falls due, is sent, and only then is the contact forgotten
    due = {"next_attempt_at": datetime.now(UTC) - timedelta(seconds=1)}
    db["notifications"].update_many({"request_id": request_id}, {"$set": due})
    day = notify_process(system, tmp_path / "notify-morning-after.log", contact_retention_days="0")
    try:
        erased = eventually(lambda: db["recipients"].find_one({"_id": request_id, "erased": True}))
    finally:
        day.stop()
    assert (erased["mobile"], erased["email"]) == (None, None)
    sent = list(db["notifications"].find({"request_id": request_id}))
    assert {(d["status"], d["to"]) for d in sent} == {("delivered", mask(mobile))}
    assert len(sent) == 2


def subscribe_directly(db: Database[dict[str, Any]], category: str, count: int) -> dict[str, str]:
    """Confirmed subscribers to one category, as the double opt-in leaves them; subscriber id -> mobile."""
    mobiles = {str(uuid.uuid4()): a_mobile() for _ in range(count)}
    db["subscriptions"].insert_many(
        [
            {
                "_id": f"consultations:{mobile}",
                "subscriber_id": subscriber_id,
                "topic": "consultations",
                "mobile": mobile,
                "email": None,
                "categories": [category],
                "districts": [],
                "language": "fa",
                "status": "confirmed",
                "created_at": datetime.now(UTC),
            }
            for subscriber_id, mobile in mobiles.items()
        ]
    )
    return mobiles


def consultation_opened(category: str) -> dict[str, Any]:
    example = ConsultationOpenedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    draft = {"draft_id": f"d-{uuid.uuid4().hex[:8]}", "category": category, "districts": []}
    event = ConsultationOpenedV1.model_validate(example | draft)
    return Envelope.wrap(event, producer="consultation", correlation_id=str(uuid.uuid4())).to_document()


def news_for(
    db: Database[dict[str, Any]], event_id: str, subscribers: dict[str, str]
) -> list[dict[str, Any]]:
    found = db["notifications"].find(
        {"source_event_id": event_id, "recipient_key": {"$in": list(subscribers)}}
    )
    return list(found)


def delivered(deliveries: list[dict[str, Any]]) -> int:
    return sum(d["status"] == "delivered" for d in deliveries)


def test_consultation_news_reaches_each_subscriber_once_in_batches_through_redeliveries(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    category = f"test-{uuid.uuid4().hex[:8]}"
    subscribers = subscribe_directly(db, category, 7)
    elsewhere = subscribe_directly(db, f"other-{uuid.uuid4().hex[:8]}", 1)
    envelope = consultation_opened(category)
    event_id = str(envelope["event_id"])
    with SmsGateway() as gateway:
        logs = [tmp_path / f"notify-fanout-{n}.log" for n in (1, 2)]
        processes = [notify_process(system, log, **gateway.settings(), fanout_batch_size="2") for log in logs]
        try:
            publish_event(system.amqp_url, envelope, times=3)  # both processes may fan out at once
            eventually(lambda: delivered(news_for(db, event_id, subscribers)) == 7, timeout=30)
            settle()
        finally:
            for process in processes:
                process.stop()
        news = news_for(db, event_id, subscribers)
        assert sorted(d["to"] for d in news) == sorted(subscribers.values())
        for delivery in news:
            assert statuses(delivery) == ["created", "sending", "delivered"]
            assert len(gateway.for_reference(delivery["notification_id"])) == 1
    assert news_for(db, event_id, elsewhere) == []
    progress = db["fanouts"].find_one({"_id": event_id})
    assert progress is not None and progress["after"] >= max(
        f"consultations:{m}" for m in subscribers.values()
    )
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace")


def test_two_processes_keep_the_providers_rate_together(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    category = f"rate-{uuid.uuid4().hex[:8]}"
    subscribers = subscribe_directly(db, category, 12)
    envelope = consultation_opened(category)
    event_id = str(envelope["event_id"])
    with SmsGateway() as gateway:
        processes = [
            notify_process(
                system, tmp_path / f"notify-rate-{n}.log", **gateway.settings(), sms_rate_per_second="1"
            )
            for n in (1, 2)
        ]
        try:
            publish_event(system.amqp_url, envelope)
            eventually(lambda: delivered(news_for(db, event_id, subscribers)) == 12, timeout=60)
        finally:
            for process in processes:
                process.stop()
        arrivals = sorted(c["received_at"] for c in gateway.calls if c["to"] in subscribers.values())
    assert len(arrivals) == 12
    # twelve sends at one a second take eleven seconds at the least (each in a second of its own); two
    # processes that each counted only their own sends would be done in about six
    assert arrivals[-1] - arrivals[0] >= 9.0, arrivals


def notify_fake_gateways() -> ModuleType:
    """The Kavenegar and sms.ir doubles of notify's own tests (services/notify/tests/fake_gateways.py)."""
    path = Path(__file__).resolve().parents[1] / "services" / "notify" / "tests" / "fake_gateways.py"
    spec = importlib.util.spec_from_file_location("notify_fake_gateways", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    if not hasattr(module, "FakeKavenegar"):
        spec.loader.exec_module(module)
    return module


def test_a_process_speaking_kavenegar_sends_and_keeps_the_api_key_out_of_its_log(
    system: System, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    fakes = notify_fake_gateways()
    mobile = a_mobile()
    request_id, envelope = submitted(mobile)
    log = tmp_path / "notify-kavenegar.log"
    with fakes.serving(fakes.FakeKavenegar()) as gateway:
        process = notify_process(
            system,
            log,
            sms_provider="kavenegar",
            sms_api_key=gateway.api_key,
            sms_base_url=gateway.url,
            sms_sender=gateway.sender,
        )
        try:
            publish_event(system.amqp_url, envelope)
            done = eventually(
                lambda: (
                    (d := stored(db, request_id, "request.received")) and d["status"] == "delivered" and d
                ),
                timeout=20,
            )
        finally:
            process.stop()
        [taken] = [m for m in gateway.messages.values() if m["receptor"] == "0" + mobile[3:]]
        assert gateway.by_localid[done["notification_id"]] == taken["messageid"]  # our reference, as localid
    assert (done["provider"], done["provider_message_id"]) == ("kavenegar", str(taken["messageid"]))
    written = log.read_text(errors="replace")
    assert "/v1/***/sms/send.json" in written  # httpx's request line, with the key masked
    assert gateway.api_key not in written
