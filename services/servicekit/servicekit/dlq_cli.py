"""Operators' tool for dead letters: `pishkhan-dlq list|show|replay|purge`.

- `list`: how many dead letters wait in each consumer's `.dlq`.
- `show QUEUE.dlq`: peek at them (reason, attempts, body) without removing any.
- `replay QUEUE.dlq [--id MESSAGE_ID …]`: send them (all, or the chosen ones) back to the
  consumer queue they failed in, and no other; consumers skip what they already handled.
- `purge QUEUE.dlq`: drop them, after confirmation (or `--yes`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from contracts.topology import QUEUES
from servicekit.bus import ATTEMPTS_HEADER, ERROR_HEADER, QUEUE_HEADER

DLQ_SUFFIX = ".dlq"


def _origin(dead_letter_queue: str, message: AbstractIncomingMessage) -> str:
    headers = message.headers or {}
    return str(headers.get(QUEUE_HEADER) or dead_letter_queue.removesuffix(DLQ_SUFFIX))


SHOWN_BYTES = 2000


def describe(message: AbstractIncomingMessage) -> dict[str, object]:
    """One dead letter for a person: why, where from, and its body as text when it is text
    (else base64), cut to `SHOWN_BYTES`."""
    headers = message.headers or {}
    row: dict[str, object] = {
        "message_id": message.message_id,
        "queue": headers.get(QUEUE_HEADER),
        "reason": str(headers.get(ERROR_HEADER, headers.get("x-first-death-reason", ""))),
        "attempts": headers.get(ATTEMPTS_HEADER),
        "content_type": message.content_type,
        "correlation_id": message.correlation_id,
        "size": len(message.body),
    }
    shown = message.body[:SHOWN_BYTES]
    try:
        row["body"] = shown.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(shown) - 3 or len(message.body) <= SHOWN_BYTES:
            row["body_base64"] = base64.b64encode(shown).decode("ascii")
        else:  # only the cut split a character
            row["body"] = shown[: error.start].decode("utf-8")
    row["truncated"] = len(message.body) > SHOWN_BYTES
    return row


async def _take_all(channel: AbstractChannel, name: str) -> list[AbstractIncomingMessage]:
    """Every message now waiting, held unacknowledged so none is seen twice."""
    queue = await channel.declare_queue(name, passive=True)
    held = []
    for _ in range(queue.declaration_result.message_count or 0):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        held.append(message)
    return held


async def settle(channel: AbstractChannel, name: str) -> None:
    """Return once the broker has applied the acks this channel sent on queue `name`.

    A quorum queue applies acks asynchronously, and a channel closed before it has hands the
    messages out again (a replayed dead letter would stay behind and be replayed twice). A
    `basic.get` on the same channel is applied after them; what it returns goes back.
    """
    queue = await channel.declare_queue(name, passive=True)
    barrier = await queue.get(no_ack=False, fail=False)
    if barrier is not None:
        await barrier.nack(requeue=True)


async def counts(connection: aio_pika.abc.AbstractConnection) -> list[tuple[str, int]]:
    channel = await connection.channel()
    rows = []
    for spec in QUEUES:
        queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
        rows.append((spec.dead_letter_queue, queue.declaration_result.message_count or 0))
    return rows


async def show(connection: aio_pika.abc.AbstractConnection, name: str, limit: int) -> list[dict[str, object]]:
    channel = await connection.channel()
    held = await _take_all(channel, name)
    try:
        return [describe(message) for message in held[:limit]]
    finally:
        for message in held:
            await message.nack(requeue=True)


async def replay(connection: aio_pika.abc.AbstractConnection, name: str, ids: Sequence[str] = ()) -> int:
    channel = await connection.channel(publisher_confirms=True)
    held = await _take_all(channel, name)
    replayed = 0
    for message in held:
        if ids and message.message_id not in ids:
            await message.nack(requeue=True)
            continue
        await channel.default_exchange.publish(
            aio_pika.Message(
                message.body,
                content_type=message.content_type or "application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
            ),
            routing_key=_origin(name, message),
        )
        await message.ack()
        replayed += 1
    await settle(channel, name)
    return replayed


async def purge(connection: aio_pika.abc.AbstractConnection, name: str) -> int:
    channel = await connection.channel()
    queue = await channel.declare_queue(name, passive=True)
    result = await queue.purge()
    return int(result.message_count or 0)


def _confirmed(name: str) -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input(f"Drop every dead letter in {name}? Type the queue name to confirm: ")
    return answer.strip() == name


async def _run(args: argparse.Namespace) -> int:
    connection = await aio_pika.connect(args.amqp_url)
    async with connection:
        if args.command == "list":
            for name, count in await counts(connection):
                print(f"{count:8d}  {name}")
        elif args.command == "show":
            for row in await show(connection, args.queue, args.limit):
                print(json.dumps(row, ensure_ascii=False, default=str))
        elif args.command == "replay":
            print(
                f"replayed {await replay(connection, args.queue, args.id or ())} message(s) from {args.queue}"
            )
        else:
            if not (args.yes or _confirmed(args.queue)):
                print("nothing purged (confirm interactively or pass --yes)", file=sys.stderr)
                return 1
            print(f"purged {await purge(connection, args.queue)} message(s) from {args.queue}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="dead letters waiting in each queue")
    peek = commands.add_parser("show", help="peek at a dead-letter queue")
    peek.add_argument("queue")
    peek.add_argument("--limit", type=int, default=20)
    back = commands.add_parser("replay", help="send dead letters back to the queue they failed in")
    back.add_argument("queue")
    back.add_argument("--id", action="append", help="only this message id (repeatable)")
    drop = commands.add_parser("purge", help="drop a dead-letter queue's messages")
    drop.add_argument("queue")
    drop.add_argument("--yes", action="store_true", help="do not ask")
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
