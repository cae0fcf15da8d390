"""The bench: start the system as `make run` does, measure items 1-6, print and keep the figures."""

from __future__ import annotations

import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from pishkhan_bench import amqp_ceiling, procs, profile, report, seed
from pishkhan_bench.observe import (
    ROUTED,
    SUBMITTED,
    Note,
    Stores,
    duplicate_count,
    latencies,
    missing,
    note_key,
)
from pishkhan_bench.stats import histogram_quantile, per_second, ratio, summarize
from pishkhan_local import demo, rabbit
from pishkhan_local.cluster import ROOT, SERVICES, Cluster, ServiceProcess, StoreProcess, free_port
from servicekit.auth import Role, mint_staff_token

AMQP_BASE = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
# FastStream labels a consumer's metrics by exchange and routing key; in routing only one consumes this
ROUTING_HANDLER = 'handler="pishkhan.events.request.submitted.v1"'
HANDLER_METRIC = "pishkhan_received_processed_messages_duration_seconds"
# The SMS gateway's rate (10/s by default) would cap notify at 5 requests/s (two SMS each): the
# bench measures the system, not the gateway's contract. Quiet hours would hold SMS at night.
SETTINGS = {
    "NOTIFY_SMS_RATE_PER_SECOND": "100000",
    "NOTIFY_QUIET_HOURS_START": "00:00",
    "NOTIFY_QUIET_HOURS_END": "00:00",
}
HOPS = 2  # 201 -> routing -> notify: the 201 is sent after intake's own publish was confirmed


@dataclass(frozen=True)
class Plan:
    quick: bool
    concurrency: int = 16
    intake_count: int = 3_000
    amqp_serial: int = 500
    amqp_pipelined: int = 20_000
    e2e_seconds: float = 60.0
    burst_factor: float = 3.0
    burst_seconds: float = 30.0
    growth_levels: tuple[int, int] = (10_000, 200_000)
    growth_rate: float = 20.0
    growth_seconds: float = 30.0
    drain_timeout: float = 300.0
    target_rps: float = 500.0
    rate: float | None = None

    @classmethod
    def make(cls, quick: bool, rate: float | None) -> Plan:
        if not quick:
            return cls(quick=False, rate=rate)
        return cls(
            quick=True,
            intake_count=400,
            amqp_serial=100,
            amqp_pipelined=2_000,
            e2e_seconds=8.0,
            burst_seconds=4.0,
            growth_levels=(1_000, 5_000),
            growth_seconds=4.0,
            drain_timeout=40.0,
            rate=rate,
        )


@dataclass
class Load:
    """What one load-generator run saw, and what it cost."""

    began: float
    ended: float
    rows: list[list[Any]]
    cpu_s: float
    peak_mib: float
    late_starts: int
    accepted: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.accepted = {row[5]: row[1] for row in self.rows if row[3] == 201 and row[5]}

    @property
    def codes(self) -> list[str]:
        return [row[4] for row in self.rows if row[3] == 201 and row[4]]

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row[3] != 201)

    def latency(self) -> dict[str, float]:
        return summarize([row[2] for row in self.rows if row[3] == 201])

    @property
    def seconds(self) -> float:
        return self.ended - self.began


def run_load(work: Path, url: str, api_key: str, **options: Any) -> Load:
    """The load generator in its own process; its CPU and memory from the kernel's accounting."""
    out = work / f"load-{uuid.uuid4().hex[:8]}.json"
    command = [
        sys.executable,
        "-m",
        "pishkhan_bench.loadgen",
        "--url",
        url,
        "--api-key",
        api_key,
        "--out",
        str(out),
    ]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed ({process.returncode})")
    data = json.loads(out.read_text())
    out.unlink()
    return Load(
        data["began"],
        data["ended"],
        data["rows"],
        round(usage.ru_utime + usage.ru_stime, 2),
        round(usage.ru_maxrss / 1024, 1),
        data["late_starts"],
    )


def say(step: str) -> None:
    print(f"bench: {datetime.now().strftime('%H:%M:%S')} {step}", flush=True)


def utc_now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def handler_histogram(metrics_text: str, label: str) -> dict[str, Any]:
    """Buckets, sum and count of one consumer's handling-time histogram in a /metrics page."""
    buckets: dict[float, float] = {}
    total = count = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(HANDLER_METRIC) or label not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith(HANDLER_METRIC + "_bucket"):
            bound = name.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(bound)] = buckets.get(float(bound), 0.0) + float(value)
        elif name.startswith(HANDLER_METRIC + "_sum"):
            total += float(value)
        elif name.startswith(HANDLER_METRIC + "_count"):
            count += float(value)
    return {"buckets": sorted(buckets.items()), "sum": total, "count": count}


def histogram_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
    earlier = dict(before["buckets"])
    buckets = [(bound, count - earlier.get(bound, 0.0)) for bound, count in after["buckets"]]
    handled = after["count"] - before["count"]
    mean = (after["sum"] - before["sum"]) / handled if handled else math.nan
    return {
        "handled": handled,
        "mean_ms": round(mean * 1000, 2),
        "p95_ms": round(histogram_quantile(0.95, buckets) * 1000, 2),
    }


class Bench:
    def __init__(self, plan: Plan, store_backend: str, py_spy: str | None) -> None:
        self.plan = plan
        self.store_backend = store_backend
        self.py_spy = py_spy
        self.work = Path(tempfile.mkdtemp(prefix="pishkhan-bench-"))
        self.vhost = f"pishkhan-bench-{uuid.uuid4().hex[:8]}"
        self.amqp_url = rabbit.with_vhost(AMQP_BASE, self.vhost)
        self.secret = secrets.token_urlsafe(40)
        self.cluster = Cluster(
            amqp_url=self.amqp_url,
            jwt_secret=self.secret,
            work_dir=self.work,
            persistent=store_backend == "h2",
            settings=SETTINGS,
        )
        self.api_key = ""
        self.stores: Stores | None = None
        self.results: dict[str, Any] = {
            "mode": "quick" if plan.quick else "full",
            "store_backend": f"mongo-java-server, {store_backend} backend",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "plan": asdict(plan),
            "machine": procs.machine(ROOT),
            "settings": SETTINGS,
            "notes": [
                "Figures are from one machine shared with whatever else runs on it; "
                "compare runs made under the same load.",
                "NOTIFY_SMS_RATE_PER_SECOND is raised to 100000 (default 10/s, the gateway's contract, "
                "which alone caps the system at 5 requests/s end to end); SMS go to the log provider.",
                "Growth: the stored requests are written straight into intake's, routing's and notify's "
                "stores in the services' document shapes (90% closed); inboxes are not seeded.",
            ],
        }
        self.cpu: dict[str, dict[str, float]] = {}

    # -- the system ------------------------------------------------------------------------

    def start(self) -> None:
        rabbit.create_vhost(self.vhost)
        self.cluster.start()
        urls = {name: self.cluster.url(name) for name in SERVICES}
        self.api_key = demo.load_with_secret(urls, self.secret)
        admin = mint_staff_token(self.secret, "bench-admin", [Role.ADMIN], ttl=timedelta(minutes=10))
        office = {**demo.OFFICE, "rate_limit_per_minute": 1_000_000_000}
        httpx.put(
            f"{urls['intake']}/v1/offices/{demo.OFFICE['code']}",
            json=office,
            headers={"Authorization": f"Bearer {admin}"},
            timeout=10,
        ).raise_for_status()
        self.stores = Stores({name: store.url for name, store in self.cluster.stores.items()})

    def stop(self) -> None:
        if self.stores:
            self.stores.close()
        self.cluster.stop()
        rabbit.delete_vhost(self.vhost)

    def watched(self) -> list[procs.Watched]:
        found = [procs.Watched(n, s.process.pid) for n, s in self.cluster.services.items() if s.process]
        found += [
            procs.Watched(f"{n}-store", s.process.pid) for n, s in self.cluster.stores.items() if s.process
        ]
        broker = procs.broker_pid()
        return found + ([procs.Watched("rabbitmq (shared)", broker)] if broker else [])

    @property
    def store(self) -> Stores:
        assert self.stores is not None
        return self.stores

    def load(self, **options: Any) -> Load:
        return run_load(self.work, self.cluster.url("intake"), self.api_key, **options)

    def measured(self, phase: str, **options: Any) -> Load:
        """A load run with every watched process's CPU counted against it."""
        before = procs.snapshot(self.watched())
        load = self.load(**options)
        spent = procs.cpu_delta(before, procs.snapshot(self.watched()))
        spent["load generator"] = load.cpu_s
        per_1000 = {name: round(cpu / max(len(load.accepted), 1) * 1000, 2) for name, cpu in spent.items()}
        self.cpu[phase] = per_1000
        return load

    def drain(self, since: datetime, load: Load) -> tuple[list[Note], bool]:
        done = self.store.wait_for_routed(since, len(load.accepted), self.plan.drain_timeout)
        return self.store.notes(since), done

    # -- 1. ceilings -----------------------------------------------------------------------

    def ceiling_http(self) -> dict[str, Any]:
        port = free_port()
        store = StoreProcess("ceiling", free_port(), None, self.work / "logs" / "ceiling-store.log")
        service = ServiceProcess("ceiling", port, {}, self.work / "logs" / "ceiling.log")
        store.start()
        app = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pishkhan_bench.ceiling_app",
                "--port",
                str(port),
                "--mongodb-url",
                store.url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        service.process = app  # readiness and stop as for a service
        try:
            service.wait_ready()
            load = run_load(
                self.work, service.url, "", count=self.plan.intake_count, concurrency=self.plan.concurrency
            )
        finally:
            service.stop()
            store.stop()
        return {
            "rps": per_second(len(load.accepted), load.seconds),
            "latency": load.latency(),
            "errors": load.errors,
        }

    def ceiling_amqp(self) -> dict[str, Any]:
        def one(name: str, count: int, window: int) -> dict[str, Any]:
            seen = amqp_ceiling.round_trip(self.amqp_url, f"bench.ceiling.{name}", count, window)
            return {
                "messages": count,
                "window": window,
                "rps": per_second(len(seen["latencies"]), seen["last"] - seen["began"]),
                "latency": summarize(seen["latencies"]),
            }

        return {
            "serial": one("serial", self.plan.amqp_serial, 1),
            "pipelined": one("pipelined", self.plan.amqp_pipelined, self.plan.concurrency),
            "queue_type": "quorum, persistent messages, publisher confirms, prefetch 100",
        }

    # -- 2. intake -------------------------------------------------------------------------

    def intake(self) -> dict[str, Any]:
        since = utc_now()
        load = self.measured("intake", count=self.plan.intake_count, concurrency=self.plan.concurrency)
        notes, _ = self.drain(since, load)
        routed = [n.created_at for n in notes if n.event_type == ROUTED and n.request_id in load.accepted]
        capacity = per_second(len(routed), max(routed) - load.began) if routed else math.nan
        rps = per_second(len(load.accepted), load.seconds)
        return {
            "count": self.plan.intake_count,
            "concurrency": self.plan.concurrency,
            "accepted": len(load.accepted),
            "errors": load.errors,
            "rps": rps,
            "latency": load.latency(),
            "ratio_to_ceiling_a": ratio(rps, self.results["ceilings"]["a"]["rps"]),
            "e2e_capacity_rps": capacity,
            "load_generator": {"cpu_s": load.cpu_s, "peak_mib": load.peak_mib},
        }

    # -- 3. end to end ---------------------------------------------------------------------

    def sustained_rate(self) -> float:
        if self.plan.rate:
            return self.plan.rate
        capacity = self.results["intake"]["e2e_capacity_rps"]
        if math.isnan(capacity):
            return self.plan.target_rps
        return float(max(5, min(self.plan.target_rps, int(capacity * 0.8))))

    def e2e(self) -> dict[str, Any]:
        rate = self.sustained_rate()
        since = utc_now()
        spies = self.start_profiles(self.plan.e2e_seconds)
        load = self.measured("e2e", rate=rate, duration=self.plan.e2e_seconds, max_in_flight=256)
        notes, done = self.drain(since, load)
        self.finish_profiles(spies)
        routed = latencies(load.accepted, notes, ROUTED)
        first = min(row[0] for row in load.rows)
        last = max((n.created_at for n in notes if n.event_type == ROUTED), default=math.nan)
        result: dict[str, Any] = {
            "offered_rps": rate,
            "seconds": self.plan.e2e_seconds,
            "accepted": len(load.accepted),
            "errors": load.errors,
            "late_starts": load.late_starts,
            "accepted_rps": per_second(len(load.accepted), load.seconds),
            "throughput_rps": per_second(len(routed), last - first),
            "intake": load.latency(),
            "routed": summarize(routed),
            "submitted": summarize(latencies(load.accepted, notes, SUBMITTED)),
            "delivered": summarize(latencies(load.accepted, notes, ROUTED, delivered=True)),
            "not_completed": len(load.accepted) - len(routed),
            "drained": done,
        }
        result["per_hop"] = self.per_hop(result["routed"])
        return result

    def per_hop(self, routed: dict[str, float]) -> dict[str, float]:
        serial = self.results["ceilings"]["b"]["serial"]["latency"]
        return {
            "hops": HOPS,
            "p50_ms": round(routed["p50_ms"] / HOPS, 2),
            "p99_ms": round(routed["p99_ms"] / HOPS, 2),
            "p50_ratio": ratio(routed["p50_ms"] / HOPS, serial["p50_ms"]),
            "p99_ratio": ratio(routed["p99_ms"] / HOPS, serial["p99_ms"]),
        }

    # -- 4. burst --------------------------------------------------------------------------

    def burst(self) -> dict[str, Any]:
        rate = self.results["e2e"]["offered_rps"] * self.plan.burst_factor
        since = utc_now()
        load = self.measured("burst", rate=rate, duration=self.plan.burst_seconds, max_in_flight=1024)
        notes, done = self.drain(since, load)
        ours = [n for n in notes if n.request_id in load.accepted]
        routed = [n.created_at for n in ours if n.event_type == ROUTED]
        lost = {
            "intake": missing(load.codes, self.store.stored_codes(since)),
            "routing": missing(load.accepted, self.store.case_ids(since)),
            "notify_submitted": missing(
                load.accepted, (n.request_id for n in ours if n.event_type == SUBMITTED)
            ),
            "notify_routed": missing(load.accepted, (n.request_id for n in ours if n.event_type == ROUTED)),
        }
        return {
            "offered_rps": rate,
            "seconds": self.plan.burst_seconds,
            "accepted": len(load.accepted),
            "errors": load.errors,
            "late_starts": load.late_starts,
            "intake": load.latency(),
            "drain_s": round(max(routed) - load.ended, 2) if routed else math.nan,
            "drained": done,
            "lost": sum(lost.values()) if done else math.nan,
            "lost_by_store": lost,
            "unfinished_after_timeout": 0 if done else lost["notify_routed"],
            "duplicates": duplicate_count(note_key(n) for n in notes),
            "duplicate_steps": self.store.routed_timeline_duplicates(since),
        }

    # -- 6. growth -------------------------------------------------------------------------

    def grow_to(self, stored: int) -> float:
        began = time.monotonic()
        more = stored - self.store.request_count()
        if more > 0:
            urls = {name: self.cluster.stores[name].url for name in ("intake", "routing", "notify")}
            seed.seed(urls, more, seed_number=stored)
        return round(time.monotonic() - began, 1)

    def routing_histogram(self) -> dict[str, Any]:
        text = httpx.get(f"{self.cluster.url('routing')}/metrics", timeout=10).text
        return handler_histogram(text, ROUTING_HANDLER)

    def growth_level(self, stored: int) -> dict[str, Any]:
        seeding_s = self.grow_to(stored)
        time.sleep(2)  # let the sweepers and the SLA watch see the new documents once
        before = self.routing_histogram()
        since = utc_now()
        load = self.load(rate=self.plan.growth_rate, duration=self.plan.growth_seconds, max_in_flight=256)
        notes, done = self.drain(since, load)
        handled = histogram_delta(before, self.routing_histogram())
        return {
            "stored": self.store.request_count(),
            "seeding_s": seeding_s,
            "rate": self.plan.growth_rate,
            "accepted": len(load.accepted),
            "errors": load.errors,
            "intake": load.latency(),
            "routing_mean_ms": handled["mean_ms"],
            "routing_p95_ms": handled["p95_ms"],
            "routing_handled": handled["handled"],
            "routed": summarize(latencies(load.accepted, notes, ROUTED)),
            "drained": done,
        }

    # -- profiles (optional) ---------------------------------------------------------------

    def start_profiles(self, seconds: float) -> list[tuple[str, Path, subprocess.Popen[bytes]]]:
        if not self.py_spy:
            return []
        spies = []
        for name, service in self.cluster.services.items():
            if service.process is None:
                continue
            out = self.work / "profiles" / f"{name}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            command = [
                self.py_spy,
                "record",
                "--pid",
                str(service.process.pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "100",
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(out),
            ]
            spies.append(
                (name, out, subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            )
        return spies

    def finish_profiles(self, spies: list[tuple[str, Path, subprocess.Popen[bytes]]]) -> None:
        summaries: dict[str, Any] = {}
        for name, out, spy in spies:
            spy.wait(timeout=120)
            if out.exists():
                summaries[name] = profile.summarize_file(out)
                summaries[name]["file"] = str(out)
        if summaries:
            self.results["profile"] = summaries

    # -- all of it -------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Not measured: the stores' JIT, the services' first-use paths and connection pools."""
        count = 100 if self.plan.quick else 500
        load = self.load(count=count, concurrency=self.plan.concurrency)
        self.drain(utc_now() - timedelta(minutes=5), load)

    def run(self) -> dict[str, Any]:
        small, large = self.plan.growth_levels
        say("warming up")
        self.warm_up()
        say("1. ceilings")
        self.results["ceilings"] = {"a": self.ceiling_http(), "b": self.ceiling_amqp()}
        say(f"6. growth: {small:,} requests stored")
        levels = [self.growth_level(small)]
        say("2. intake")
        self.results["intake"] = self.intake()
        say("3. end to end")
        self.results["e2e"] = self.e2e()
        say("4. burst")
        self.results["burst"] = self.burst()
        say(f"6. growth: {large:,} requests stored")
        levels.append(self.growth_level(large))
        self.results["growth"] = {"levels": levels, "ratios": growth_ratios(levels[0], levels[1])}
        self.results["processes"] = {
            "peak_mib": procs.peak_memory_mib(self.watched())
            | {"load generator": self.results["intake"]["load_generator"]["peak_mib"]},
            "cpu_s_per_1000": self.cpu,
        }
        self.results["targets"] = report.check_targets(self.results)
        self.results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return self.results


def growth_ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, float]:
    return {
        "intake_p50": ratio(large["intake"]["p50_ms"], small["intake"]["p50_ms"]),
        "intake_p99": ratio(large["intake"]["p99_ms"], small["intake"]["p99_ms"]),
        "routing_mean": ratio(large["routing_mean_ms"], small["routing_mean_ms"]),
        "routing_p95": ratio(large["routing_p95_ms"], small["routing_p95_ms"]),
        "e2e_p50": ratio(large["routed"]["p50_ms"], small["routed"]["p50_ms"]),
    }
