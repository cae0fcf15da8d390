"""Two replicas of a service against one store and one broker: every request still flows once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from support import System, citizen_request, eventually, publish_event, read_request

from contracts import Envelope, RequestStatus, RequestStatusChangedV1
from pishkhan_local.cluster import ServiceProcess, free_port

pytestmark = pytest.mark.e2e


def _second(system: System, service: str, tmp_path: Path) -> ServiceProcess:
    port = free_port()
    store_url = system.cluster.stores[service].url
    env = system.cluster.service_env(service, store_url) | {f"{service.upper()}_HTTP_PORT": str(port)}
    replica = ServiceProcess(service, port, env, tmp_path / f"{service}-2.log")
    replica.start()
    replica.wait_ready()
    return replica


def _one_erasure_by_two_retention_jobs(system: System, code: str, second: ServiceProcess) -> None:
    resolved = RequestStatusChangedV1(
        request_id=str(read_request(system, code)["request_id"]),
        tracking_code=code,
        status=RequestStatus.RESOLVED,
        previous_status=RequestStatus.ROUTED,
        changed_at=datetime.now(UTC) - timedelta(days=400),
    )
    publish_event(
        system.amqp_url, Envelope.wrap(resolved, producer="routing", correlation_id=code).to_document()
    )
    line = f"contact details erased for request {code}"
    logs = (system.cluster.work_dir / "logs" / "intake.log", second.log_file)
    eventually(lambda: any(line in log.read_text(errors="replace") for log in logs))
    time.sleep(2.5)  # both jobs have scanned again since
    assert sum(log.read_text(errors="replace").count(line) for log in logs) == 1


def test_two_intake_and_two_routing_replicas_route_every_request_exactly_once(
    system: System, tmp_path: Path
) -> None:
    intake_2 = _second(system, "intake", tmp_path)
    routing_2 = _second(system, "routing", tmp_path)
    try:
        urls = [system.url("intake"), intake_2.url]

        def file(index: int) -> str:
            response = httpx.post(
                f"{urls[index % 2]}/v1/requests", json=citizen_request(), headers=system.office, timeout=15
            )
            assert response.status_code == 201, response.text
            return str(response.json()["tracking_code"])

        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(file, range(20)))
        for code in codes:
            timeline = eventually(
                lambda code=code: (r := read_request(system, code))["status"] == "routed" and r["timeline"]
            )
            assert [step["status"] for step in timeline] == ["submitted", "routed"]
        time.sleep(2)  # a duplicate, had there been one, would have arrived by now
        for code in codes:
            assert [step["status"] for step in read_request(system, code)["timeline"]] == [
                "submitted",
                "routed",
            ]
        _one_erasure_by_two_retention_jobs(system, codes[0], intake_2)
    finally:
        intake_2.stop()
        routing_2.stop()
