"""At-least-once on the wire, exactly-once in effect: repeats, crashes and restarts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from support import System, eventually, file_request, publish_event, read_request

from contracts import Envelope, RequestRoutedV1, RequestSubmittedV1

pytestmark = pytest.mark.e2e


def _statuses(system: System, tracking_code: str) -> list[str]:
    return [step["status"] for step in read_request(system, tracking_code)["timeline"]]


def test_the_same_event_delivered_twice_has_one_effect(system: System) -> None:
    filed = file_request(system)
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed")
    repeat = Envelope.wrap(
        RequestRoutedV1(
            request_id=str(filed["request_id"]),
            tracking_code=code,
            unit_id="d1-planning",
            unit_name_fa="معاونت شهرسازی منطقه یک",
            unit_name_en="District 1 urban planning",
            rule_id=None,
            routed_at=datetime.now(UTC),
        ),
        producer="routing",
        correlation_id="duplicate-test",
    ).to_document()
    publish_event(system.amqp_url, repeat, times=3)

    eventually(lambda: read_request(system, code)["unit_name_fa"] == "معاونت شهرسازی منطقه یک")
    timeline = read_request(system, code)["timeline"]
    assert [step["event_id"] for step in timeline].count(repeat["event_id"]) == 1

    def notified() -> list[dict[str, object]]:
        response = httpx.get(
            f"{system.url('notify')}/v1/notifications",
            headers=system.staff(),
            timeout=10,
            params={"request_id": filed["request_id"]},
        )
        return [n for n in response.json()["items"] if n["source_event_id"] == repeat["event_id"]]

    eventually(notified)
    assert len(notified()) == 1


def test_a_request_submitted_twice_opens_one_case(system: System) -> None:
    request_id = str(uuid.uuid4())
    submitted = RequestSubmittedV1.model_validate(
        RequestSubmittedV1.model_json_schema()["examples"][0]
        | {"request_id": request_id, "tracking_code": "100000000009"}
    )
    first = Envelope.wrap(submitted, producer="intake", correlation_id="dup").to_document()
    second = Envelope.wrap(submitted, producer="intake", correlation_id="dup").to_document()  # new event id
    publish_event(system.amqp_url, first, times=2)
    publish_event(system.amqp_url, second)

    def case() -> dict[str, object] | None:
        response = httpx.get(
            f"{system.url('routing')}/v1/cases/{request_id}", headers=system.staff(), timeout=10
        )
        return dict(response.json()) if response.status_code == 200 else None

    found = eventually(case)
    assert len(found["history"]) == 1


def test_routing_killed_while_a_request_is_in_flight_routes_it_exactly_once(system: System) -> None:
    routing = system.cluster.services["routing"]
    routing.kill()
    try:
        filed = file_request(system)
    finally:
        system.cluster.restart("routing")
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed", timeout=40)
    assert _statuses(system, code).count("routed") == 1


def test_intake_crashing_between_its_write_and_its_publish_still_announces_the_request(
    system: System,
) -> None:
    marker = uuid.uuid4().hex
    system.cluster.restart("intake", {"INTAKE_FAULT_CRASH_BEFORE_PUBLISH": "true"})
    with pytest.raises(httpx.HTTPError):
        file_request(system, marker)
    intake = system.cluster.services["intake"]
    assert intake.process is not None
    assert intake.process.wait(10) != 0
    system.cluster.restart("intake")

    def routed_case() -> list[dict[str, object]]:
        queue = httpx.get(
            f"{system.url('routing')}/v1/queue", headers=system.staff(), params={"limit": 500}, timeout=10
        ).json()
        return [case for case in queue if marker in str(case["description"])]

    cases = eventually(routed_case, timeout=40)
    assert len(cases) == 1
    code = str(cases[0]["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed")
    assert _statuses(system, code) == ["submitted", "routed"]
