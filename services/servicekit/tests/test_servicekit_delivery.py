"""Whether a delivery is an event of its queue at all, and if not, why (the dead letter's reason).
The running system gets every kind of poison in tests/test_poison_messages.py."""

from __future__ import annotations

import json
import re

import pytest

from contracts import EVENT_TYPES, Envelope, RequestRoutedV1, envelope_of
from contracts.topology import queue
from servicekit.delivery import MAX_MESSAGE_BYTES, Unreadable, read_envelope

pytestmark = pytest.mark.unit

SPEC = queue("intake.request-routed")
MODEL = envelope_of(EVENT_TYPES[SPEC.event_type])


def _routed() -> bytes:
    payload = RequestRoutedV1.model_validate(RequestRoutedV1.model_json_schema()["examples"][0])
    return json.dumps(Envelope.wrap(payload, producer="routing", correlation_id="c-1").to_document()).encode()


def test_an_event_of_the_queue_is_read() -> None:
    envelope = read_envelope(SPEC, MODEL, _routed(), "application/json")
    assert envelope.type == "request.routed.v1"
    assert isinstance(envelope.payload, RequestRoutedV1)
    assert read_envelope(SPEC, MODEL, _routed(), "Application/JSON; charset=utf-8").type == SPEC.event_type


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "application/json", "empty body"),
        (b"{}", None, "content type None is not application/json"),
        (b"x" * (MAX_MESSAGE_BYTES + 1), "application/json", "over the"),
        (b"\xff\xfe", "application/json", "invalid message"),
        (b'{"broken": ', "application/json", "invalid message"),
        (b'{"hello": "x"}', "text/plain", "content type 'text/plain'"),
        (b"[1, 2]", "application/json", "invalid message"),
        (b'{"type": "request.unheard_of.v9"}', "application/json", "'request.unheard_of.v9' on the queue"),
    ],
)
def test_the_reason_names_what_is_wrong(body: bytes, content_type: str | None, reason: str) -> None:
    with pytest.raises(Unreadable, match=re.escape(reason)):
        read_envelope(SPEC, MODEL, body, content_type)


def test_a_valid_event_of_another_type_is_refused_by_type() -> None:
    other = json.loads(_routed()) | {"type": "request.status_changed.v1"}
    with pytest.raises(
        Unreadable, match=re.escape("'request.status_changed.v1' on the queue of request.routed.v1")
    ):
        read_envelope(SPEC, MODEL, json.dumps(other).encode(), "application/json")
