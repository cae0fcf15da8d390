"""A corrected working calendar moves the deadlines of open cases everywhere they are shown: the
case, the work queue (order and the overdue filter) and the expected date offices and citizens
read at intake, against the running system."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jdatetime
import pytest
from pymongo import MongoClient
from support import System, eventually, file_request, read_request

from pishkhan_local.cluster import ServiceProcess, free_port
from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from servicekit.auth import Role

pytestmark = pytest.mark.e2e

TEHRAN = ZoneInfo("Asia/Tehran")
NOTE_FA = "مهلت رسیدگی با تقویم کاری اصلاح‌شده"


def _routed(system: System) -> dict[str, Any]:
    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["expected_at"])
    return filed


def _case(system: System, request_id: object) -> dict[str, Any]:
    response = httpx.get(f"{system.url('routing')}/v1/cases/{request_id}", headers=system.staff(), timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _queue(system: System, **params: object) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{system.url('routing')}/v1/queue",
        headers=system.staff(Role.SUPERVISOR, ["d1-services"]),
        params={"service_code": "ARD-101", "page_size": 500, **params},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def _moment(text: object) -> datetime:
    return datetime.fromisoformat(str(text))


def _put_calendar(system: System, calendar: dict[str, Any], routing: str | None = None) -> dict[str, Any]:
    response = httpx.put(
        f"{routing or system.url('routing')}/v1/calendars/{calendar['calendar_id']}",
        headers=system.staff(Role.ADMIN),
        json=calendar,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def default_calendar(system: System) -> Iterator[dict[str, Any]]:
    """The default calendar as stored, put back as it was after the test."""
    calendars = httpx.get(f"{system.url('routing')}/v1/calendars", headers=system.staff(), timeout=10).json()
    (calendar,) = [c for c in calendars if c["calendar_id"] == "default"]
    yield calendar
    _put_calendar(system, calendar)


def _with_holiday_on(calendar: dict[str, Any], moment: datetime) -> dict[str, Any]:
    day = jdatetime.date.fromgregorian(date=moment.astimezone(TEHRAN).date())
    holiday = {"date": f"{day.year:04d}/{day.month:02d}/{day.day:02d}", "name_fa": "تعطیل به اعلام استانداری"}
    return calendar | {"holidays": [*calendar["holidays"], holiday]}


def _within_a_millisecond(text: object, moment: datetime) -> bool:
    return bool(text) and abs(_moment(text) - moment) < timedelta(milliseconds=1)


def test_a_holiday_on_the_deadline_day_moves_the_deadline_in_routing_and_at_intake(
    system: System, default_calendar: dict[str, Any]
) -> None:
    moved, stale = _routed(system), _routed(system)
    case = _case(system, moved["request_id"])
    assert case["calendar_id"] == "default"
    due = _moment(case["due_at"])
    timeline_before = read_request(system, str(moved["tracking_code"]))["timeline"]
    # A deadline computed before a correction and left behind (what happened before deadlines
    # were recomputed): stored in the past, so the queue calls the case overdue and puts it first.
    with MongoClient(system.cluster.stores["routing"].url, tz_aware=True) as client:
        client.get_default_database()["cases"].update_one(
            {"_id": stale["request_id"]}, {"$set": {"due_at": datetime(1990, 1, 1, tzinfo=UTC)}}
        )
    assert stale["request_id"] in [c["_id"] for c in _queue(system, overdue="true")]
    assert _queue(system)[0]["_id"] == stale["request_id"]

    saved = _put_calendar(system, _with_holiday_on(default_calendar, due))
    clock = sla.SlaClock.model_validate(case["sla"])
    expected = sla.deadline(clock, WorkingCalendar.model_validate(saved))
    assert expected is not None and expected > due

    def recomputed() -> dict[str, Any] | None:
        now = _case(system, moved["request_id"])
        return now if _within_a_millisecond(now["due_at"], expected) else None

    after = eventually(recomputed, timeout=15)
    entry = after["history"][-1]
    assert entry["action"] == "deadline_recomputed" and NOTE_FA in entry["reason"]

    # the stale case got its deadline from its own clock: no longer overdue, and after the other
    # (filed before it) in the queue
    def fixed() -> dict[str, Any] | None:
        now = _case(system, stale["request_id"])
        return now if _moment(now["due_at"]) > datetime.now(UTC) else None

    fresh = eventually(fixed, timeout=15)
    assert stale["request_id"] not in [c["_id"] for c in _queue(system, overdue="true")]
    queue = _queue(system)
    order = [c["_id"] for c in queue]
    assert order.index(moved["request_id"]) < order.index(stale["request_id"])
    assert _moment(queue[order.index(moved["request_id"])]["due_at"]) == _moment(after["due_at"])
    assert _moment(queue[order.index(stale["request_id"])]["due_at"]) == _moment(fresh["due_at"])

    # intake shows offices and citizens the new date, with no step in the timeline
    seen = eventually(
        lambda: (
            _within_a_millisecond(
                (r := read_request(system, str(moved["tracking_code"])))["expected_at"], expected
            )
            and r
        ),
        timeout=15,
    )
    assert seen["timeline"] == timeline_before


def test_two_routing_processes_saving_a_calendar_at_once_move_each_deadline_once(
    system: System, default_calendar: dict[str, Any], tmp_path: Path
) -> None:
    filed = _routed(system)
    case = _case(system, filed["request_id"])
    corrected = _with_holiday_on(default_calendar, _moment(case["due_at"]))
    store_url = system.cluster.stores["routing"].url
    port = free_port()
    env = system.cluster.service_env("routing", store_url) | {"ROUTING_HTTP_PORT": str(port)}
    second = ServiceProcess("routing", port, env, tmp_path / "routing-2.log")
    second.start()
    try:
        second.wait_ready()
        with ThreadPoolExecutor(2) as pool:
            saved = list(
                pool.map(
                    lambda url: _put_calendar(system, corrected, url),
                    [system.url("routing"), f"http://127.0.0.1:{port}"],
                )
            )
        expected = sla.deadline(
            sla.SlaClock.model_validate(case["sla"]), WorkingCalendar.model_validate(saved[0])
        )
        assert expected is not None

        def both_recomputed() -> bool:
            with MongoClient(store_url, tz_aware=True) as client:
                stored = client.get_default_database()["calendars"].find_one({"_id": "default"})
            return bool(stored) and stored["recomputed"] == stored["revision"] and not stored["lease_until"]

        eventually(both_recomputed, timeout=30)
    finally:
        second.stop()
    after = _case(system, filed["request_id"])
    assert _within_a_millisecond(after["due_at"], expected)
    assert [entry["action"] for entry in after["history"]].count("deadline_recomputed") == 1
    eventually(
        lambda: _within_a_millisecond(
            read_request(system, str(filed["tracking_code"]))["expected_at"], expected
        )
    )
