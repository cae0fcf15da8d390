"""A background job that keeps failing in a running service is named on /readyz and in /metrics,
and goes on: once the cause is gone it succeeds at its next tick and the service says so."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from support import System, eventually

pytestmark = pytest.mark.e2e


def _failing(system: System) -> dict[str, object]:
    response = httpx.get(f"{system.url('routing')}/readyz", timeout=5)
    assert response.status_code == 200, "a failing job does not take the service out of rotation"
    body: dict[str, object] = response.json()
    return body


def _metric(system: System, name: str, job: str) -> float:
    text = httpx.get(f"{system.url('routing')}/metrics", timeout=5).text
    found = re.search(rf'^{name}{{task="{job}"}} (\S+)$', text, re.MULTILINE)
    assert found, f"{name} for {job} not in /metrics"
    return float(found.group(1))


def test_a_failing_job_shows_on_readyz_and_metrics_and_recovers(system: System, tmp_path: Path) -> None:
    fault_file = tmp_path / "routing-jobs"
    fault_file.write_text("sla-watch\n")
    system.cluster.restart("routing", {"ROUTING_FAULT_JOB_FILE": str(fault_file)})
    try:
        degraded = eventually(lambda: (body := _failing(system))["status"] == "degraded" and body, timeout=30)
        failing = degraded["failing_jobs"]
        assert isinstance(failing, dict) and list(failing) == ["sla-watch"]
        assert "InjectedFault" in str(failing["sla-watch"]["last_error"])
        assert _metric(system, "pishkhan_job_failing", "sla-watch") == 1.0
        assert _metric(system, "pishkhan_job_failures_total", "sla-watch") >= 3
        assert _metric(system, "pishkhan_job_failing", "outbox-sweeper") == 0.0

        fault_file.write_text("")
        eventually(lambda: _failing(system)["status"] == "ready", timeout=30)
        assert _metric(system, "pishkhan_job_failing", "sla-watch") == 0.0
        assert _metric(system, "pishkhan_job_seconds_since_success", "sla-watch") < 10
    finally:
        system.cluster.restart("routing")
