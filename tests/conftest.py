"""The whole system for cross-service tests: real RabbitMQ (a fresh virtual host per run),
a real store process per service and the four services as real processes."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import System

from pishkhan_local import demo, rabbit
from pishkhan_local.cluster import SERVICES, Cluster

AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture(scope="session")
def vhost_url() -> Iterator[str]:
    name = f"pishkhan-test-{uuid.uuid4().hex[:8]}"
    rabbit.create_vhost(name)
    try:
        yield rabbit.with_vhost(AMQP_BASE, name)
    finally:
        rabbit.delete_vhost(name)


@pytest.fixture(scope="session")
def system(vhost_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    secret = secrets.token_urlsafe(40)
    work_dir = Path(tmp_path_factory.mktemp("system"))
    cluster = Cluster(
        amqp_url=vhost_url,
        jwt_secret=secret,
        work_dir=work_dir,
        settings={
            "ROUTING_ESCALATION_SCAN_SECONDS": "1",
            "INTAKE_RETENTION_SCAN_SECONDS": "1",
            "NOTIFY_RETENTION_SCAN_SECONDS": "1",
            "NOTIFY_CENSUS_SECONDS": "5",
            "NOTIFY_SUBSCRIBES_PER_MINUTE": "20",  # the abuse test sends more from one address
            "NOTIFY_NOT_YET_ATTEMPTS": "5",  # the dead-letter tool's test waits for one
            # the suite runs at any hour; tests of quiet hours set their own window
            "NOTIFY_QUIET_HOURS_START": "00:00",
            "NOTIFY_QUIET_HOURS_END": "00:00",
        },
    )
    try:
        cluster.start()
        api_key = demo.load_with_secret({s: cluster.url(s) for s in SERVICES}, secret)
        yield System(cluster, vhost_url, api_key, secret)
    finally:
        cluster.stop()
        for log in sorted((work_dir / "logs").glob("*.log")):
            print(f"--- {log.name} (tail)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
