"""The faults: drawn from the run's seeded generator and injected one after another. Each
heals (process restarted, store or broker back) in its own thread, so faults on different
resources overlap; two on the same resource never do, and the run ends with all healed."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pishkhan_chaos import broker
from pishkhan_chaos.load import Load
from pishkhan_local.cluster import SERVICES, Cluster, ServiceProcess

# kind → weight; the broker-wide restarts are added only when asked for
WEIGHTS = {
    "kill": 4.0,
    "store_restart": 2.0,
    "crash_before_publish": 1.5,
    "poison": 1.0,
    "slow": 1.0,
    "broker_cut": 1.0,
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
    target = {"crash_before_publish": "intake", "poison": "routing", "slow": "consumers"}.get(kind)
    if target is None:
        target = "broker" if kind.startswith("broker") else rng.choice(SERVICES)
    return Fault(kind, target, round(rng.uniform(*away), 1))


REVIVE_ATTEMPTS = 60


def resources(fault: Fault) -> set[str]:
    """What a fault takes away until it is healed; two faults on one resource never overlap."""
    match fault.kind:
        case "kill":
            return {f"service:{fault.target}"}
        case "store_restart":
            return {f"store:{fault.target}"}
        case "crash_before_publish":  # needs intake's store up to reach its publish
            return {"service:intake", "store:intake"}
        case "poison" | "slow":
            return set()
        case _:
            return {"broker"}


class Injector:
    """Injects faults; each heals in its own thread, so faults on different resources overlap."""

    def __init__(self, cluster: Cluster, vhost: str, load: Load) -> None:
        self.cluster, self.vhost, self.load = cluster, vhost, load
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
            "broker_cut": self._broker_cut,
            "broker_app_restart": self._broker_app_restart,
            "broker_server_restart": self._broker_server_restart,
        }
        try:
            action[fault.kind](fault)
        except Exception as error:  # a fault that could not be injected or healed breaks the run
            self.errors.append(f"{fault.describe()}: {type(error).__name__}: {error}")

    def _revive(self, service: ServiceProcess) -> None:
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
        self._revive(service)

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
        self._revive(intake)
        filing.join()

    def _poison(self, _: Fault) -> None:
        self.load.file("poison")

    def _slow(self, _: Fault) -> None:
        for _count in range(3):
            self.load.file("slow")

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
