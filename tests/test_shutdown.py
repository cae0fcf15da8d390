"""SIGTERM ends a service within its grace period whatever it is doing, and what it had not
finished goes back to the queue for the next process."""

from __future__ import annotations

import signal
import time
import uuid

import pytest
from support import System, eventually, file_request, read_request

from servicekit.bus import STOP_GRACE_SECONDS

pytestmark = pytest.mark.e2e

# Handlers in flight get STOP_GRACE_SECONDS (5); with nothing in flight over HTTP, the process is
# gone soon after. The service promises ten seconds; Kubernetes gives it thirty before SIGKILL.
STOPPED_WITHIN = STOP_GRACE_SECONDS + 3.0


def _sigterm_and_time(system: System, name: str) -> float:
    process = system.cluster.services[name].process
    assert process is not None and process.poll() is None
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return time.monotonic() - started


def test_a_stuck_handler_and_messages_in_flight_do_not_hold_up_sigterm(system: System) -> None:
    marker = f"stuck-{uuid.uuid4().hex}"
    # routing's handler sleeps a minute on these: as stuck as a handler gets
    system.cluster.restart(
        "routing", {"ROUTING_FAULT_SLOW_MARKER": marker, "ROUTING_FAULT_SLOW_SECONDS": "60"}
    )
    try:
        filed = [file_request(system, marker) for _ in range(5)]
        time.sleep(2.0)  # delivered to routing: one handler asleep, the others prefetched behind it
        assert all(read_request(system, str(f["tracking_code"]))["status"] == "submitted" for f in filed)
        took = _sigterm_and_time(system, "routing")
    finally:
        system.cluster.restart("routing")  # without the fault
    assert took <= STOPPED_WITHIN, f"routing took {took:.1f} s to stop"
    for request in filed:  # nothing was lost: the next routing process takes them all
        eventually(
            lambda r=request: read_request(system, str(r["tracking_code"]))["status"] == "routed", timeout=60
        )


def test_sigterm_on_an_idle_service_is_quick(system: System) -> None:
    try:
        took = _sigterm_and_time(system, "notify")
    finally:
        system.cluster.restart("notify")
    assert took <= 5.0, f"notify took {took:.1f} s to stop"
