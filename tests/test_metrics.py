"""Every service serves Prometheus metrics: HTTP, bus messages and the outbox backlog."""

from __future__ import annotations

import httpx
import pytest
from support import System, eventually, file_request, read_request

from pishkhan_local.cluster import SERVICES

pytestmark = pytest.mark.e2e


def _metrics(system: System, service: str) -> str:
    response = httpx.get(f"{system.url(service)}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_each_service_exposes_http_bus_and_outbox_metrics(system: System) -> None:
    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    for service in SERVICES:
        text = _metrics(system, service)
        assert "pishkhan_outbox_pending_events" in text
        assert "pishkhan_http_requests_total" in text
    intake = _metrics(system, "intake")
    assert 'pishkhan_http_requests_total{method="POST",route="/v1/requests",status="201"}' in intake
    routing = _metrics(system, "routing")
    assert (
        'pishkhan_received_processed_messages_total{app_name="routing",broker="rabbitmq",'
        'handler="pishkhan.events.request.submitted.v1",status="acked"}'
    ) in routing
