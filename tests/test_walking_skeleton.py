"""A request filed at intake is routed, the citizen is told, and intake's timeline shows it."""

from __future__ import annotations

import time

import httpx
from support import System, eventually, file_request, read_request

from contracts import RequestStatus
from servicekit.auth import Role

pytestmark = __import__("pytest").mark.e2e


def test_a_filed_request_is_routed_and_the_citizen_notified(system: System) -> None:
    filed = file_request(system)
    assert filed["status"] == "submitted"
    assert len(str(filed["tracking_code"])) == 12

    routed = eventually(
        lambda: (r := read_request(system, str(filed["tracking_code"])))["status"] == "routed" and r
    )
    assert routed["unit_name_fa"] == "معاونت خدمات شهری منطقه یک"
    assert [step["status"] for step in routed["timeline"]] == [RequestStatus.SUBMITTED, RequestStatus.ROUTED]

    case = httpx.get(
        f"{system.url('routing')}/v1/cases/{filed['request_id']}", headers=system.staff(), timeout=10
    )
    assert case.status_code == 200
    assert case.json()["unit_id"] == "d1-services"

    def notifications() -> list[dict[str, object]]:
        response = httpx.get(
            f"{system.url('notify')}/v1/notifications",
            params={"request_id": filed["request_id"]},
            headers=system.staff(),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return [n for n in response.json()["items"] if n["status"] == "delivered"]

    delivered = eventually(lambda: len(notifications()) >= 2 and notifications())
    assert {n["template"] for n in delivered} >= {"request.received", "request.routed"}
    assert all(n["recipient"] != "+989141234567" for n in delivered)

    office_view = eventually(
        lambda: len((r := read_request(system, str(filed["tracking_code"])))["notifications"]) >= 2 and r
    )
    assert {n["outcome"] for n in office_view["notifications"]} == {"delivered"}


def test_a_unit_works_the_case_and_intake_shows_each_step(system: System) -> None:
    filed = file_request(system, district="2")
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    clerk = system.staff(Role.CLERK, ["d2-services"])
    base = f"{system.url('routing')}/v1/cases/{filed['request_id']}"
    assert httpx.post(f"{base}/accept", headers=clerk, timeout=10).status_code == 200
    assert httpx.post(f"{base}/start", headers=clerk, timeout=10).status_code == 200
    resolved = httpx.post(f"{base}/resolve", json={"reason": "لامپ‌ها تعویض شد."}, headers=clerk, timeout=10)
    assert resolved.status_code == 200, resolved.text
    assert [step["action"] for step in resolved.json()["history"]] == ["route", "accept", "start", "resolve"]

    seen = eventually(
        lambda: (r := read_request(system, str(filed["tracking_code"])))["status"] == "resolved" and r
    )
    assert [step["status"] for step in seen["timeline"]] == [
        "submitted",
        "routed",
        "accepted",
        "in_progress",
        "resolved",
    ]
    assert seen["timeline"][-1]["note_fa"] == "به درخواست شما رسیدگی شد: لامپ‌ها تعویض شد."


def test_opening_a_consultation_reaches_notify_once_per_subscriber(system: System) -> None:
    admin = system.staff()

    def announced(delivered: bool = True) -> list[dict[str, object]]:
        """Announcements of an opened consultation (recorded ones too, when not `delivered`)."""
        response = httpx.get(
            f"{system.url('notify')}/v1/notifications", headers=admin, timeout=10, params={"limit": 200}
        )
        return [
            n
            for n in response.json()["items"]
            if n["template"] == "consultation.opened" and (n["status"] == "delivered" or not delivered)
        ]

    base = f"{system.url('consultation')}/v1/drafts"
    draft = httpx.post(
        base,
        headers=system.staff(Role.AUTHOR),
        timeout=10,
        json={
            "title_fa": "پیش‌نویس آیین‌نامه تابلوهای تبلیغاتی",
            "summary_fa": "ضوابط نصب تابلو در معابر",
            "authority_fa": "شهرداری اردبیل",
            "category": "سیما و منظر شهری",
            "sections": [
                {
                    "number": 1,
                    "articles": [{"id": "a-1", "number": 1, "text_fa": "نصب تابلو بدون مجوز ممنوع است."}],
                }
            ],
        },
    )
    assert draft.status_code == 201, draft.text
    # the demo draft's own announcement may still be on its way: it is not one of the new ones
    before = {str(n["notification_id"]) for n in announced(delivered=False)}
    approver = system.staff(Role.APPROVER)
    approved = httpx.post(f"{base}/{draft.json()['id']}/approve", headers=approver, timeout=10)
    assert approved.status_code == 200, approved.text
    opened = httpx.post(f"{base}/{draft.json()['id']}/open", headers=approver, json={"days": 14}, timeout=10)
    assert opened.status_code == 200, opened.text

    def new_ones() -> list[dict[str, object]]:
        return [n for n in announced() if str(n["notification_id"]) not in before]

    eventually(new_ones)
    time.sleep(2.5)  # let any duplicate delivery of the event arrive
    new = new_ones()
    subscribers = httpx.get(f"{system.url('notify')}/v1/subscriptions", headers=admin, timeout=10).json()[
        "items"
    ]
    # the demo's city-wide subscriber, and whoever else other tests confirmed: each once
    city_wide = [
        s for s in subscribers if s["status"] == "confirmed" and not s["categories"] and not s["districts"]
    ]
    by_sms = [s["mobile"] for s in city_wide if s["mobile"]]
    assert by_sms, "the demo subscriber is one"
    assert sorted(n["recipient"] for n in new if n["channel"] == "sms") == sorted(by_sms)
