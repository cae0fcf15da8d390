"""The broker goes away under a running system and comes back: services reconnect by themselves."""

from __future__ import annotations

import httpx
import pytest
from support import System, eventually, file_request, read_request

from pishkhan_local import rabbit
from pishkhan_local.cluster import SERVICES

pytestmark = pytest.mark.e2e


def test_services_reconnect_after_a_broker_restart(system: System) -> None:
    rabbit.stop_app()
    try:
        eventually(
            lambda: httpx.get(f"{system.url('intake')}/readyz", timeout=5).status_code == 503, timeout=30
        )
    finally:
        rabbit.start_app()
    for service in SERVICES:
        eventually(
            lambda s=service: httpx.get(f"{system.url(s)}/readyz", timeout=5).status_code == 200, timeout=60
        )

    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed", timeout=60)
