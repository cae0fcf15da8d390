from __future__ import annotations

from typing import Any

import pytest

from contracts.topology import DEAD_LETTER_EXCHANGE, QUEUES, queues_of
from intake.settings import IntakeSettings
from servicekit.bus import Bus, consumer_queue
from servicekit.delivery import DeadLetter, Retry, after_failure, attempt_of


async def ignore(_: Any) -> None:
    return None


def test_retries_with_a_growing_capped_delay_before_the_limit() -> None:
    limit = 12
    decisions = [after_failure(attempt, limit, RuntimeError("boom")) for attempt in range(1, limit)]
    assert all(isinstance(decision, Retry) for decision in decisions)
    delays = [decision.delay for decision in decisions if isinstance(decision, Retry)]
    assert all(delay > 0 for delay in delays)
    assert delays == sorted(delays)
    assert delays[1] > delays[0]
    assert delays[-1] == delays[-2], "the back-off must stop growing at its cap"
    assert max(delays) <= 2.0


def test_dead_letters_at_the_limit_with_type_and_message() -> None:
    decision = after_failure(5, 5, KeyError("unit-7"))
    assert isinstance(decision, DeadLetter)
    assert decision.reason.startswith("KeyError")
    assert "unit-7" in decision.reason
    assert isinstance(after_failure(6, 5, ValueError("late")), DeadLetter)


def test_dead_letter_reason_is_truncated() -> None:
    decision = after_failure(3, 3, ValueError("x" * 5000))
    assert isinstance(decision, DeadLetter)
    assert len(decision.reason) == 1000
    assert decision.reason.startswith("ValueError")


def test_attempt_counts_earlier_deliveries() -> None:
    assert attempt_of({}) == 1
    assert attempt_of({"x-delivery-count": 2}) == 3


@pytest.mark.parametrize("spec", QUEUES, ids=lambda spec: spec.name)
def test_consumer_queue_is_quorum_and_dead_letters_to_its_own_dlq(spec: Any) -> None:
    declared = consumer_queue(spec)
    assert declared.name == spec.name
    assert declared.durable
    arguments = declared.arguments
    assert arguments["x-queue-type"] == "quorum"
    assert isinstance(arguments["x-delivery-limit"], int) and arguments["x-delivery-limit"] > 0
    assert arguments["x-dead-letter-exchange"] == DEAD_LETTER_EXCHANGE
    assert arguments["x-dead-letter-routing-key"] == spec.name


def test_consume_refuses_a_queue_of_another_service(settings: IntakeSettings) -> None:
    bus = Bus(settings, "intake")
    foreign = next(spec for spec in QUEUES if spec.service != "intake")
    with pytest.raises(ValueError, match=foreign.service):
        bus.consume(foreign.name, ignore)
    assert bus.consumed == {}


def test_consume_refuses_an_unknown_queue(settings: IntakeSettings) -> None:
    bus = Bus(settings, "intake")
    with pytest.raises(KeyError):
        bus.consume("intake.no-such-queue", ignore)


def test_topology_check_needs_a_handler_for_every_queue_of_the_service(settings: IntakeSettings) -> None:
    bus = Bus(settings, "intake")
    own = queues_of("intake")
    assert len(own) >= 2
    for spec in own[:-1]:
        bus.consume(spec.name, ignore)
    with pytest.raises(RuntimeError, match=own[-1].name):
        bus.check_consumes_its_topology()
    bus.consume(own[-1].name, ignore)
    bus.check_consumes_its_topology()
    assert set(bus.consumed) == {spec.name for spec in own}
