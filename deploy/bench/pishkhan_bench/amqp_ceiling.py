"""Ceiling (b): raw aio-pika publish with confirm -> consume -> ack, on a quorum queue.

The consumer runs as its own process (`python -m pishkhan_bench.amqp_ceiling consume ...`),
as a service's consumer does; the publisher runs in the bench. Messages are persistent,
about the size of a `request.submitted.v1` envelope, through a topic exchange.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from typing import Any

import aio_pika

EXCHANGE = "bench.ceiling"
PAYLOAD = json.dumps({"payload": {"description": "درخواست آزمایشی " * 30}, "pad": "x" * 300}).encode()


async def declare(channel: aio_pika.abc.AbstractChannel, queue_name: str) -> aio_pika.abc.AbstractQueue:
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
    await queue.bind(exchange, routing_key=queue_name)
    return queue


async def consume(url: str, queue_name: str, count: int, prefetch: int) -> dict[str, Any]:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        queue = await declare(channel, queue_name)
        latencies: list[float] = []
        done = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            sent = float(str((message.headers or {}).get("t", "0")))
            await message.ack()
            latencies.append(time.time() - sent)
            if len(latencies) >= count:
                done.set()

        await queue.consume(on_message)
        print("ready", flush=True)
        await done.wait()
        return {"latencies": latencies, "last": time.time()}


async def publish(url: str, queue_name: str, count: int, window: int) -> dict[str, float]:
    """`window` publishers, each waiting for its confirm before the next message."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        numbers = iter(range(count))

        async def publisher() -> None:
            for _ in numbers:
                message = aio_pika.Message(
                    PAYLOAD,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    headers={"t": repr(time.time())},  # AMQP floats are 32-bit
                )
                await exchange.publish(message, routing_key=queue_name)

        began = time.time()
        await asyncio.gather(*(publisher() for _ in range(window)))
        return {"began": began, "published": time.time()}


def round_trip(url: str, queue_name: str, count: int, window: int, prefetch: int = 100) -> dict[str, Any]:
    """One measured run: start the consumer process, publish, collect what it saw."""
    consumer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pishkhan_bench.amqp_ceiling",
            "consume",
            url,
            queue_name,
            str(count),
            str(prefetch),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert consumer.stdout is not None
    if consumer.stdout.readline().strip() != "ready":
        consumer.kill()
        raise RuntimeError("the ceiling consumer did not start")
    sent = asyncio.run(publish(url, queue_name, count, window))
    seen = json.loads(consumer.stdout.read())
    consumer.wait(timeout=60)
    return {**sent, **seen}


def main() -> int:
    parser = argparse.ArgumentParser(prog="pishkhan_bench.amqp_ceiling", description=__doc__)
    parser.add_argument("role", choices=["consume"])
    parser.add_argument("url")
    parser.add_argument("queue")
    parser.add_argument("count", type=int)
    parser.add_argument("prefetch", type=int)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(consume(args.url, args.queue, args.count, args.prefetch))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
