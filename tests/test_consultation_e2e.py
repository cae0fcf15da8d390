"""A draft from writing to issue across the running system: approval, the window, comments,
moderation, the closing job with two consultation processes, responses, the final issue, the report."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
from pymongo import MongoClient
from support import System, eventually

from contracts.topology import EVENTS_EXCHANGE
from pishkhan_local.cluster import ServiceProcess, free_port
from servicekit.auth import Role, mint_staff_token

pytestmark = __import__("pytest").mark.e2e

MOBILE, EMAIL = "09141234567", "resident@example.org"
PRIVATE = ("09141234567", "+989141234567", "9141234567", EMAIL, "contact")
CAMPAIGN = (
    "ما ساکنان محله با ساعت فعالیت بازارچه‌ها مخالفیم چون تا دیروقت سروصدا دارد و خواب بچه‌ها را به هم می‌زند"
)
DRAFT: dict[str, Any] = {
    "title_fa": "پیش‌نویس دستورالعمل ساعات فعالیت بازارچه‌های موقت",
    "summary_fa": "ضوابط ساعات فعالیت بازارچه‌های موقت شهر",
    "authority_fa": "شهرداری اردبیل",
    "category": "ساماندهی مشاغل",
    "districts": ["2"],
    "sections": [
        {
            "number": 1,
            "title_fa": "زمان فعالیت",
            "articles": [
                {"id": "a-1", "number": 1, "text_fa": "بازارچه‌ها از ساعت ۱۶ تا ۲۳ فعال‌اند."},
                {"id": "a-2", "number": 2, "text_fa": "در ایام تعطیل ساعت فعالیت تا ۲۴ است."},
            ],
        }
    ],
}


def _token(system: System, subject: str, *roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(system.secret, subject, list(roles))}"}


def _client(number: int) -> dict[str, str]:
    # the services trust X-Forwarded-For from the local proxy address, as behind an ingress
    return {"X-Forwarded-For": f"203.0.113.{number}"}


def _post(url: str, headers: dict[str, str] | None = None, body: Any = None) -> httpx.Response:
    return httpx.post(url, headers=headers or {}, json=body, timeout=10)


def _comment(system: System, draft_id: str, client: int, **body: Any) -> httpx.Response:
    url = f"{system.url('consultation')}/v1/consultations/{draft_id}/comments"
    return _post(url, _client(client), {"stance": "against", "text_fa": CAMPAIGN} | body)


def _assert_private_absent(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    for value in PRIVATE:
        assert value not in response.text


def _count_closed_events(amqp_url: str, queue_name: str, declare: bool) -> int:
    async def run() -> int:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, durable=False, auto_delete=False)
            if declare:
                exchange = await channel.get_exchange(EVENTS_EXCHANGE)
                await queue.bind(exchange, routing_key="consultation.closed.v1")
                return 0
            bodies = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                bodies.append(json.loads(message.body))
            await queue.delete(if_unused=False, if_empty=False)
            return len(bodies)

    return asyncio.run(run())


def test_a_draft_goes_from_writing_to_issue(system: System, tmp_path: Any) -> None:
    base = f"{system.url('consultation')}/v1"
    author = _token(system, "e2e-author", Role.AUTHOR, Role.APPROVER)
    approvers = [_token(system, f"e2e-approver-{n}", Role.APPROVER) for n in (1, 2)]
    created = _post(f"{base}/drafts", author, DRAFT)
    assert created.status_code == 201, created.text
    draft_id = created.json()["id"]
    drafts = f"{base}/drafts/{draft_id}"

    refused = _post(f"{drafts}/approve", author)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "self_approval"
    with ThreadPoolExecutor(2) as pool:
        raced = list(pool.map(lambda headers: _post(f"{drafts}/approve", headers), approvers))
    assert sorted(response.status_code for response in raced) == [200, 409]

    short = _post(f"{drafts}/open", approvers[0], {"days": 13})
    assert short.status_code == 422
    assert "14" in short.json()["detail"] and "۲۳:۵۹:۵۹" in short.json()["errors"][0]["msg_fa"]
    opened = _post(f"{drafts}/open", approvers[0], {"days": 14})
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "open"

    on_article = _comment(system, draft_id, 1, article_id="a-1", contact={"mobile": MOBILE})
    assert on_article.status_code == 201, on_article.text
    whole = _comment(
        system,
        draft_id,
        2,
        stance="for",
        text_fa="این پیش‌نویس در کل به نفع شهر است.",
        submitter={"type": "individual", "name": "مریم رضایی"},
        contact={"email": EMAIL},
    )
    assert whole.status_code == 201, whole.text
    copy = _comment(system, draft_id, 3, article_id="a-1", text_fa=CAMPAIGN + " لطفا تجدید نظر کنید")
    assert copy.json()["group_id"] == on_article.json()["group_id"] == on_article.json()["receipt"]
    unknown = _comment(system, draft_id, 3, article_id="a-9")
    assert unknown.status_code == 422

    listed = httpx.get(f"{base}/consultations", timeout=10)
    assert draft_id in [item["id"] for item in listed.json()["items"]]
    read = httpx.get(f"{base}/consultations/{draft_id}", timeout=10)
    counts = {a["id"]: a["comment_count"] for s in read.json()["sections"] for a in s["articles"]}
    assert counts == {"a-1": 2, "a-2": 0} and read.json()["whole_draft_comment_count"] == 1
    assert read.json()["closes_on_jalali"] and read.json()["accepting_comments"]
    for response in (
        listed,
        read,
        httpx.get(f"{base}/consultations/{draft_id}/comments", timeout=10),
        httpx.get(f"{base}/consultations/{draft_id}/comments", params={"article_id": "a-1"}, timeout=10),
    ):
        _assert_private_absent(response)

    target = whole.json()["receipt"]
    for client in (11, 12, 12, 13):
        assert _post(f"{base}/comments/{target}/report", _client(client)).status_code == 200
    public = httpx.get(f"{base}/consultations/{draft_id}/comments", timeout=10).json()["items"]
    assert target not in [item["receipt"] for item in public]
    moderator = system.staff(Role.MODERATOR)
    queue = httpx.get(
        f"{base}/moderation/comments", headers=moderator, params={"draft_id": draft_id}, timeout=10
    )
    assert [item["receipt"] for item in queue.json()["items"]] == [target]
    no_reason = _post(f"{base}/moderation/comments/{target}/restore", moderator, {"reason": ""})
    assert no_reason.status_code == 422
    restored = _post(f"{base}/moderation/comments/{target}/restore", moderator, {"reason": "توهین‌آمیز نیست"})
    assert restored.status_code == 200, restored.text
    public = httpx.get(f"{base}/consultations/{draft_id}/comments", timeout=10).json()["items"]
    assert target in [item["receipt"] for item in public]

    _close_with_two_processes(system, draft_id, tmp_path)
    _respond_and_issue(system, draft_id, author, approvers[0])


def _close_with_two_processes(system: System, draft_id: str, tmp_path: Any) -> None:
    base = f"{system.url('consultation')}/v1"
    admin = system.staff()
    queue_name = f"e2e.closed.{draft_id}"
    _count_closed_events(system.amqp_url, queue_name, declare=True)
    store_url = system.cluster.stores["consultation"].url
    with MongoClient(store_url, tz_aware=True) as client:
        past = datetime.now(UTC) - timedelta(seconds=1)
        client.get_default_database()["consultations"].update_one(
            {"_id": draft_id}, {"$set": {"windows.0.closes_at": past}}
        )
    late = _comment(system, draft_id, 4)
    assert late.status_code == 409, late.text
    assert late.json()["errors"][0]["code"] == "comment_window_closed"
    assert late.json()["errors"][0]["msg_fa"]

    port = free_port()
    env = system.cluster.service_env("consultation", store_url) | {
        "CONSULTATION_HTTP_PORT": str(port),
        "CONSULTATION_SCHEDULE_SCAN_SECONDS": "0.5",
    }
    second = ServiceProcess("consultation", port, env, tmp_path / "consultation-2.log")
    second.start()
    try:
        second.wait_ready()
        get = lambda: httpx.get(f"{base}/drafts/{draft_id}", headers=admin, timeout=10).json()  # noqa: E731
        eventually(lambda: get()["status"] == "closed", timeout=60)
        time.sleep(2)  # both watches have scanned again meanwhile
    finally:
        second.stop()
    audit = httpx.get(f"{base}/drafts/{draft_id}/audit", headers=admin, timeout=10).json()
    assert [entry["action"] for entry in audit["items"]].count("close") == 1
    assert audit["emitted"] == ["consultation.closed.v1:w1"]
    assert eventually(lambda: _count_closed_events(system.amqp_url, queue_name, declare=False) or None) == 1


def _respond_and_issue(
    system: System, draft_id: str, author: dict[str, str], approver: dict[str, str]
) -> None:
    drafts = f"{system.url('consultation')}/v1/drafts/{draft_id}"
    assert _post(f"{drafts}/revision", author).status_code == 200
    revised = DRAFT | {"note": "ساعت پایان به ۲۲ تغییر کرد"}
    revised["sections"] = [
        DRAFT["sections"][0]
        | {
            "articles": [
                {"id": "a-1", "number": 1, "text_fa": "بازارچه‌ها از ساعت ۱۶ تا ۲۲ فعال‌اند."},
                DRAFT["sections"][0]["articles"][1],
            ]
        }
    ]
    assert _post(f"{drafts}/versions", author, revised).status_code == 201
    diff = httpx.get(f"{drafts}/diff", params={"from": 1, "to": 2}, headers=author, timeout=10).json()
    assert [change["kind"] for change in diff["articles"]] == ["changed", "unchanged"]

    summary = {"summary_of_changes_fa": "ساعت پایان فعالیت یک ساعت زودتر شد."}
    early = _post(f"{drafts}/issue", approver, summary)
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "unanswered_comments"
    comments = httpx.get(f"{drafts}/comments", headers=author, timeout=10).json()
    groups = {item["group_id"] for item in comments["items"]}
    assert len(groups) == 2 and len(comments["unanswered"]) == 3
    for group in sorted(groups):
        answer = {"target": group, "decision": "partly_accepted", "text_fa": "ساعت پایان به ۲۲ کاهش یافت."}
        assert _post(f"{drafts}/responses", author, answer).status_code == 201
    issued = _post(f"{drafts}/issue", approver, summary)
    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "final" and issued.json()["final_version"] == 2
    with MongoClient(system.cluster.stores["consultation"].url) as client:
        kept = client.get_default_database()["comments"].count_documents(
            {"draft_id": draft_id, "contact": {"$ne": None}}
        )
    assert kept == 0, "commenters' contacts are erased once the final text is issued"

    report = httpx.get(f"{drafts}/report", headers=author, timeout=10).json()
    assert report["comment_count"] == 3
    by_article = {article["article_id"]: article for article in report["articles"]}
    assert by_article["a-1"]["stances"]["against"] == 2 and by_article["a-1"]["unanswered"] == 0
    assert by_article["a-1"]["change"]["kind"] == "changed"
    csv = httpx.get(f"{drafts}/report.csv", headers=author, timeout=10)
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith(b"\xef\xbb\xbf") and "ساعت پایان" in csv.text
