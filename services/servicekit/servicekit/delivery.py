"""What becomes of one delivery, decided without the broker: is it an event of its queue at
all (else it is dead-lettered at once, with the reason), and after a handler raised, is it
tried again (after how long) or dead-lettered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from contracts import Envelope, EventPayload
from contracts.topology import QueueSpec

# Attempts, and the back-off cap, for an event that arrived before the one it depends on:
# about a minute and a half in all, still below the backstop.
NOT_YET_ATTEMPTS = 15
NOT_YET_MAX_DELAY = 10.0
# Events are a few kilobytes; anything this large is not one of ours.
MAX_MESSAGE_BYTES = 256 * 1024
JSON_CONTENT_TYPE = "application/json"


class NotYet(Exception):
    """What this event needs has not arrived yet: events of different queues arrive in any
    order (a slow or restarted consumer, a redelivery). Raise it (or a subclass) from a
    handler to be retried with a longer back-off before the event is dead-lettered."""


class Unreadable(ValueError):
    """A message that is not an event of the queue it arrived on: dead-lettered at once."""


def read_envelope(
    spec: QueueSpec, model: type[Envelope[EventPayload]], body: bytes, content_type: str | None
) -> Envelope[EventPayload]:
    """The event in a delivery on `spec`'s queue, or `Unreadable` saying why it is none."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != JSON_CONTENT_TYPE:
        raise Unreadable(f"content type {content_type!r} is not {JSON_CONTENT_TYPE}")
    if not body:
        raise Unreadable("empty body")
    if len(body) > MAX_MESSAGE_BYTES:
        raise Unreadable(f"body of {len(body)} bytes is over the {MAX_MESSAGE_BYTES} an event may have")
    try:
        envelope = model.model_validate_json(body)
    except ValidationError as error:
        raise Unreadable(_foreign_type(spec, body) or f"invalid message: {error}") from error
    if envelope.type != spec.event_type:
        raise Unreadable(f"an event of type {envelope.type[:100]!r} on the queue of {spec.event_type}")
    return envelope


def _foreign_type(spec: QueueSpec, body: bytes) -> str | None:
    """The reason for an event of another type on this queue (not ours to parse), else None."""
    try:
        event_type = json.loads(body).get("type")
    except (ValueError, AttributeError):
        return None
    if not isinstance(event_type, str) or event_type == spec.event_type:
        return None
    return f"an event of type {event_type[:100]!r} on the queue of {spec.event_type}"


@dataclass(frozen=True)
class Retry:
    delay: float


@dataclass(frozen=True)
class DeadLetter:
    reason: str


def after_failure(
    attempt: int, limit: int, error: BaseException, not_yet_limit: int = NOT_YET_ATTEMPTS
) -> Retry | DeadLetter:
    """What to do with a message whose `attempt`-th handling (1-based) raised `error`."""
    not_yet = isinstance(error, NotYet)
    if attempt >= (max(limit, not_yet_limit) if not_yet else limit):
        return DeadLetter(f"{type(error).__name__}: {error}"[:1000])
    if not_yet:
        return Retry(delay=min(0.5 * 2 ** (attempt - 1), NOT_YET_MAX_DELAY))
    return Retry(delay=min(0.1 * 2 ** (attempt - 1), 2.0))


def attempt_of(headers: dict[str, Any]) -> int:
    """Quorum queues count earlier deliveries in `x-delivery-count`."""
    count = headers.get("x-delivery-count") or 0
    return int(count) + 1
