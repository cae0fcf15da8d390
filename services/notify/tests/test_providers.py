"""The channel adapters against real local servers: an HTTP server playing the SMS gateway, aiosmtpd."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers import HttpSmsProvider, SmtpSender
from notify.providers.webhook import WebhookSender

pytestmark = pytest.mark.unit

MESSAGE = Outgoing("+989141234567", "درخواست شما ثبت شد", "n-1", subject="ثبت شد")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gateway(BaseHTTPRequestHandler):
    mode = "ok"
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append(body | {"key": self.headers.get("X-API-Key")})
        if self.mode in ("slow", "timeout"):
            time.sleep(0.6 if self.mode == "slow" else 3)
        status = {"ok": 200, "slow": 200, "timeout": 200, "5xx": 503, "4xx": 400, "429": 429, "3xx": 302}
        status = status[self.mode]
        payload = json.dumps({"message_id": f"g-{len(Gateway.received)}"}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()


def provider(url: str, timeout: float = 1.0) -> HttpSmsProvider:
    return HttpSmsProvider(url, "k-1", "3000123", timeout=timeout)


async def test_a_sent_sms_carries_sender_line_key_and_client_reference(gateway: str) -> None:
    Gateway.mode = "ok"
    message_id = await provider(gateway).send(MESSAGE)
    assert message_id.startswith("g-")
    last = Gateway.received[-1]
    assert last == {
        "to": MESSAGE.to,
        "text": MESSAGE.text,
        "sender": "3000123",
        "client_reference": "n-1",
        "key": "k-1",
    }


@pytest.mark.parametrize(
    ("mode", "failure"),
    [
        ("5xx", TemporaryFailure),
        ("timeout", TemporaryFailure),
        ("4xx", PermanentFailure),
        ("429", TemporaryFailure),  # the gateway's own rate limit: the message waits, it is not refused
        ("3xx", TechnicalFailure),
    ],
)
async def test_gateway_failures_are_classified(gateway: str, mode: str, failure: type[Exception]) -> None:
    Gateway.mode = mode
    with pytest.raises(failure):
        await provider(gateway).send(MESSAGE)


async def test_a_slow_gateway_within_the_timeout_still_delivers(gateway: str) -> None:
    Gateway.mode = "slow"
    assert (await provider(gateway, timeout=2.0).send(MESSAGE)).startswith("g-")


async def test_a_refused_connection_is_temporary() -> None:
    port = free_port()
    with pytest.raises(TemporaryFailure):
        await provider(f"http://127.0.0.1:{port}/send").send(MESSAGE)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


async def test_email_reaches_the_smtp_server(smtp: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp
    message = Outgoing("citizen@example.org", "درخواست شما ثبت شد", "n-7", subject="ثبت شد")
    message_id = await SmtpSender("127.0.0.1", port, "pishkhan@example.org").send(message)
    [mail] = mailbox.messages
    assert mail["To"] == "citizen@example.org"
    assert mail["Message-ID"] == message_id == "<n-7@pishkhan>"
    parts = {part.get_content_type(): part for part in mail.walk() if not part.is_multipart()}
    assert list(parts) == ["text/plain", "text/html"]  # multipart/alternative, plain text first
    for part in parts.values():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        assert "درخواست شما ثبت شد" in payload.decode()


async def test_an_absent_mail_server_is_temporary() -> None:
    port = free_port()
    with pytest.raises(TemporaryFailure):
        await SmtpSender("127.0.0.1", port, "p@example.org", timeout=2).send(MESSAGE)


def office_verify(secret: bytes, body: bytes, headers: Any) -> bool:
    """The recipe from `notify.domain.signing`, as an office would paste it."""
    import hashlib
    import hmac

    ts = headers["X-Pishkhan-Timestamp"]
    if not (ts.isascii() and ts.isdigit()) or abs(time.time() - int(ts)) > 300:
        return False
    expected = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    sigs = [p.strip()[3:] for p in headers["X-Pishkhan-Signature"].split(",") if p.strip()[:3] == "v1="]
    return any(hmac.compare_digest(expected, sig) for sig in sigs)


class Office(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[bytes, dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Office.calls.append((body, dict(self.headers.items())))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


async def test_an_office_verifies_the_webhook_with_the_documented_recipe() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Office)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        sender = WebhookSender({"office-42": "s3cret"})
        body = json.dumps({"tracking_code": "140312345678", "status": "resolved"})
        await sender.send(Outgoing(url, body, "n-9", secret_ref="office-42"))
    finally:
        server.shutdown()
    [(received, headers)] = Office.calls
    assert received == body.encode()
    assert headers["X-Pishkhan-Delivery"] == "n-9"
    assert office_verify(b"s3cret", received, headers)
    assert not office_verify(b"other", received, headers)
    assert not office_verify(b"s3cret", received + b" ", headers)


async def test_a_webhook_without_a_known_secret_is_a_technical_failure() -> None:
    with pytest.raises(TechnicalFailure):
        await WebhookSender({}).send(Outgoing("http://127.0.0.1:1/x", "{}", "n-1", secret_ref="missing"))
