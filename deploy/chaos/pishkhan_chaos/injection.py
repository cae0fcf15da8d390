"""The faults: drawn from the run's seeded generator and injected one after another. Each
heals (process restarted, store or broker back) in its own thread, so faults on different
resources overlap; two on the same resource never do, and the run ends with all healed."""

from __future__ import annotations

import asyncio
import random
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import jdatetime

from contracts.topology import QUEUES
from pishkhan_chaos import broker, poison
from pishkhan_chaos.load import JobFault, Load
from pishkhan_local.cluster import SERVICES, Cluster, ServiceProcess

# kind → weight; the broker-wide restarts are added only when asked for
WEIGHTS = {
    "kill": 4.0,
    "store_restart": 2.0,
    "crash_before_publish": 1.5,
    "poison": 1.0,
    "malformed": 1.0,
    "slow": 1.0,
    "broker_cut": 1.0,
    "job_failure": 0.5,
    "calendar_save": 0.5,
}
BROKER_WIDE = {"broker_app_restart": 1.0, "broker_server_restart": 0.5}


@dataclass(frozen=True)
class Fault:
    kind: str
    target: str  # a service, "broker", or "consumers" (the slow ones)
    away: float  # seconds before it is healed

    def describe(self) -> str:
        return f"{self.kind}({self.target}, {self.away:.1f}s)"


def kinds(broker_restarts: bool) -> dict[str, float]:
    return WEIGHTS | (BROKER_WIDE if broker_restarts else {})


def draw(rng: random.Random, broker_restarts: bool, away: tuple[float, float]) -> Fault:
    """One fault, its kind drawn by weight."""
    weights = kinds(broker_restarts)
    return aimed(rng, rng.choices(list(weights), weights=list(weights.values()))[0], away)


def deck(rng: random.Random, broker_restarts: bool, away: tuple[float, float], count: int) -> list[Fault]:
    """`count` faults of different kinds, in a random order (a short run sees a varied few)."""
    chosen = rng.sample(sorted(kinds(broker_restarts)), min(count, len(kinds(broker_restarts))))
    return [aimed(rng, kind, away) for kind in chosen]


def aimed(rng: random.Random, kind: str, away: tuple[float, float]) -> Fault:
    target = {
        "crash_before_publish": "intake",
        "poison": "routing",
        "slow": "consumers",
        "malformed": "consumers",
        "calendar_save": "routing",
    }.get(kind)
    if target is None:
        target = "broker" if kind.startswith("broker") else rng.choice(SERVICES)
    return Fault(kind, target, round(rng.uniform(*away), 1))


REVIVE_ATTEMPTS = 60
MALFORMED_PER_KIND = 2  # of every kind, for each of two event types
FAILING_TIMEOUT = 60.0  # a job made to fail must show on /readyz by then (three sweeps of 5 s)
FAILING_JOB = "outbox-sweeper"  # every service runs one, every few seconds
CALENDAR_SAVE_SECONDS = 60.0
MALFORMED_SECONDS = 60.0


def resources(fault: Fault) -> set[str]:
    """What a fault takes away until it is healed; two faults on one resource never overlap."""
    match fault.kind:
        case "kill":
            return {f"service:{fault.target}"}
        case "store_restart":
            return {f"store:{fault.target}"}
        case "crash_before_publish":  # needs intake's store up to reach its publish
            return {"service:intake", "store:intake"}
        case "poison" | "slow" | "malformed" | "calendar_save":
            return set()
        case "job_failure":
            return {f"job:{fault.target}"}
        case _:
            return {"broker"}


class Injector:
    """Injects faults; each heals in its own thread, so faults on different resources overlap."""

    def __init__(self, cluster: Cluster, vhost: str, load: Load, seed: int = 0) -> None:
        self.cluster, self.vhost, self.load = cluster, vhost, load
        self._rng = random.Random(seed * 31 + 7)  # its own: the faults drawn for a seed stay as they were
        self._malformed = 0
        self.errors: list[str] = []
        self._busy: dict[str, threading.Thread] = {}
        self._threads: list[threading.Thread] = []

    def inject(self, fault: Fault) -> None:
        taken = resources(fault)
        for resource in taken:
            if (healing := self._busy.get(resource)) is not None:
                healing.join()
        thread = threading.Thread(target=self._run, args=(fault,), name=f"fault-{fault.kind}", daemon=True)
        thread.start()
        self._threads.append(thread)
        self._busy |= dict.fromkeys(taken, thread)

    def heal_all(self) -> None:
        for thread in self._threads:
            thread.join()

    def _run(self, fault: Fault) -> None:
        action: dict[str, Callable[[Fault], None]] = {
            "kill": self._kill,
            "store_restart": self._store_restart,
            "crash_before_publish": self._crash_before_publish,
            "poison": self._poison,
            "slow": self._slow,
            "malformed": self._malformed_messages,
            "job_failure": self._job_failure,
            "calendar_save": self._calendar_save,
            "broker_cut": self._broker_cut,
            "broker_app_restart": self._broker_app_restart,
            "broker_server_restart": self._broker_server_restart,
        }
        try:
            action[fault.kind](fault)
        except Exception as error:  # a fault that could not be injected or healed breaks the run
            self.errors.append(f"{fault.describe()}: {type(error).__name__}: {error}")

    def revive(self, service: ServiceProcess) -> None:
        """Start a process again as an orchestrator would: until ready (its store or broker may be away)."""
        for _attempt in range(REVIVE_ATTEMPTS):
            service.start()
            try:
                service.wait_ready(timeout=60)
                return
            except RuntimeError:
                service.kill()
                time.sleep(1.0)
        raise RuntimeError(f"{service.service} did not come back")

    def _kill(self, fault: Fault) -> None:
        service = self.cluster.services[fault.target]
        service.kill()
        time.sleep(fault.away)
        self.revive(service)

    def _store_restart(self, fault: Fault) -> None:
        store = self.cluster.stores[fault.target]
        store.stop()  # SIGTERM: H2 flushes
        time.sleep(fault.away)
        store.start()

    def _crash_before_publish(self, fault: Fault) -> None:
        """A filing whose write lands and whose publish never happens: intake exits in between."""
        intake = self.cluster.services["intake"]
        filing = self.load.file_async("crash")
        try:
            if intake.process is not None:
                intake.process.wait(15)
        except subprocess.TimeoutExpired:
            filing.join()
            raise RuntimeError("intake did not crash on the marked filing") from None
        time.sleep(fault.away)
        self.revive(intake)
        filing.join()

    def _poison(self, _: Fault) -> None:
        self.load.file("poison")

    def _slow(self, _: Fault) -> None:
        for _count in range(3):
            self.load.file("slow")

    def _malformed_messages(self, _: Fault) -> None:
        """Messages of every kind no consumer can take, on two event types, amid the load."""
        ledger = self.load.ledger
        for event_type in self._rng.sample(sorted({spec.event_type for spec in QUEUES}), 2):
            self._malformed += 1
            batch = list(
                poison.batch(
                    f"{ledger.malformed_prefix}{self._malformed}",
                    event_type,
                    MALFORMED_PER_KIND * len(poison.KINDS),
                )
            )
            confirmed, maybe = self._publish_while_broker_lets(event_type, batch)
            with ledger.lock:
                for spec in QUEUES:
                    if spec.event_type == event_type:
                        ledger.malformed[spec.dead_letter_queue] |= confirmed
                        ledger.malformed_maybe[spec.dead_letter_queue] |= maybe

    def _publish_while_broker_lets(
        self, event_type: str, batch: list[poison.Poison]
    ) -> tuple[set[str], set[str]]:
        """Publish the batch, going on after the broker comes back (up to a minute); the ids it
        confirmed, and those being sent as it went away (never sent again, so none goes twice)."""
        sent: list[str] = []
        maybe: set[str] = set()
        position, give_up_at = 0, time.monotonic() + MALFORMED_SECONDS
        while position < len(batch) and time.monotonic() < give_up_at:
            confirmed: list[str] = []
            try:
                asyncio.run(poison.publish(self.cluster.amqp_url, event_type, batch[position:], confirmed))
                position = len(batch)
            except Exception:  # the broker is away
                position += len(confirmed)
                if position < len(batch):
                    maybe.add(batch[position].message_id)
                    position += 1
                time.sleep(1.0)
            sent += confirmed
        return set(sent), maybe

    def _job_failure(self, fault: Fault) -> None:
        """A service's outbox sweeper fails run after run until /readyz names it, then is let go."""
        job = JobFault(fault.target, FAILING_JOB)
        with self.load.ledger.lock:
            self.load.ledger.job_faults.append(job)
        fault_file = job_fault_file(self.cluster, fault.target)
        fault_file.write_text(f"{job.job}\n")
        try:
            deadline = time.monotonic() + FAILING_TIMEOUT
            while time.monotonic() < deadline and not job.seen_failing:
                job.seen_failing = job.job in failing_jobs(self.cluster, fault.target)
                time.sleep(1.0)
        finally:
            fault_file.write_text("")

    def _calendar_save(self, _: Fault) -> None:
        """An admin corrects the default calendar under load: a holiday two months on, in or out.
        Like an admin, it tries again while routing or its store is away (up to a minute)."""
        give_up_at, status = time.monotonic() + CALENDAR_SAVE_SECONDS, 0
        while time.monotonic() < give_up_at:
            try:
                status = self._save_calendar_once()
            except httpx.HTTPError:
                status = 0
            if status not in (0, 502, 503, 504):
                break
            time.sleep(1.0)
        with self.load.ledger.lock:
            self.load.ledger.calendar_saves.append(status)

    def _save_calendar_once(self) -> int:
        endpoints = self.load.endpoints
        url = f"{endpoints.routing}/v1/calendars"
        listing = httpx.get(url, headers=endpoints.admin, timeout=10)
        if listing.status_code != 200:
            return listing.status_code
        calendar = next(c for c in listing.json() if c["calendar_id"] == "default")
        day = jdatetime.date.today() + timedelta(days=60)
        text = f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
        holidays = [h for h in calendar["holidays"] if h["date"] != text]
        if len(holidays) == len(calendar["holidays"]):
            holidays.append({"date": text, "name_fa": "تعطیل اعلام‌شده"})
        body = calendar | {"holidays": holidays}
        return httpx.put(f"{url}/default", json=body, headers=endpoints.admin, timeout=30).status_code

    def _broker_cut(self, fault: Fault) -> None:
        broker.cut_vhost(self.vhost)
        try:
            time.sleep(fault.away)
        finally:
            broker.restore_vhost(self.vhost)

    def _broker_app_restart(self, fault: Fault) -> None:
        broker.restart_app(pause=fault.away)

    def _broker_server_restart(self, fault: Fault) -> None:
        broker.stop_server()
        try:
            time.sleep(fault.away)
        finally:
            broker.start_server()


def job_fault_file(cluster: Cluster, service: str) -> Path:
    """The file whose lines name the jobs a service must fail (`<SERVICE>_FAULT_JOB_FILE`)."""
    return cluster.work_dir / "faults" / f"{service}-jobs"


def failing_jobs(cluster: Cluster, service: str) -> dict[str, object]:
    """The jobs a service's /readyz names as failing (none if it does not answer)."""
    try:
        body = httpx.get(f"{cluster.url(service)}/readyz", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return {}
    failing: dict[str, object] = body.get("failing_jobs") or {}
    return failing
