"""One run of the campaign: the system started as `make run` starts it (H2 stores, on a fresh
virtual host), load, seeded faults, then settle and check."""

from __future__ import annotations

import random
import secrets
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import httpx

from pishkhan_chaos.checks import Verdict, judge, snapshot
from pishkhan_chaos.injection import Fault, Injector, deck, draw
from pishkhan_chaos.load import Endpoints, Ledger, Load, Markers
from pishkhan_local import demo, rabbit
from pishkhan_local.cluster import ROOT, SERVICES, Cluster
from servicekit.auth import Role, mint_staff_token

AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672/"
SLOW_SECONDS = "1.5"


@dataclass(frozen=True)
class Plan:
    seed: int
    duration: float = 60.0  # seconds of load with faults
    gap: tuple[float, float] = (0.5, 3.0)  # seconds between faults
    away: tuple[float, float] = (0.3, 3.0)  # seconds a killed process or a stopped store stays away
    faults: int | None = None  # a fixed number of faults of different kinds instead of `duration`
    pause: float = 0.25  # seconds between one thread's calls
    settle_timeout: float = 120.0
    broker_restarts: bool = False  # stop_app/start_app and a full server restart (every vhost!)
    amqp_base: str = AMQP_BASE  # the broker's URL without a virtual host
    work_root: Path = ROOT / ".data" / "chaos"
    # whose consumers sleep on a slow message: notify too lets a request's routed event
    # overtake its submitted one there (see NotYet in servicekit.bus)
    slow_services: tuple[str, ...] = ("routing", "notify")

    @classmethod
    def short(cls, seed: int) -> Plan:
        return cls(seed, faults=3, gap=(0.1, 0.5), away=(0.2, 1.5), settle_timeout=60.0)


@dataclass
class Result:
    seed: int
    faults: list[Fault] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    recover_seconds: float | None = None
    exits: list[str] = field(default_factory=list)  # services that exited without a fault
    work_dir: Path | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.recover_seconds is not None and self.verdict.passed

    def fault_counts(self) -> str:
        counts = Counter(fault.kind for fault in self.faults)
        return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"


def markers(seed: int) -> Markers:
    token = uuid.uuid4().hex
    return Markers(
        poison=f"poison-{seed}-{token}", slow=f"slow-{seed}-{token}", crash=f"crash-{seed}-{token}"
    )


def fault_settings(marks: Markers, slow_services: tuple[str, ...], faults_dir: Path) -> dict[str, str]:
    slow = {f"{service.upper()}_FAULT_SLOW_MARKER": marks.slow for service in slow_services}
    jobs = {f"{service.upper()}_FAULT_JOB_FILE": str(faults_dir / f"{service}-jobs") for service in SERVICES}
    return (
        slow
        | jobs
        | {
            **{f"{service.upper()}_FAULT_SLOW_SECONDS": SLOW_SECONDS for service in slow_services},
            "INTAKE_FAULT_CRASH_MARKER": marks.crash,
            "ROUTING_FAULT_POISON_MARKER": marks.poison,
            "NOTIFY_QUIET_HOURS_START": "00:00",  # the campaign runs at any hour
            "NOTIFY_QUIET_HOURS_END": "00:00",
            "CONSULTATION_COMMENTS_PER_MINUTE": "100000",
        }
    )


def run(plan: Plan, out: TextIO = sys.stdout) -> Result:
    result = Result(plan.seed)
    vhost = f"pishkhan-chaos-{plan.seed}-{uuid.uuid4().hex[:6]}"
    work_dir = plan.work_root / vhost
    secret, marks = secrets.token_urlsafe(40), markers(plan.seed)
    rabbit.create_vhost(vhost)
    (work_dir / "faults").mkdir(parents=True, exist_ok=True)
    cluster = Cluster(
        amqp_url=rabbit.with_vhost(plan.amqp_base, vhost),
        jwt_secret=secret,
        work_dir=work_dir,
        persistent=True,  # H2 stores, as `make run`: a store stopped with SIGTERM keeps its data
        settings=fault_settings(marks, plan.slow_services, work_dir / "faults"),
    )
    print(
        f"seed {plan.seed}: starting (replay with SEED={plan.seed}); logs in {work_dir}", file=out, flush=True
    )
    try:
        _start(cluster)
        endpoints = _prepare(cluster, secret)
        _campaign(plan, cluster, vhost, endpoints, marks, result, out)
    except Exception as error:  # the run itself broke: report it as a failed run
        result.error = f"{type(error).__name__}: {error}"
    finally:
        cluster.stop()
        _quietly(lambda: rabbit.delete_vhost(vhost))
    if result.passed:
        shutil.rmtree(work_dir, ignore_errors=True)
    else:
        result.work_dir = work_dir
    return result


def _start(cluster: Cluster) -> None:
    """As `Cluster.start`, with the stores started side by side (each is a JVM to boot)."""
    with ThreadPoolExecutor(len(cluster.stores)) as pool:
        list(pool.map(lambda store: store.start(), cluster.stores.values()))
    for service in cluster.services.values():
        service.start()
    for service in cluster.services.values():
        service.wait_ready()


def _prepare(cluster: Cluster, secret: str) -> Endpoints:
    """Demo data through the APIs, an office allowed to file fast, and the consultation open now."""
    api_key = demo.load_with_secret({s: cluster.url(s) for s in SERVICES}, secret)
    office = demo.OFFICE | {"rate_limit_per_minute": 100_000}
    intake, consultation = cluster.url("intake"), cluster.url("consultation")
    admin = _staff(secret, "chaos-admin", Role.ADMIN)
    httpx.put(
        f"{intake}/v1/offices/{office['code']}", json=office, headers=admin, timeout=10
    ).raise_for_status()
    drafts = httpx.get(f"{consultation}/v1/consultations", timeout=10).raise_for_status().json()
    return Endpoints(
        intake,
        consultation,
        api_key,
        str(drafts["items"][0]["id"]),
        author=_staff(secret, "chaos-author", Role.AUTHOR),
        approver=_staff(secret, "chaos-approver", Role.APPROVER),
        routing=cluster.url("routing"),
        admin=admin,
    )


def _staff(secret: str, subject: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(secret, subject, [role], ttl=timedelta(hours=2))}"}


def _campaign(
    plan: Plan,
    cluster: Cluster,
    vhost: str,
    endpoints: Endpoints,
    marks: Markers,
    result: Result,
    out: TextIO,
) -> None:
    rng = random.Random(plan.seed)
    ledger = Ledger(malformed_prefix=f"malformed-{plan.seed}-{uuid.uuid4().hex[:6]}-")
    load = Load(endpoints, ledger, marks, f"s{plan.seed}", plan.seed, plan.pause)
    injector = Injector(cluster, vhost, load, plan.seed)
    started = time.monotonic()
    load.start()
    try:
        for fault in _faults(plan, rng, started):
            time.sleep(rng.uniform(*plan.gap))
            print(f"  {time.monotonic() - started:6.1f}s  {fault.describe()}", file=out, flush=True)
            injector.inject(fault)
            result.faults.append(fault)
    finally:
        injector.heal_all()  # every process, store and the broker are back
        faults_ended = time.monotonic()
        load.stop(retry_seconds=plan.settle_timeout / 2)
    if injector.errors:
        result.error = "; ".join(injector.errors)
    result.recover_seconds, result.verdict = _settle(
        plan, cluster, vhost, ledger, faults_ended, injector, result
    )


def _faults(plan: Plan, rng: random.Random, started: float) -> Iterator[Fault]:
    """A deck of `plan.faults` different kinds, or faults by weight until `plan.duration` is up."""
    if plan.faults is not None:
        yield from deck(rng, plan.broker_restarts, plan.away, plan.faults)
        return
    while time.monotonic() < started + plan.duration:
        yield draw(rng, plan.broker_restarts, plan.away)


def _settle(
    plan: Plan,
    cluster: Cluster,
    vhost: str,
    ledger: Ledger,
    since: float,
    injector: Injector,
    result: Result,
) -> tuple[float | None, Verdict]:
    """Check until all is settled: the stores first (cheap), then the queues as well. A service
    that exited by itself meanwhile (its broker watch, say) is started again, as an orchestrator
    would, and noted."""
    deadline = since + plan.settle_timeout
    while True:
        for service in cluster.services.values():
            if service.process is not None and (code := service.process.poll()) is not None:
                result.exits.append(f"{service.service} exited by itself ({code})")
                injector.revive(service)
        stores_only = judge(ledger, snapshot(cluster, vhost, cluster.amqp_url, queues=False), queues=False)
        if stores_only.settled:
            verdict = judge(ledger, snapshot(cluster, vhost, cluster.amqp_url))
            if verdict.settled:
                return round(time.monotonic() - since, 1), verdict
        if time.monotonic() > deadline:
            return None, judge(ledger, snapshot(cluster, vhost, cluster.amqp_url))
        time.sleep(0.5)


def _quietly(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception as error:
        print(f"cleanup: {error}", file=sys.stderr)
