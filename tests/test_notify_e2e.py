"""Notify through real processes: a real SMTP server (aiosmtpd), notify's store shared by a second
notify process with other settings, retries across a restart and duplicates under redelivery."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from pymongo import MongoClient
from support import System, citizen_request, eventually, file_request, publish_event

from contracts import Envelope, RequestSubmittedV1
from pishkhan_local.cluster import ServiceProcess, free_port

RECEIVED_SUBJECT = "درخواست شما ثبت شد"
PORT_TRIES = 5


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str, subject: str = RECEIVED_SUBJECT) -> list[Message]:
        return [m for m in self.messages if m["To"] == address and subject_of(m) == subject]


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text_of(message: Message) -> str:
    """The text/plain part (notify sends text/plain with a text/html alternative)."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free port; when another program takes the port first, on another one."""
    mailbox = Mailbox()
    for _ in range(PORT_TRIES):
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except OSError:
            continue
        try:
            yield mailbox, port
        finally:
            controller.stop()
        return
    raise RuntimeError("no free port for the SMTP server")


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


def second_notify(system: System, log: Path, **settings: str) -> ServiceProcess:
    """Another notify process on notify's own store, with its own settings (e.g. an SMTP server).

    The port is chosen free, but another program may bind it before notify does: then notify exits,
    or (if that program answers too) exits just after looking ready; either way another port is tried.
    """
    env = system.cluster.service_env("notify", system.cluster.stores["notify"].url)
    env |= {"NOTIFY_RETRY_SCAN_SECONDS": "0.3"}
    env |= {f"NOTIFY_{name.upper()}": value for name, value in settings.items()}
    for _ in range(PORT_TRIES):
        port = free_port()
        process = ServiceProcess("notify", port, env | {"NOTIFY_HTTP_PORT": str(port)}, log)
        process.start()
        try:
            process.wait_ready()
            time.sleep(0.3)
            if process.process is None or process.process.poll() is not None:
                raise RuntimeError("notify lost its port")
        except RuntimeError:
            process.stop()
            continue
        return process
    raise RuntimeError(f"notify did not start; see {log}")


def notifications(system: System, request_id: object) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{system.url('notify')}/v1/notifications",
        params={"request_id": str(request_id), "limit": 50},
        headers=system.staff(),
        timeout=10,
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def email_citizen(address: str) -> dict[str, object]:
    return {"name": "مریم رضایی", "national_id": "0499370899", "email": address, "preferred_channel": "email"}


def test_a_request_filed_for_email_reaches_the_smtp_server_once(
    system: System, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    address = f"c-{uuid.uuid4().hex[:8]}@example.org"
    mailer = second_notify(system, tmp_path / "notify-mail.log", smtp_host="127.0.0.1", smtp_port=str(port))
    try:
        filed = file_request(system, citizen=email_citizen(address))
        [mail] = eventually(lambda: mailbox.to(address), timeout=30)
        assert str(filed["tracking_code"]) in text_of(mail)
        delivered = eventually(
            lambda: [n for n in notifications(system, filed["request_id"]) if n["status"] == "delivered"]
        )
        assert ("email", "request.received") in [(n["channel"], n["template"]) for n in delivered]
        assert address not in json.dumps(delivered)
    finally:
        mailer.stop()
    assert len(mailbox.to(address)) == 1


def test_an_email_retry_survives_a_restart_of_notify(
    system: System, smtp: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, port = smtp
    address = f"r-{uuid.uuid4().hex[:8]}@example.org"
    dead = free_port()
    first = second_notify(
        system, tmp_path / "notify-a.log", smtp_host="127.0.0.1", smtp_port=str(dead), retry_base_seconds="1"
    )
    try:
        filed = file_request(system, citizen=email_citizen(address))
        failed = eventually(
            lambda: [
                n for n in notifications(system, filed["request_id"]) if n["status"] == "temporary-failure"
            ],
            timeout=30,
        )
    finally:
        first.stop()
    detail = httpx.get(
        f"{system.url('notify')}/v1/notifications/{failed[0]['notification_id']}",
        headers=system.staff(),
        timeout=10,
    ).json()
    assert detail["next_attempt_at"] is not None
    assert [h["status"] for h in detail["history"]][:3] == ["created", "sending", "temporary-failure"]

    second = second_notify(system, tmp_path / "notify-b.log", smtp_host="127.0.0.1", smtp_port=str(port))
    try:
        eventually(lambda: mailbox.to(address), timeout=30)
        eventually(
            lambda: [n for n in notifications(system, filed["request_id"]) if n["status"] == "delivered"]
        )
    finally:
        second.stop()
    assert len(mailbox.to(address)) == 1


def test_a_redelivered_event_with_two_notify_processes_sends_once(system: System, tmp_path: Path) -> None:
    example = RequestSubmittedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    request_id = str(uuid.uuid4())
    event = RequestSubmittedV1.model_validate(example | {"request_id": request_id})
    envelope = Envelope.wrap(event, producer="intake", correlation_id=str(uuid.uuid4())).to_document()
    other = second_notify(system, tmp_path / "notify-2.log")
    try:
        publish_event(system.amqp_url, envelope, times=5)
        eventually(lambda: notifications(system, request_id), timeout=30)
        time.sleep(2.5)  # both processes have had every copy by now
    finally:
        other.stop()
    sent = [n for n in notifications(system, request_id) if n["template"] == "request.received"]
    assert [(n["status"], n["channel"]) for n in sent] == [("delivered", "sms")], sent
    with MongoClient(system.cluster.stores["notify"].url, tz_aware=True) as client:
        stored = client.get_default_database()["notifications"].find_one(
            {"request_id": request_id, "template": "request.received"}
        )
    assert stored is not None
    assert [h["status"] for h in stored["history"]] == ["created", "sending", "delivered"]


def test_template_saved_versioned_previewed_and_refused(system: System) -> None:
    base = f"{system.url('notify')}/v1/templates"
    admin = system.staff()
    seeded = httpx.get(f"{base}/request.submitted.v1/sms/fa", headers=admin, timeout=10).json()
    assert seeded and seeded[-1]["version"] == 1 and seeded[-1]["saved_by"] == "seed"
    refused = httpx.put(
        f"{base}/request.routed.v1/sms/en", headers=admin, timeout=10, json={"body": "((national_id))"}
    )
    assert refused.status_code == 422
    preview = httpx.post(
        f"{base}/request.submitted.v1/preview",
        headers=admin,
        timeout=10,
        json={
            "body": "درخواست شما ثبت شد. کد رهگیری: ((tracking_code))",
            "values": {"tracking_code": "1403"},
        },
    ).json()
    assert (preview["encoding"], preview["segments"]) == ("ucs2", 1)
    latin = httpx.post(
        f"{base}/request.submitted.v1/preview", headers=admin, timeout=10, json={"body": "x" * 161}
    ).json()
    assert (latin["encoding"], latin["segments"]) == ("gsm7", 2)


def test_staff_list_keeps_its_shape_with_status_history(system: System) -> None:
    filed = file_request(system, citizen=citizen_request()["citizen"])
    item = eventually(lambda: notifications(system, filed["request_id"]))[-1]
    assert {
        "notification_id",
        "source_event_id",
        "request_id",
        "channel",
        "template",
        "recipient",
        "status",
    } <= set(item)
    assert item["recipient"].endswith("567") and "9141234567" not in item["recipient"]
    by_code = httpx.get(
        f"{system.url('notify')}/v1/notifications",
        params={"tracking_code": str(filed["tracking_code"])},
        headers=system.staff(),
        timeout=10,
    ).json()["items"]
    assert {n["request_id"] for n in by_code} == {filed["request_id"]}
    assert datetime.fromisoformat(item["created_at"]) <= datetime.now(UTC)


def test_staff_find_a_recipients_messages_by_the_number_typed_in_persian_digits(system: System) -> None:
    mobile = f"0912{uuid.uuid4().int % 10_000_000:07d}"  # no other test's citizen has it
    filed = file_request(system, citizen=citizen_request()["citizen"] | {"mobile": mobile})  # type: ignore[operator]
    typed = mobile.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    def by_recipient() -> list[dict[str, Any]]:
        response = httpx.get(
            f"{system.url('notify')}/v1/notifications",
            params={"recipient": typed, "limit": 10},
            headers=system.staff(),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    items = eventually(by_recipient)
    assert {item["request_id"] for item in items} == {filed["request_id"]}
    assert all(
        item["recipient"].endswith(mobile[-3:]) and mobile[1:] not in item["recipient"] for item in items
    )


def test_receipts_double_opt_in_keyword_stop_stats_and_erasure(system: System, tmp_path: Path) -> None:
    token = "receipts-token-" + uuid.uuid4().hex
    other = second_notify(system, tmp_path / "notify-ops.log", receipts_token=token)
    api = f"http://127.0.0.1:{other.port}"
    provider = {"X-Provider-Token": token}
    store_url = system.cluster.stores["notify"].url
    try:
        filed = file_request(system)
        [sent] = eventually(
            lambda: [
                n for n in notifications(system, filed["request_id"]) if n["template"] == "request.received"
            ]
        )
        receipt = {"reference": sent["notification_id"], "status": "delivered"}
        assert httpx.post(f"{api}/v1/provider/receipts", json=receipt, timeout=10).status_code == 401
        first = httpx.post(f"{api}/v1/provider/receipts", json=receipt, headers=provider, timeout=10)
        again = httpx.post(f"{api}/v1/provider/receipts", json=receipt, headers=provider, timeout=10)
        assert (first.status_code, again.status_code) == (200, 200)
        assert (first.json()["recorded"], again.json()["recorded"]) == (True, False)

        mobile = f"0912{uuid.uuid4().int % 10_000_000:07d}"
        pending = httpx.post(f"{api}/v1/public/subscriptions", json={"mobile": mobile}, timeout=10).json()
        assert pending["status"] == "pending"
        with MongoClient(store_url, tz_aware=True) as client:
            code_sms = eventually(
                lambda: client.get_default_database()["notifications"].find_one(
                    {"template": "subscription.confirmation", "recipient_key": pending["subscriber_id"]}
                )
            )
        code = str(code_sms["text"]).rsplit(" ", 1)[-1]
        confirm = f"{api}/v1/public/subscriptions/{pending['subscriber_id']}/confirm"
        wrong = "000000" if code != "000000" else "111111"
        assert httpx.post(confirm, json={"code": wrong}, timeout=10).status_code == 400
        again = httpx.post(f"{api}/v1/public/subscriptions", json={"mobile": mobile}, timeout=10).json()
        assert again["subscriber_id"] == pending["subscriber_id"]  # no second code within the minute
        assert httpx.post(confirm, json={"code": code}, timeout=10).json()["status"] == "confirmed"
        stop = httpx.post(
            f"{api}/v1/provider/inbound", json={"from": mobile, "text": "لغو"}, headers=provider, timeout=10
        )
        assert stop.json() == {"unsubscribed": True}
        listed = httpx.get(f"{api}/v1/subscriptions", headers=system.staff(), timeout=10).json()["items"]
        assert pending["subscriber_id"] not in [s["subscriber_id"] for s in listed]

        stats = httpx.get(f"{api}/v1/notifications/stats", headers=system.staff(), timeout=10).json()["items"]
        assert any(
            row["channel"] == "sms" and row["status"] == "delivered" and row["segments"] >= row["count"] >= 1
            for row in stats
        )
        persian_sms = [
            item
            for item in httpx.get(f"{api}/v1/notifications", headers=system.staff(), timeout=10).json()[
                "items"
            ]
            if item["channel"] == "sms"
        ]
        assert persian_sms and all(i["encoding"] == "ucs2" and i["segments"] >= 1 for i in persian_sms)

        with MongoClient(store_url, tz_aware=True) as client:
            db = client.get_default_database()
            db["recipients"].update_one(
                {"_id": filed["request_id"]}, {"$set": {"erase_after": datetime.now(UTC)}}
            )
            erased = eventually(
                lambda: db["recipients"].find_one({"_id": filed["request_id"], "erased": True}), timeout=30
            )
            assert erased["mobile"] is None
            assert "9141234567" not in str(db["notifications"].find_one({"request_id": filed["request_id"]}))
    finally:
        other.stop()
