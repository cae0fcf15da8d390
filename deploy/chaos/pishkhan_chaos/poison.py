"""Messages no consumer can take: every kind a broken or hostile publisher could send.

Each one must end in its queue's dead-letter queue with a reason, at once, and never hold
up the good events behind it. They are told apart by `message_id` (`<prefix>-<kind>-<n>`),
which the bus keeps on the dead letter, since some bodies cannot carry a marker.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from contracts.topology import EVENTS_EXCHANGE
from servicekit.dlq_cli import settle

OVERSIZED_BYTES = 300 * 1024  # over the bus's limit for one event
KINDS = (
    "not_json",
    "not_utf8",
    "not_an_envelope",
    "other_event_type",
    "wrong_content_type",
    "empty",
    "oversized",
)


@dataclass(frozen=True)
class Poison:
    kind: str
    message_id: str
    body: bytes
    content_type: str | None


def _envelope(event_type: str, marker: str) -> dict[str, object]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": "poison",
        "correlation_id": marker,
        "payload": {},
    }


def body_of(kind: str, event_type: str, marker: str) -> tuple[bytes, str | None]:
    """The body and content type of one poison message of `kind`, published as `event_type`."""
    json_type = "application/json"
    match kind:
        case "not_json":
            return b'{"broken": ', json_type
        case "not_utf8":
            return b'{"type": "\xff\xfe\xfa", "payload": "\xc3\x28"}', json_type
        case "not_an_envelope":
            return json.dumps({"hello": marker, "items": [1, 2, 3]}).encode(), json_type
        case "other_event_type":
            return json.dumps(_envelope("request.unheard_of.v9", marker)).encode(), json_type
        case "wrong_content_type":
            # a well-formed body, but the publisher says it is something else
            return json.dumps(_envelope(event_type, marker)).encode(), "text/plain"
        case "empty":
            return b"", json_type
        case "oversized":
            return b'{"padding": "' + b"x" * OVERSIZED_BYTES + b'"}', json_type
    raise ValueError(f"no poison of kind {kind!r}")


def batch(prefix: str, event_type: str, count: int) -> Iterator[Poison]:
    """`count` poison messages for one routing key, the kinds in turn."""
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        body, content_type = body_of(kind, event_type, prefix)
        yield Poison(kind, f"{prefix}-{kind}-{n}", body, content_type)


async def publish(
    amqp_url: str, event_type: str, poisons: list[Poison], confirmed: list[str] | None = None
) -> None:
    """Publish them to the events exchange under `event_type`, persistent and confirmed, in
    order; `confirmed` gets each message id as the broker confirms it (if the broker goes away
    midway, the ones before are in it, the one being sent may be)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for poison in poisons:
            message = aio_pika.Message(
                poison.body,
                content_type=poison.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=poison.message_id,
            )
            await exchange.publish(message, routing_key=event_type)
            if confirmed is not None:
                confirmed.append(poison.message_id)


async def take_dead_letters(
    amqp_url: str, dead_letter_queue: str, prefix: str
) -> list[AbstractIncomingMessage]:
    """Remove and return the dead letters whose message id starts with `prefix`; others stay."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(dead_letter_queue, passive=True)
        ours: list[AbstractIncomingMessage] = []
        others: list[AbstractIncomingMessage] = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            (ours if (message.message_id or "").startswith(prefix) else others).append(message)
        for message in ours:
            await message.ack()
        for message in others:
            await message.nack(requeue=True)
        await settle(channel, dead_letter_queue)
        return ours
