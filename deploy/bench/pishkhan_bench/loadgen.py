"""The load generator, run as its own process: `python -m pishkhan_bench.loadgen ...`.

Closed loop (`--count` requests by `--concurrency` workers) or open loop (`--rate` per
second for `--duration` seconds, at most `--max-in-flight` at once). Every request is
written to `--out` as one row: start (epoch s), end (epoch s), latency (s), HTTP status,
tracking code and request id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LOCATED = ("ARD-101", "ARD-102", "ARD-103", "ARD-104", "ARD-105")
UNLOCATED = ("ARD-201", "ARD-202", "ARD-301", "ARD-401")
Row = tuple[float, float, float, int, str | None, str | None]


def request_body(rng: random.Random, number: int) -> dict[str, Any]:
    """A realistic filing: most are street problems with a location somewhere in Ardabil."""
    located = rng.random() < 0.7
    body: dict[str, Any] = {
        "service_code": rng.choice(LOCATED if located else UNLOCATED),
        "category": "complaint" if located else "request",
        "description": f"درخواست آزمایشی شماره {number} در خیابان امام، کوچه {rng.randint(1, 90)}",
        "district": str(rng.randint(1, 3)),
        "operator": "کاربر باجه ۲",
        "citizen": {
            "name": "مریم رضایی",
            "national_id": "0499370899",
            "mobile": f"0914{rng.randint(0, 9_999_999):07d}",
        },
    }
    if located:
        body["location"] = {
            "lat": round(38.20 + rng.random() / 10, 6),
            "long": round(48.25 + rng.random() / 10, 6),
        }
    return body


@dataclass
class Recorder:
    rows: list[Row] = field(default_factory=list)

    async def send(self, client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
        started, clock = time.time(), time.perf_counter()
        status, code, request_id = 0, None, None
        try:
            response = await client.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            status = response.status_code
            if status == 201:
                answer = response.json()
                code, request_id = answer.get("tracking_code"), answer.get("request_id")
        except httpx.HTTPError:
            status = -1
        self.rows.append((started, time.time(), time.perf_counter() - clock, status, code, request_id))


async def closed_loop(client: httpx.AsyncClient, args: argparse.Namespace, recorder: Recorder) -> None:
    rng = random.Random(args.seed)
    numbers = iter(range(args.count))

    async def worker() -> None:
        for number in numbers:
            await recorder.send(client, args.path, request_body(rng, number))

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))


async def open_loop(client: httpx.AsyncClient, args: argparse.Namespace, recorder: Recorder) -> int:
    """Starts request i at i/rate seconds; returns how many started more than 50 ms late."""
    rng = random.Random(args.seed)
    slots = asyncio.Semaphore(args.max_in_flight)
    tasks: set[asyncio.Task[None]] = set()
    late, start = 0, time.perf_counter()

    async def one(number: int) -> None:
        try:
            await recorder.send(client, args.path, request_body(rng, number))
        finally:
            slots.release()

    for number in range(int(args.rate * args.duration)):
        delay = start + number / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        late += time.perf_counter() - (start + number / args.rate) > 0.05
        task = asyncio.create_task(one(number))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*list(tasks))
    return late


async def run(args: argparse.Namespace) -> dict[str, Any]:
    headers = {"X-Api-Key": args.api_key} if args.api_key else {}
    in_flight = args.max_in_flight if args.rate else args.concurrency
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    recorder = Recorder()
    began = time.time()
    async with httpx.AsyncClient(base_url=args.url, headers=headers, limits=limits, timeout=300.0) as client:
        late = 0
        if args.rate:
            late = await open_loop(client, args, recorder)
        else:
            await closed_loop(client, args, recorder)
    ended = time.time()
    return {"began": began, "ended": ended, "late_starts": late, "rows": recorder.rows}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pishkhan_bench.loadgen", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", default="/v1/requests")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-in-flight", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1405)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    result = asyncio.run(run(args))
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
