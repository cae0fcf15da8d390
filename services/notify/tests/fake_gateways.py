"""Kavenegar and sms.ir as local HTTP servers on 127.0.0.1, written from their public docs and SDKs.

They speak what the adapters' module docstrings cite (notify/providers/kavenegar.py, smsir.py):
- Kavenegar: `POST /v1/{API-KEY}/sms/{send,status,statuslocalmessageid}.json`, form-encoded;
  `{"return": {"status", "message"}, "entries": [...]}` with the HTTP status equal to `return.status`
  on an error (kavenegar/kavenegar-go `client.go`, kavenegar/kavenegar-dotnet `KavenegarApi.cs`);
  a repeated `localid` answers the message already taken; messages Persian as Kavenegar words them.
- sms.ir: `X-API-KEY` header, `POST /v1/send/bulk` and `GET /v1/send/{id}`, JSON;
  `{"status", "message", "data"}` with HTTP 200/400/401/429/500 (apidocs.sms.ir; IPeCompany SDKs).

Both speak HTTP/1.1 with keep-alive, as the real ones do, so a test can count the TCP connections a
client opens; both record every request and the client port it came from.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MOBILE = re.compile(r"^09\d{9}$")
SLOW_SECONDS = 5.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    port: int


@dataclass
class FakeGateway:
    """What both fakes share: the mode a test sets, the record of what arrived, the server thread."""

    api_key: str = "k-7a1c-SECRET"
    mode: str = "ok"  # ok | 5xx (a proxy's HTML 502) | slow (answers after SLOW_SECONDS) | malformed
    override: tuple[int, Any] | None = None  # a documented answer a test forces: (HTTP status, body)
    credit: int = 10_000
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> set[int]:
        return {s.port for s in self.seen}

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> tuple[int, Any]:
        raise NotImplementedError

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        status, body = self.answer(handler, method)
        if self.mode == "slow":
            self.released.wait(SLOW_SECONDS)
        if self.override is not None:
            status, body = self.override
        if self.mode == "5xx":
            status, body = 502, "<html><body>502 Bad Gateway</body></html>"
        elif self.mode == "malformed":
            status, body = 200, "<html>maintenance</html>"
        payload = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
        handler.send_response(status)
        kind = "text/html" if isinstance(body, str) else "application/json; charset=utf-8"
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def record(self, handler: BaseHTTPRequestHandler, method: str, body: Any) -> Seen:
        seen = Seen(method, handler.path, dict(handler.headers.items()), body, handler.client_address[1])
        with self.lock:
            self.seen.append(seen)
        return seen


def _handler(gateway: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real gateways answer
        disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall

        def do_POST(self) -> None:
            gateway.handle(self, "POST")

        def do_GET(self) -> None:
            gateway.handle(self, "GET")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(gateway: FakeGateway) -> Iterator[FakeGateway]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    gateway.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        gateway.released.set()
        server.shutdown()
        server.server_close()


def _body(handler: BaseHTTPRequestHandler) -> bytes:
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


# --- Kavenegar ------------------------------------------------------------------------------

KAVENEGAR_PATH = re.compile(r"^/v1/(?P<key>[^/]+)/sms/(?P<method>[a-z]+)\.json$")
QUEUED, DELIVERED, BLOCKED, INVALID = 1, 10, 14, 100
STATUS_TEXT = {1: "در صف ارسال", 4: "ارسال به مخابرات", 10: "رسیده به گیرنده", 11: "نرسیده به گیرنده"}
STATUS_TEXT |= {14: "مسدود شده توسط گیرنده", 100: "شناسه پیامک نامعتبر است"}


@dataclass
class FakeKavenegar(FakeGateway):
    cost: int = 120  # rials a part, as in the SDKs' sample answers
    sender: str = "10004346"
    blocked: set[str] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_localid: dict[str, int] = field(default_factory=dict)
    next_id: int = 8792343

    def deliver(self, message_id: str | int, status: int) -> None:
        self.messages[int(message_id)]["status"] = status

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(_body(handler).decode(), keep_blank_values=True).items()}
        self.record(handler, method, form)
        match = KAVENEGAR_PATH.match(urlsplit(handler.path).path)
        if match is None:
            return _kavenegar(404, "متد نامعتبر است")
        if match["key"] != self.api_key:
            return _kavenegar(403, "کلید API نامعتبر است")
        if match["method"] == "send":
            return self._send(form)
        if match["method"] == "status":
            ids = [i for i in form.get("messageid", "").split(",") if i]
            return _kavenegar(200, entries=[self._status(i) for i in ids]) if ids else _kavenegar(400)
        if match["method"] == "statuslocalmessageid":
            ids = [i for i in form.get("localid", "").split(",") if i]
            return _kavenegar(200, entries=[self._status_local(i) for i in ids]) if ids else _kavenegar(400)
        return _kavenegar(404, "متد نامعتبر است")

    def _send(self, form: dict[str, str]) -> tuple[int, Any]:
        receptor, text = form.get("receptor", ""), form.get("message", "")
        if not receptor or "message" not in form:
            return _kavenegar(406, "پارامترهای اجباری خالی ارسال شده اند")
        if not MOBILE.match(receptor):
            return _kavenegar(411, "گیرنده نامعتبر است")
        if form.get("sender", self.sender) != self.sender:
            return _kavenegar(412, "ارسال کننده نامعتبر است")
        if not text or len(text) > 900:
            return _kavenegar(413, "پیام خالی است و یا طول پیام بیش از حد مجاز می‌باشد")
        localid = form.get("localid")
        if localid and localid in self.by_localid:  # a repeated localid: the message already taken
            return _kavenegar(200, entries=[self.messages[self.by_localid[localid]]])
        if self.credit < self.cost:
            return _kavenegar(418, "اعتبار حساب شما کافی نیست")
        self.credit -= self.cost
        self.next_id += 1
        status = BLOCKED if receptor in self.blocked else QUEUED
        entry = {
            "messageid": self.next_id,
            "message": text,
            "status": status,
            "statustext": STATUS_TEXT[status],
            "sender": self.sender,
            "receptor": receptor,
            "date": 1356619709,
            "cost": self.cost,
        }
        self.messages[self.next_id] = entry
        if localid:
            self.by_localid[localid] = self.next_id
        return _kavenegar(200, entries=[entry])

    def _status(self, message_id: str) -> dict[str, Any]:
        found = self.messages.get(int(message_id)) if message_id.isdigit() else None
        status = found["status"] if found else INVALID
        return {"messageid": int(message_id) if message_id.isdigit() else 0, "status": status,
                "statustext": STATUS_TEXT.get(status, "")}  # fmt: skip

    def _status_local(self, localid: str) -> dict[str, Any]:
        message_id = self.by_localid.get(localid)
        if message_id is None:
            return {"messageid": 0, "localid": localid, "status": INVALID, "statustext": STATUS_TEXT[INVALID]}
        return self._status(str(message_id)) | {"localid": localid}


def _kavenegar(status: int, message: str = "", entries: Any = None) -> tuple[int, Any]:
    text = message or ("تایید شد" if status == 200 else "خطا")
    return status, {"return": {"status": status, "message": text}, "entries": entries}


# --- sms.ir ---------------------------------------------------------------------------------


@dataclass
class FakeSmsIr(FakeGateway):
    line: int = 30004505000027
    cost: int = 1
    blacklist: set[str] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 52_000_000

    def deliver(self, message_id: str | int, state: int, at: int = 1_767_225_600) -> None:
        self.messages[int(message_id)] |= {"deliveryState": state, "deliveryDateTime": at}

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> tuple[int, Any]:
        raw = _body(handler)
        body = json.loads(raw) if raw else None
        self.record(handler, method, body)
        if handler.headers.get("X-API-KEY") != self.api_key:
            return _smsir(401, 10, "کلید وب سرویس نامعتبر است")
        path = urlsplit(handler.path).path
        if method == "POST" and path == "/v1/send/bulk":
            return self._bulk(body if isinstance(body, dict) else {})
        found = re.fullmatch(r"/v1/send/(\d+)", path)
        if method == "GET" and found:
            message = self.messages.get(int(found[1]))
            if message is None:
                return _smsir(400, 111, "با این شناسه ارسالی ثبت نشده است")
            return _smsir(200, 1, "موفق", message)
        return 404, {"status": 0, "message": "Not Found", "data": None}

    def _bulk(self, body: dict[str, Any]) -> tuple[int, Any]:
        mobiles, text = body.get("mobiles") or [], body.get("messageText") or ""
        if body.get("lineNumber") != self.line:
            return _smsir(400, 101, "شماره خط نامعتبر میباشد")
        if not text:
            return _smsir(400, 103, "درخواست شما دارای متن (های) خالی است")
        if not mobiles or not all(isinstance(m, str) and MOBILE.match(m) for m in mobiles):
            return _smsir(400, 104, "درخواست شما دارای موبایل (های) نادرست است")
        if any(m in self.blacklist for m in mobiles):
            return _smsir(400, 115, "شماره موبایل(ها) در لیست سیاه سامانه میباشند")
        if self.credit < self.cost * len(mobiles):
            return _smsir(400, 102, "اعتبار کافی نمیباشد")
        self.credit -= self.cost * len(mobiles)
        ids = []
        for mobile in mobiles:
            self.next_id += 1
            ids.append(self.next_id)
            self.messages[self.next_id] = {
                "messageId": self.next_id,
                "mobile": int(mobile),
                "messageText": text,
                "sendDateTime": 1_767_225_000,
                "lineNumber": self.line,
                "cost": self.cost,
                "deliveryState": None,
                "deliveryDateTime": None,
            }
        data = {"packId": str(uuid.uuid4()), "messageIds": ids, "cost": self.cost * len(mobiles)}
        return _smsir(200, 1, "موفق", data)


def _smsir(http: int, status: int, message: str, data: Any = None) -> tuple[int, Any]:
    return http, {"status": status, "message": message, "data": data}
