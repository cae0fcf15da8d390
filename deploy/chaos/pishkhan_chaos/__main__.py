"""`python -m pishkhan_chaos [--runs N] [--seed S] [--duration SECONDS] [--broker-restarts [--private-broker]]`

Each run starts the whole system, files requests and comments continuously, injects faults
drawn from a generator seeded with the run's seed (printed, so a failure replays), waits
for the system to settle and checks the stores and queues. Exits 1 on any loss, duplicate,
half-stored call, unexpected dead letter or 500.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from dataclasses import replace

from pishkhan_chaos.broker import PrivateNode
from pishkhan_chaos.campaign import AMQP_BASE, Plan, Result, run
from pishkhan_chaos.report import details, table
from pishkhan_local.cluster import ROOT, free_port


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pishkhan_chaos", description=__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--seed", type=int, help="seed of the first run (then seed+1, ...); random if not given"
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load and faults per run")
    parser.add_argument("--short", action="store_true", help="short runs, as `make test` does")
    parser.add_argument(
        "--broker-restarts",
        action="store_true",
        help="also restart RabbitMQ (stop_app/start_app and the whole server): affects every vhost on the node",
    )
    parser.add_argument(
        "--private-broker",
        action="store_true",
        help="run the campaign on a RabbitMQ node of its own (started and stopped here), so broker restarts touch no one else",
    )
    return parser.parse_args(argv)


def plans(args: argparse.Namespace, amqp_base: str = AMQP_BASE) -> list[Plan]:
    first = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    result = []
    for seed in range(first, first + args.runs):
        plan = Plan.short(seed) if args.short else Plan(seed, duration=args.duration)
        result.append(replace(plan, broker_restarts=args.broker_restarts, amqp_base=amqp_base))
    return result


def campaign(args: argparse.Namespace, amqp_base: str = AMQP_BASE) -> list[Result]:
    results: list[Result] = []
    for plan in plans(args, amqp_base):
        results.append(run(plan))
        print(table(results[-1:]), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.private_broker:
        port = free_port()
        node = PrivateNode(ROOT / ".data" / "chaos" / f"broker-{port}", port, free_port())
        print(f"starting a RabbitMQ node of the campaign's own: {node.name} on port {node.port}", flush=True)
        node.start()
        try:
            results = campaign(args, node.amqp_url)
        finally:
            node.stop()
        if all(result.passed for result in results):
            shutil.rmtree(node.base, ignore_errors=True)
    else:
        results = campaign(args, os.environ.get("AMQP_URL", AMQP_BASE))
    print("\n" + table(results) + "\n\n" + details(results), flush=True)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
