"""Staff alerts through the running system: a case whose SLA ran out warns its unit and tells the
unit it escalated to, by e-mail to a real SMTP server (aiosmtpd), each once, with two notify
processes on the same queues (the system's, which sends no e-mail, and one with the SMTP server)
and the escalation delivered twice."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from support import System, eventually, file_request, publish_event, read_request
from test_notify_e2e import Mailbox, second_notify, smtp_server, subject_of

from contracts import Envelope, RequestEscalatedV1

pytestmark = pytest.mark.e2e

CONSOLE = "http://127.0.0.1:8000"  # NOTIFY_CONSOLE_BASE_URL's default, as every notify process here has
BREACHED_FA = "معاونت خدمات شهری منطقه یک"  # d1-services: the demo unit of lighting in district 1


def text_of(mail: Message) -> str:
    """The plain-text part, whether the mail is one part or has alternatives."""
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def mails(mailbox: Mailbox, to: str, tracking_code: str, subject_part: str) -> list[Message]:
    return [
        m
        for m in mailbox.messages
        if m["To"] == to and tracking_code in subject_of(m) and subject_part in subject_of(m)
    ]


def case_of(system: System, request_id: str) -> dict[str, Any]:
    response = httpx.get(f"{system.url('routing')}/v1/cases/{request_id}", headers=system.staff(), timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def staff_deliveries(system: System, request_id: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{system.url('notify')}/v1/notifications",
        params={"request_id": request_id, "limit": 50},
        headers=system.staff(),
        timeout=10,
    )
    return [n for n in response.json()["items"] if str(n["template"]).startswith("staff.")]


@pytest.fixture
def mailer(system: System, tmp_path: Path) -> Iterator[Mailbox]:
    """A second notify process that sends e-mail to a real SMTP server; the system's own notify
    records staff e-mails it cannot send, and this one's retry watch sends them."""
    with smtp_server() as (mailbox, port):
        process = second_notify(
            system,
            tmp_path / "notify-staff.log",
            smtp_host="127.0.0.1",
            smtp_port=str(port),
        )
        try:
            yield mailbox
        finally:
            process.stop()


@pytest.fixture
def overdue_case(system: System) -> Iterator[dict[str, Any]]:
    """A filed request whose case is moved back 40 days in routing's store, so its SLA has run out;
    its clock is put back afterwards."""
    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    with MongoClient(system.cluster.stores["routing"].url, tz_aware=True) as client:
        cases = client.get_default_database()["cases"]
        fields = {"sla.started_at": 1, "due_at": 1, "watch_at": 1}
        before = cases.find_one({"_id": filed["request_id"]}, fields)
        assert before is not None
        long_ago = datetime.now(UTC) - timedelta(days=40)
        moved = {"sla.started_at": long_ago.isoformat(), "due_at": long_ago + timedelta(days=14)}
        cases.update_one({"_id": filed["request_id"]}, {"$set": moved | {"watch_at": long_ago}})
        try:
            yield filed
        finally:
            restored = {"sla.started_at": before["sla"]["started_at"], "due_at": before["due_at"]}
            cases.update_one(
                {"_id": filed["request_id"]}, {"$set": restored | {"watch_at": before["watch_at"]}}
            )


def test_a_breached_case_warns_its_unit_and_tells_the_unit_it_escalated_to_once(
    system: System, mailer: Mailbox, overdue_case: dict[str, Any]
) -> None:
    request_id, code = str(overdue_case["request_id"]), str(overdue_case["tracking_code"])
    case = eventually(lambda: (c := case_of(system, request_id))["escalation_level"] > 0 and c, timeout=30)
    target = str(case["escalated_to"])
    assert target == "municipality"  # 40 days late: up the whole chain
    [escalation] = eventually(lambda: mails(mailer, f"{target}@ardabil.example", code, "گذشت"), timeout=45)
    [warning] = eventually(lambda: mails(mailer, "d1-services@ardabil.example", code, "رو به پایان"))
    body = text_of(escalation)
    assert f"مهلت رسیدگی به درخواست {code} در «{BREACHED_FA}»" in body
    assert "به «شهرداری اردبیل» رسید" in body
    assert f"{CONSOLE}/cases/{request_id}" in body
    assert "۷۵٪ از مهلت رسیدگی" in text_of(warning)

    # routing's escalation delivered twice to the two notify processes: still one e-mail
    redelivered = Envelope.wrap(
        RequestEscalatedV1(
            request_id=request_id,
            tracking_code=code,
            unit_id="d1-services",
            escalated_to_unit_id="d1-office",
            escalated_to_unit_name_fa="شهرداری منطقه یک",
            level=2,
            reason="sla_breached",
            due_at=datetime.now(UTC) - timedelta(days=26),
            escalated_at=datetime.now(UTC),
        ),
        producer="routing",
        correlation_id=f"staff-alerts-{uuid.uuid4().hex[:8]}",
    )
    publish_event(system.amqp_url, redelivered.to_document(), times=2)
    [again] = eventually(lambda: mails(mailer, "d1-office@ardabil.example", code, "گذشت"), timeout=30)
    assert "پرونده در سطح ۲ پیگیری به «شهرداری منطقه یک» رسید" in text_of(again)

    def all_delivered() -> list[dict[str, Any]] | None:
        found = staff_deliveries(system, request_id)
        return found if len(found) == 3 and all(n["status"] == "delivered" for n in found) else None

    delivered = eventually(all_delivered, timeout=30)
    time.sleep(3)  # both notify processes' watches have looked again meanwhile
    assert sorted((n["template"], n["channel"]) for n in staff_deliveries(system, request_id)) == [
        ("staff.request_escalated", "email"),
        ("staff.request_escalated", "email"),
        ("staff.sla_warning", "email"),
    ]
    assert str(redelivered.event_id) in {n["source_event_id"] for n in delivered}
    assert len(mails(mailer, f"{target}@ardabil.example", code, "گذشت")) == 1
    assert len(mails(mailer, "d1-office@ardabil.example", code, "گذشت")) == 1
    assert len(mails(mailer, "d1-services@ardabil.example", code, "رو به پایان")) == 1
