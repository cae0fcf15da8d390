"""Unit staff work their queue against the running system: races, referrals, pauses, escalation."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from support import System, eventually, file_request, read_request

from pishkhan_local.cluster import ServiceProcess, free_port
from servicekit.auth import Role

pytestmark = pytest.mark.e2e


def _routed(system: System, **overrides: object) -> dict[str, Any]:
    filed = file_request(system, **overrides)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    return filed


def _step(
    system: System, request_id: object, action: str, headers: dict[str, str], **body: object
) -> httpx.Response:
    return httpx.post(
        f"{system.url('routing')}/v1/cases/{request_id}/{action}",
        json=body or None,
        headers=headers,
        timeout=10,
    )


def _case(system: System, request_id: object) -> dict[str, Any]:
    response = httpx.get(f"{system.url('routing')}/v1/cases/{request_id}", headers=system.staff(), timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_two_clerks_accepting_at_once_one_wins_the_other_gets_409(system: System) -> None:
    filed = _routed(system)
    clerks = [system.staff(Role.CLERK, ["d1-services"]) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        answers = sorted(
            pool.map(lambda h: _step(system, filed["request_id"], "accept", h), clerks),
            key=lambda r: r.status_code,
        )
    assert [answer.status_code for answer in answers] == [200, 409]
    # the loser read the case before or after the winner's step, and is told so in Persian
    assert answers[1].json()["msg_fa"] in (
        "این درخواست قبلاً پذیرفته شده است",
        "این درخواست همین حالا توسط همکار دیگری تغییر کرد؛ صفحه را تازه کنید و دوباره تلاش کنید",
    )
    history = _case(system, filed["request_id"])["history"]
    assert [entry["action"] for entry in history] == ["route", "accept"]


def test_a_clerk_of_another_unit_sees_nothing_and_backward_steps_are_refused(system: System) -> None:
    filed = _routed(system)
    outsider = system.staff(Role.CLERK, ["d2-services"])
    unseen = _step(system, filed["request_id"], "accept", outsider)
    assert unseen.status_code == 404
    assert unseen.json()["msg_fa"] == "این درخواست در واحدهای شما پیدا نشد"
    clerk = system.staff(Role.CLERK, ["d1-services"])
    early = _step(system, filed["request_id"], "start", clerk)
    assert early.status_code == 409  # not accepted yet
    assert early.json()["msg_fa"] == "نخست این درخواست را بپذیرید"
    assert _step(system, filed["request_id"], "resolve", clerk).status_code == 409
    assert _step(system, filed["request_id"], "accept", clerk).status_code == 200
    again = _step(system, filed["request_id"], "accept", clerk)
    assert again.status_code == 409
    assert again.json()["msg_fa"] == "این درخواست قبلاً پذیرفته شده است"
    silent = _step(system, filed["request_id"], "resolve", clerk)
    assert silent.status_code == 422  # needs a note
    assert silent.json()["msg_fa"] == "نتیجه رسیدگی را بنویسید؛ شهروند آن را می‌خواند"


def test_not_ours_sends_the_case_to_triage_and_the_citizen_sees_the_referral(system: System) -> None:
    filed = _routed(system)
    clerk = system.staff(Role.CLERK, ["d1-services"])
    referred = _step(system, filed["request_id"], "not_ours", clerk, reason="مربوط به شهرسازی است")
    assert referred.status_code == 200, referred.text
    assert referred.json()["unit_id"] == "triage"
    seen = eventually(
        lambda: (
            (r := read_request(system, str(filed["tracking_code"])))["unit_name_fa"]
            != "معاونت خدمات شهری منطقه یک"
            and r
        ),
        timeout=40,
    )
    assert seen["unit_name_fa"] == "میز بررسی و ارجاع سامانه ۱۳۷"
    assert _step(system, filed["request_id"], "accept", clerk).status_code == 404  # no longer theirs

    supervisor = system.staff(Role.SUPERVISOR, ["triage", "d1-planning"])
    assert (
        _step(system, filed["request_id"], "reassign", clerk, reason="x", unit_id="d1-planning").status_code
        == 404
    )
    moved = _step(
        system,
        filed["request_id"],
        "reassign",
        supervisor,
        reason="به شهرسازی",
        unit_id="d1-planning",
        keep_clock=False,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["unit_id"] == "d1-planning"
    restarted = datetime.fromisoformat(moved.json()["sla"]["started_at"])
    assert restarted > datetime.fromisoformat(_case(system, filed["request_id"])["received_at"])


def test_asking_the_citizen_pauses_the_clock_and_the_answer_resumes_it(system: System) -> None:
    filed = _routed(system)
    clerk = system.staff(Role.CLERK, ["d1-services"])
    due_before = _case(system, filed["request_id"])["due_at"]
    assert due_before is not None
    assert _step(system, filed["request_id"], "accept", clerk).status_code == 200
    paused = _step(system, filed["request_id"], "ask_citizen", clerk, reason="پلاک دقیق محل را اعلام کنید")
    assert paused.status_code == 200
    assert paused.json()["due_at"] is None
    assert paused.json()["sla"]["paused_at"] is not None
    resumed = _step(system, filed["request_id"], "citizen_replied", clerk)
    assert resumed.status_code == 200
    assert resumed.json()["due_at"] >= due_before
    timeline = eventually(
        lambda: (
            (r := read_request(system, str(filed["tracking_code"])))["status"] == "in_progress"
            and r["timeline"]
        )
    )
    assert "پلاک دقیق محل را اعلام کنید" in timeline[-2]["note_fa"]


def test_preview_finds_the_district_from_the_location(system: System) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[48.30, 38.20], [48.40, 38.20], [48.40, 38.30], [48.30, 38.30], [48.30, 38.20]]],
    }
    put = httpx.put(
        f"{system.url('routing')}/v1/districts/3",
        headers=system.staff(),
        timeout=10,
        json={"district": "3", "name_fa": "منطقه سه", "boundary": square},
    )
    assert put.status_code == 200, put.text
    inside = httpx.get(
        f"{system.url('routing')}/v1/routing/preview",
        headers=system.staff(),
        timeout=10,
        params={"service_code": "ARD-201", "lat": 38.25, "long": 48.35},
    ).json()
    assert inside["district"] == "3"
    assert inside["district_found_by_location"] is True
    assert inside["unit"]["unit_id"] == "d3-planning"
    assert "d3-ARD-201" in inside["reason"]
    outside = httpx.get(
        f"{system.url('routing')}/v1/routing/preview",
        headers=system.staff(),
        timeout=10,
        params={"service_code": "ARD-201", "lat": 10.0, "long": 10.0},
    ).json()
    assert outside["unit"]["unit_id"] == "triage"
    bad = httpx.put(
        f"{system.url('routing')}/v1/districts/4",
        headers=system.staff(),
        timeout=10,
        json={"district": "4", "name_fa": "منطقه چهار", "boundary": {"type": "Point", "coordinates": [1, 2]}},
    )
    assert bad.status_code == 422


def test_escalation_fires_once_with_two_routing_processes(system: System, tmp_path: Any) -> None:
    filed = _routed(system)
    store_url = system.cluster.stores["routing"].url
    with MongoClient(store_url, tz_aware=True) as client:
        # as if the case had been routed 40 days ago: clock and deadline both in the past
        long_ago = datetime.now(UTC) - timedelta(days=40)
        client.get_default_database()["cases"].update_one(
            {"_id": filed["request_id"]},
            {
                "$set": {
                    "sla.started_at": long_ago.isoformat(),
                    "due_at": long_ago + timedelta(days=14),
                    "watch_at": long_ago,
                }
            },
        )
    port = free_port()
    env = system.cluster.service_env("routing", store_url) | {"ROUTING_HTTP_PORT": str(port)}
    second = ServiceProcess("routing", port, env, tmp_path / "routing-2.log")
    second.start()
    try:
        second.wait_ready()

        def escalated() -> dict[str, Any] | None:
            case = _case(system, filed["request_id"])
            return case if case.get("escalation_level", 0) > 0 else None

        case = eventually(escalated, timeout=30)
        assert case["escalated_to"] == "municipality"
        timeline = eventually(
            lambda: [
                s
                for s in read_request(system, str(filed["tracking_code"]))["timeline"]
                if s.get("kind") == "escalation"
            ]
        )
        time.sleep(3)  # both watches have scanned again meanwhile
    finally:
        second.stop()
    history = _case(system, filed["request_id"])["history"]
    assert [entry["action"] for entry in history].count("escalate") == 1
    timeline = [
        s
        for s in read_request(system, str(filed["tracking_code"]))["timeline"]
        if s.get("kind") == "escalation"
    ]
    assert len(timeline) == 1
    assert "شهرداری اردبیل" in timeline[0]["note_fa"]
    supervisor = system.staff(Role.SUPERVISOR, ["municipality"])
    queue = httpx.get(
        f"{system.url('routing')}/v1/queue", headers=supervisor, timeout=10, params={"overdue": "true"}
    ).json()
    assert filed["request_id"] in [c["_id"] for c in queue]


def test_statistics_for_the_service_level_statement(system: System) -> None:
    filed = _routed(system)
    clerk = system.staff(Role.CLERK, ["d1-services"])
    for action, body in (("accept", {}), ("resolve", {"reason": "انجام شد"})):
        assert _step(system, filed["request_id"], action, clerk, **body).status_code == 200
    today = date.today()
    figures = httpx.get(
        f"{system.url('routing')}/v1/statistics",
        headers=system.staff(),
        timeout=10,
        params={"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()},
    ).json()
    row = next(r for r in figures if r["unit_id"] == "d1-services" and r["service_code"] == "ARD-101")
    assert row["received"] >= row["resolved"] >= 1
    assert row["resolved_within_sla_percent"] is not None
    assert row["median_hours_to_resolve"] is not None


def test_a_saved_calendar_has_its_open_cases_watched_again(system: System) -> None:
    """The watch looks at a case only from its stored `watch_at`; a new calendar can move that
    moment earlier, so saving one has the watch recompute it for every open case it governs."""
    filed = _routed(system)
    case = _case(system, filed["request_id"])
    assert case["watch_at"] is not None and not case.get("escalation_level")
    with MongoClient(system.cluster.stores["routing"].url, tz_aware=True) as client:
        # the clock as if started 40 days ago, the stored watch left in the future: not yet looked at
        long_ago = datetime.now(UTC) - timedelta(days=40)
        client.get_default_database()["cases"].update_one(
            {"_id": filed["request_id"]}, {"$set": {"sla.started_at": long_ago.isoformat()}}
        )
    time.sleep(2.5)  # two scans of the watch
    assert not _case(system, filed["request_id"]).get("escalation_level")

    admin = system.staff(Role.ADMIN)
    calendars = httpx.get(f"{system.url('routing')}/v1/calendars", headers=admin, timeout=10).json()
    (calendar,) = [c for c in calendars if c["calendar_id"] == case["calendar_id"]]
    saved = httpx.put(
        f"{system.url('routing')}/v1/calendars/{calendar['calendar_id']}",
        headers=admin,
        json=calendar,
        timeout=10,
    )
    assert saved.status_code == 200, saved.text
    escalated = eventually(lambda: (c := _case(system, filed["request_id"])).get("escalation_level") and c)
    assert datetime.fromisoformat(escalated["watch_at"]) > datetime.now(UTC)  # the next level's moment
