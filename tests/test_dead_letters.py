"""A message no handler can ever take ends in its consumer's dead-letter queue, with the reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from support import System, publish_event, take_dead_letter

from contracts import Envelope, RequestRoutedV1

pytestmark = pytest.mark.e2e


def test_a_handler_that_always_fails_dead_letters_after_the_limit(system: System) -> None:
    unknown = Envelope.wrap(
        RequestRoutedV1(
            request_id="no-such-request",
            tracking_code="999999999990",
            unit_id="d1-services",
            unit_name_fa="واحد",
            unit_name_en="unit",
            rule_id=None,
            routed_at=datetime.now(UTC),
        ),
        producer="routing",
        correlation_id="dead-letter-test",
    ).to_document()
    publish_event(system.amqp_url, unknown)

    message = take_dead_letter(system.amqp_url, "intake.request-routed.dlq", timeout=60)
    headers = message.headers
    assert "UnknownRequest" in str(headers["x-pishkhan-error"])
    assert headers["x-pishkhan-queue"] == "intake.request-routed"
    assert int(headers["x-pishkhan-attempts"]) == 5
    assert json.loads(message.body)["event_id"] == unknown["event_id"]


def test_a_message_that_is_not_an_event_is_dead_lettered_at_once(system: System) -> None:
    publish_event(system.amqp_url, {"type": "request.submitted.v1", "event_id": "not-a-uuid", "payload": {}})
    message = take_dead_letter(system.amqp_url, "routing.request-submitted.dlq", timeout=30)
    assert str(message.headers["x-pishkhan-error"]).startswith("invalid message")
    assert int(message.headers["x-pishkhan-attempts"]) == 1
