"""Inspect and replay dead letters: `pishkhan-dlq list|show QUEUE|replay QUEUE`.

`show` peeks without removing; `replay` republishes each dead letter to the events
exchange under its event type (consumers deduplicate by event id) and removes it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

import aio_pika

from contracts.topology import EVENTS_EXCHANGE, QUEUES
from servicekit.bus import ATTEMPTS_HEADER, ERROR_HEADER


async def _counts(connection: aio_pika.abc.AbstractConnection) -> list[tuple[str, int]]:
    channel = await connection.channel()
    rows = []
    for spec in QUEUES:
        queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
        rows.append((spec.dead_letter_queue, queue.declaration_result.message_count or 0))
    return rows


async def _show(connection: aio_pika.abc.AbstractConnection, name: str, limit: int) -> None:
    channel = await connection.channel()
    queue = await channel.declare_queue(name, passive=True)
    held = []
    for _ in range(limit):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        held.append(message)
        headers = message.headers or {}
        print(
            json.dumps(
                {
                    "message_id": message.message_id,
                    "reason": str(headers.get(ERROR_HEADER, headers.get("x-first-death-reason", ""))),
                    "attempts": headers.get(ATTEMPTS_HEADER),
                    "body": message.body.decode(errors="replace")[:500],
                },
                ensure_ascii=False,
                default=str,
            )
        )
    for message in held:
        await message.nack(requeue=True)


async def _replay(connection: aio_pika.abc.AbstractConnection, name: str) -> int:
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(name, passive=True)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE)
    replayed = 0
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        try:
            event_type = json.loads(message.body)["type"]
        except (ValueError, KeyError, TypeError):
            await message.nack(requeue=True)
            print(f"left {message.message_id}: not an event envelope", file=sys.stderr)
            break
        await exchange.publish(
            aio_pika.Message(
                message.body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
            ),
            routing_key=event_type,
        )
        await message.ack()
        replayed += 1
    return replayed


async def _run(args: argparse.Namespace) -> int:
    connection = await aio_pika.connect(args.amqp_url)
    async with connection:
        if args.command == "list":
            for name, count in await _counts(connection):
                print(f"{count:8d}  {name}")
        elif args.command == "show":
            await _show(connection, args.queue, args.limit)
        else:
            print(f"replayed {await _replay(connection, args.queue)} message(s) from {args.queue}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="dead letters waiting in each queue")
    show = commands.add_parser("show", help="peek at a dead-letter queue")
    show.add_argument("queue")
    show.add_argument("--limit", type=int, default=20)
    replay = commands.add_parser("replay", help="send a dead-letter queue's messages back")
    replay.add_argument("queue")
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
