"""Degraded modes in the plumbing: a store away is a 503 with Retry-After, never a 500; a
consumer waits for its store instead of spending attempts; the relay never fails a write
that succeeded; readiness names what is down; faults are inert unless configured."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

import servicekit.bus as bus_module
from contracts import Envelope, RequestRoutedV1
from contracts.topology import queue
from intake.settings import IntakeSettings
from servicekit.app import new_app, setup_health
from servicekit.bus import BACKSTOP_DELIVERY_LIMIT, Bus
from servicekit.delivery import NOT_YET_ATTEMPTS, NOT_YET_MAX_DELAY, DeadLetter, NotYet, Retry, after_failure
from servicekit.errors import PROBLEM_JSON
from servicekit.faults import NO_FAULTS, Faults, InjectedFault
from servicekit.outbox import Outbox

MARKER = "chaos-marker-0123456789abcdef"


@pytest.fixture
def client(settings: IntakeSettings) -> TestClient:
    app: FastAPI = new_app("intake", settings, title="t", description="d")

    @app.get("/selection")
    async def selection() -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:1: connection refused")

    @app.post("/write")
    async def write() -> None:
        raise AutoReconnect("connection closed")

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("method", "path"), [("GET", "/selection"), ("POST", "/write")])
def test_a_store_away_is_503_with_retry_after(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["title"] == "store_unavailable"


class FakeStore:
    def __init__(self, up: bool) -> None:
        self.up = up

    async def ping(self) -> bool:
        return self.up


class FakeBus:
    def __init__(self, up: bool) -> None:
        self.up = up

    async def ready(self) -> bool:
        return self.up


@pytest.mark.parametrize(
    ("store", "broker", "down"), [(True, True, []), (True, False, ["broker"]), (False, True, ["store"])]
)
def test_readiness_names_what_is_down(
    settings: IntakeSettings, store: bool, broker: bool, down: list[str]
) -> None:
    app = new_app("intake", settings, title="t", description="d")
    app.state.store, app.state.bus = FakeStore(store), FakeBus(broker)
    setup_health(app)
    response = TestClient(app).get("/readyz")
    assert response.status_code == (503 if down else 200)
    assert response.json()["down"] == down
    assert response.json()["checks"] == {"store": store, "broker": broker}


class AwayCollection:
    async def find_one(self, *_: Any, **__: Any) -> None:
        raise ServerSelectionTimeoutError("store away")

    async def update_one(self, *_: Any, **__: Any) -> None:
        raise ServerSelectionTimeoutError("store away")


class AwayStore:
    def collection(self, _: str) -> AwayCollection:
        return AwayCollection()


async def test_the_relay_leaves_events_to_the_sweeper_when_the_store_is_away(
    settings: IntakeSettings,
) -> None:
    outbox = Outbox(AwayStore(), Bus(settings, "intake"), ["requests"], sweep_seconds=1)  # type: ignore[arg-type]
    # the write succeeded: the caller must not fail; its events stay staged, and the sweeper's
    # index finds them when the store is back (tests/test_outbox_sweep.py)
    await outbox.relay("requests", "r-1")


def _routed() -> Envelope[Any]:
    payload = RequestRoutedV1.model_validate(RequestRoutedV1.model_json_schema()["examples"][0])
    return Envelope.wrap(payload, producer="routing", correlation_id="c-1")


async def test_a_consumer_waits_for_its_store_without_spending_attempts(
    settings: IntakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus_module, "STORE_WAIT_SECONDS", 0.0)
    calls: list[int] = []

    async def handler(_: Envelope[Any]) -> None:
        calls.append(1)
        if len(calls) < 4:
            raise AutoReconnect("store restarting")

    bus = Bus(settings, "intake")
    await bus._handle_when_store_answers(queue("intake.request-routed"), handler, _routed())
    assert len(calls) == 4


async def test_a_stopping_consumer_gives_the_message_back(settings: IntakeSettings) -> None:
    async def handler(_: Envelope[Any]) -> None:
        raise AutoReconnect("store away")

    bus = Bus(settings, "intake")
    bus._stopping = True
    with pytest.raises(AutoReconnect):
        await bus._handle_when_store_answers(queue("intake.request-routed"), handler, _routed())


def test_faults_are_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not Faults.of("intake").active
    assert not NO_FAULTS.active
    monkeypatch.setenv("ROUTING_FAULT_POISON_MARKER", MARKER)
    assert not Faults.of("intake").active, "another service's variable must not count"
    assert Faults.of("routing").fault_poison_marker == MARKER


def test_a_short_marker_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_FAULT_CRASH_MARKER", "a")
    with pytest.raises(ValidationError, match="fault_crash_marker"):
        Faults.of("intake")


async def test_poison_raises_only_on_marked_messages() -> None:
    faults = Faults(fault_poison_marker=MARKER)
    await faults.before_handling(b'{"description": "an ordinary request"}')
    with pytest.raises(InjectedFault, match="poison"):
        await faults.before_handling(f'{{"description": "x {MARKER} y"}}'.encode())


def test_crash_marker_matches_only_its_own_events() -> None:
    faults = Faults(fault_crash_marker=MARKER)
    assert faults.crashes_on([{"payload": {"description": f"چراغ {MARKER}"}}])
    assert not faults.crashes_on([{"payload": {"description": "ordinary"}}])
    assert not faults.crashes_on(None)
    assert not NO_FAULTS.crashes_on([{"payload": {"description": MARKER}}])


def test_an_event_that_came_too_early_is_retried_longer_before_it_is_dead_lettered() -> None:
    class RecipientNotKnown(NotYet):
        pass

    limit = 5
    assert isinstance(after_failure(limit, limit, RuntimeError("bug")), DeadLetter)
    early = [
        after_failure(attempt, limit, RecipientNotKnown("r-1")) for attempt in range(1, NOT_YET_ATTEMPTS)
    ]
    assert all(isinstance(decision, Retry) for decision in early)
    waited = sum(decision.delay for decision in early if isinstance(decision, Retry))
    assert waited >= 60, "long enough for a slow or restarted consumer of the other queue"
    assert max(d.delay for d in early if isinstance(d, Retry)) <= NOT_YET_MAX_DELAY
    assert NOT_YET_ATTEMPTS < BACKSTOP_DELIVERY_LIMIT
    assert isinstance(after_failure(NOT_YET_ATTEMPTS, limit, RecipientNotKnown("r-1")), DeadLetter)
