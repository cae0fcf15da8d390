"""Degraded modes against real processes, on a system of their own (its own virtual host and
H2 stores), so a store can be stopped and the broker taken away without touching anyone else.

- Broker away: intake keeps accepting (the outbox holds the events), `/readyz` names the
  broker, and consumers reconnect by themselves: everything flows within 10 s of its return.
- A store away: its service answers 503 with Retry-After (never 500), nothing is half-stored,
  and a consumer holds its message until the store is back instead of dead-lettering it.
- SIGTERM: handlers in flight finish, publish and ack before the process exits.
"""

from __future__ import annotations

import secrets
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from support import System, citizen_request, eventually, file_request, read_request

from pishkhan_chaos import broker
from pishkhan_local import demo, rabbit
from pishkhan_local.cluster import SERVICES, Cluster

pytestmark = pytest.mark.e2e

AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672/"
SLOW_MARKER = f"slow-{uuid.uuid4().hex}"
SLOW_SECONDS = 4.0
RECONNECT_WITHIN = 10.0


@pytest.fixture(scope="module")
def degraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    vhost = f"pishkhan-degraded-{uuid.uuid4().hex[:8]}"
    rabbit.create_vhost(vhost)
    secret = secrets.token_urlsafe(40)
    work_dir = Path(tmp_path_factory.mktemp("degraded"))
    cluster = Cluster(
        amqp_url=rabbit.with_vhost(AMQP_BASE, vhost),
        jwt_secret=secret,
        work_dir=work_dir,
        persistent=True,  # H2: a stopped store keeps its data
        settings={
            "ROUTING_FAULT_SLOW_MARKER": SLOW_MARKER,
            "ROUTING_FAULT_SLOW_SECONDS": str(SLOW_SECONDS),
            "NOTIFY_QUIET_HOURS_START": "00:00",
            "NOTIFY_QUIET_HOURS_END": "00:00",
        },
    )
    try:
        cluster.start()
        api_key = demo.load_with_secret({s: cluster.url(s) for s in SERVICES}, secret)
        yield System(cluster, cluster.amqp_url, api_key, secret)
    finally:
        cluster.stop()
        rabbit.delete_vhost(vhost)  # its limits go with it
        for log in sorted((work_dir / "logs").glob("*.log")):
            print(f"--- {log.name} (tail)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))


def _vhost(system: System) -> str:
    return system.amqp_url.rsplit("/", 1)[-1]


def _readyz(system: System, service: str) -> httpx.Response:
    return httpx.get(f"{system.url(service)}/readyz", timeout=10)


def _documents(system: System, service: str, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    with MongoClient(system.cluster.stores[service].url, serverSelectionTimeoutMS=5000) as client:
        return list(client[service][collection].find(query))


def _statuses(system: System, code: str) -> list[str]:
    return [step["status"] for step in read_request(system, code)["timeline"]]


def _assert_store_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["title"] == "store_unavailable"


def test_with_the_broker_away_intake_accepts_and_everything_flows_once_it_returns(degraded: System) -> None:
    vhost = _vhost(degraded)
    broker.cut_vhost(vhost)
    try:
        for service in SERVICES:
            eventually(lambda s=service: _readyz(degraded, s).json()["down"] == ["broker"], timeout=10)
        started = time.monotonic()
        filed = [file_request(degraded) for _ in range(5)]
        assert time.monotonic() - started < 5, "filing must not wait for the broker"
        held = _documents(
            degraded, "intake", "requests", {"_id": {"$in": [f["tracking_code"] for f in filed]}}
        )
        assert [len(document["outbox"]) for document in held] == [1] * 5, "the outbox holds the events"
    finally:
        broker.restore_vhost(vhost)
    returned = time.monotonic()
    for service in SERVICES:
        eventually(lambda s=service: _readyz(degraded, s).status_code == 200, timeout=RECONNECT_WITHIN)
    for request in filed:
        code = str(request["tracking_code"])
        eventually(lambda c=code: read_request(degraded, c)["status"] == "routed", timeout=RECONNECT_WITHIN)
    assert time.monotonic() - returned < RECONNECT_WITHIN, "consumers reconnect and catch up within 10 s"
    for request in filed:
        assert _statuses(degraded, str(request["tracking_code"])) == ["submitted", "routed"]


def test_with_its_store_away_intake_answers_503_and_stores_nothing_half(degraded: System) -> None:
    store, key, marker = degraded.cluster.stores["intake"], str(uuid.uuid4()), uuid.uuid4().hex
    headers = degraded.office | {"Idempotency-Key": key}
    url = f"{degraded.url('intake')}/v1/requests"
    store.stop()  # SIGTERM
    try:
        started = time.monotonic()
        _assert_store_unavailable(httpx.post(url, json=citizen_request(marker), headers=headers, timeout=30))
        assert time.monotonic() - started < 10, "an outage answers quickly, it does not hang"
        _assert_store_unavailable(httpx.get(f"{url}/100000000009", headers=degraded.office, timeout=30))
        open311 = httpx.post(
            f"{degraded.url('intake')}/open311/v2/requests.json",
            data={"api_key": degraded.api_key, "service_code": "ARD-101", "lat": "38.25", "long": "48.29"},
            timeout=30,
        )
        _assert_store_unavailable(open311)
        ready = _readyz(degraded, "intake")
        assert ready.status_code == 503 and ready.json()["down"] == ["store"]
        assert _readyz(degraded, "routing").status_code == 200, "only intake is affected"
    finally:
        store.start()
    eventually(lambda: _readyz(degraded, "intake").status_code == 200, timeout=20)
    assert not _documents(degraded, "intake", "requests", {"idempotency_key": {"$regex": key}})
    retried = httpx.post(url, json=citizen_request(marker), headers=headers, timeout=30)
    assert retried.status_code == 201, retried.text
    again = httpx.post(url, json=citizen_request(marker), headers=headers, timeout=30)
    assert again.json()["tracking_code"] == retried.json()["tracking_code"]
    code = str(retried.json()["tracking_code"])
    eventually(lambda: read_request(degraded, code)["status"] == "routed", timeout=20)
    assert len(_documents(degraded, "intake", "requests", {"idempotency_key": {"$regex": key}})) == 1


def test_with_its_store_away_routing_holds_the_message_and_routes_it_once_back(degraded: System) -> None:
    store, log = degraded.cluster.stores["routing"], degraded.cluster.services["routing"].log_file
    seen = log.stat().st_size
    store.stop()
    try:
        filed = file_request(degraded)
        staff = degraded.staff()
        queue = httpx.get(f"{degraded.url('routing')}/v1/queue", headers=staff, timeout=30)
        _assert_store_unavailable(queue)
        time.sleep(8)  # a failing handler would have spent an attempt by now
    finally:
        store.start()
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(degraded, code)["status"] == "routed", timeout=20)
    assert _statuses(degraded, code) == ["submitted", "routed"]
    written = log.read_bytes()[seen:].decode(errors="replace")
    assert "store away while handling" in written, "the consumer held the message"
    assert "retrying" not in written and "dead-lettering" not in written, "and spent no attempt"
    depths = broker.queue_depths(_vhost(degraded))
    assert depths["routing.request-submitted.dlq"].total == 0, "a store outage is not a poison message"


def test_consultation_comments_with_the_store_away_are_503_and_none_half_stored(degraded: System) -> None:
    drafts = httpx.get(f"{degraded.url('consultation')}/v1/consultations", timeout=10).json()
    draft_id = drafts["items"][0]["id"]
    text = f"نظر آزمایشی درباره ساعت فعالیت {uuid.uuid4().hex}"
    url = f"{degraded.url('consultation')}/v1/consultations/{draft_id}/comments"
    store = degraded.cluster.stores["consultation"]
    store.stop()
    try:
        _assert_store_unavailable(httpx.post(url, json={"stance": "for", "text_fa": text}, timeout=30))
    finally:
        store.start()
    eventually(lambda: _readyz(degraded, "consultation").status_code == 200, timeout=20)
    assert not _documents(degraded, "consultation", "comments", {"text_fa": text})
    stored = httpx.post(url, json={"stance": "for", "text_fa": text}, timeout=30)
    assert stored.status_code == 201, stored.text
    assert len(_documents(degraded, "consultation", "comments", {"text_fa": text})) == 1


def test_sigterm_lets_a_handler_in_flight_finish_and_ack_before_exit(degraded: System) -> None:
    vhost, routing = _vhost(degraded), degraded.cluster.services["routing"]
    filed = file_request(degraded, SLOW_MARKER)  # routing sleeps on this one
    time.sleep(1.0)  # delivered by now, and still being handled
    assert not _documents(degraded, "routing", "cases", {"_id": filed["request_id"]}), "still in flight"
    assert routing.process is not None
    started = time.monotonic()
    routing.process.send_signal(signal.SIGTERM)
    # uvicorn re-raises the signal once its graceful shutdown is done
    assert routing.process.wait(30) in (0, -signal.SIGTERM)
    assert time.monotonic() - started >= SLOW_SECONDS / 2, "it waited for the handler"
    try:
        # acked: the queue is empty (a message left unacked would be back as ready)
        eventually(lambda: broker.queue_depths(vhost)["routing.request-submitted"].total == 0, timeout=10)
        assert _documents(degraded, "routing", "cases", {"_id": filed["request_id"]}), "the case was stored"
        code = str(filed["tracking_code"])
        eventually(lambda: read_request(degraded, code)["status"] == "routed", timeout=10)
    finally:
        routing.start()
        routing.wait_ready()
    assert _statuses(degraded, str(filed["tracking_code"])) == ["submitted", "routed"]
