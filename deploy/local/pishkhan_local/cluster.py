"""Processes of a local system: a store per service, the four services, on one broker.

Used by `make run` / `make up` and by the cross-service tests, so both start the
system exactly the same way. `make run` also keeps it up (`Supervisor`); the tests,
which stop and kill processes on purpose, restart what they stop themselves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("intake", "routing", "consultation", "notify")
DEFAULT_HTTP_PORTS = {"intake": 8001, "routing": 8002, "consultation": 8003, "notify": 8004}
DEFAULT_STORE_PORTS = {"intake": 27101, "routing": 27102, "consultation": 27103, "notify": 27104}
STORE_CLASSPATH = f"{ROOT}/.tools/store/build/pishkhan-local-store.jar:{ROOT}/.tools/store/lib/*"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class StoreProcess:
    service: str
    port: int
    data_file: Path | None
    log_file: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/{self.service}"

    def start(self, timeout: float = 60.0) -> None:
        backend = (
            ["--backend", "h2", "--file", str(self.data_file)] if self.data_file else ["--backend", "memory"]
        )
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "java",
                    "-Xss512k",
                    # G1: pauses stay near its target as the heap grows (the serial collector
                    # stopped a store for 1-3 s with 200,000 requests stored)
                    "-XX:+UseG1GC",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    STORE_CLASSPATH,
                    "pishkhan.store.StoreLauncher",
                    "--port",
                    str(self.port),
                    *backend,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"store for {self.service} exited; see {self.log_file}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"store for {self.service} did not listen on {self.port}")

    def stop(self) -> None:
        if self.process:
            _stop(self.process)


@dataclass
class ServiceProcess:
    service: str
    port: int
    env: dict[str, str]
    log_file: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.service],
                env={**os.environ, **self.env, **(extra_env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited; see {self.log_file}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.service} not ready after {timeout:.0f}s; see {self.log_file}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process:
            _stop(self.process)


@dataclass
class Cluster:
    amqp_url: str
    jwt_secret: str
    work_dir: Path
    persistent: bool = False
    http_ports: dict[str, int] = field(default_factory=lambda: {s: free_port() for s in SERVICES})
    store_ports: dict[str, int] = field(default_factory=lambda: {s: free_port() for s in SERVICES})
    settings: dict[str, str] = field(default_factory=dict)
    stores: dict[str, StoreProcess] = field(init=False, default_factory=dict)
    services: dict[str, ServiceProcess] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for name in SERVICES:
            data = self.work_dir / name / "store.h2" if self.persistent else None
            if data:
                data.parent.mkdir(parents=True, exist_ok=True)
            store = StoreProcess(
                name, self.store_ports[name], data, self.work_dir / "logs" / f"{name}-store.log"
            )
            self.stores[name] = store
            self.services[name] = ServiceProcess(
                name,
                self.http_ports[name],
                self.service_env(name, store.url),
                self.work_dir / "logs" / f"{name}.log",
            )

    def service_env(self, name: str, mongodb_url: str) -> dict[str, str]:
        prefix = name.upper() + "_"
        env = {
            f"{prefix}MONGODB_URL": mongodb_url,
            f"{prefix}AMQP_URL": self.amqp_url,
            f"{prefix}HTTP_PORT": str(self.http_ports[name]),
            f"{prefix}JWT_SECRET": self.jwt_secret,
            f"{prefix}OUTBOX_SWEEP_SECONDS": "1",
        }
        if name == "notify":
            env["NOTIFY_TRACKING_URL"] = f"http://127.0.0.1:{self.http_ports['intake']}/track"
        return env | {k: v for k, v in self.settings.items() if k.startswith(prefix)}

    def url(self, name: str) -> str:
        return self.services[name].url

    def start(self) -> None:
        for store in self.stores.values():
            store.start()
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready()

    def restart(self, name: str, extra_env: dict[str, str] | None = None, wait: bool = True) -> None:
        service = self.services[name]
        service.stop()
        service.start(extra_env)
        if wait:
            service.wait_ready()

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        for store in self.stores.values():
            store.stop()


class Supervised(Protocol):
    """A process of the system that can be started again (a store or a service)."""

    log_file: Path

    @property
    def process(self) -> subprocess.Popen[bytes] | None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"exit code {code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"exit code {code}"
    return f"exit code {code}"


@dataclass
class _Watch:
    started_at: float
    delay: float
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    """Starts again a process that exits while the system is meant to run, as Kubernetes
    restarts a crashed container: after 1 s, then 2 s, 4 s … at most `cap`; the wait goes back
    to 1 s once the process has stayed up `reset_after` seconds. Each exit and restart is
    printed (and noted in the process's log). `check` does one round; `make run` calls it
    twice a second, so a restart never races the shutdown: nothing is started once
    the run loop ends.
    """

    processes: dict[str, Supervised]
    initial: float = 1.0
    cap: float = 30.0
    reset_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    _watches: dict[str, _Watch] = field(init=False, default_factory=dict)

    @classmethod
    def of(cls, cluster: Cluster) -> Supervisor:
        """Every store and service of the cluster."""
        processes: dict[str, Supervised] = {f"{name} store": store for name, store in cluster.stores.items()}
        processes.update(cluster.services)
        return cls(processes)

    def __post_init__(self) -> None:
        now = self.clock()
        self._watches = {name: _Watch(started_at=now, delay=self.initial) for name in self.processes}

    def restarts(self, name: str) -> int:
        return self._watches[name].restarts

    def check(self) -> None:
        for name, supervised in self.processes.items():
            watch = self._watches[name]
            now = self.clock()
            if watch.restart_at is not None:
                if now >= watch.restart_at:
                    self._restart(name, supervised, watch)
                continue
            process = supervised.process
            code = process.poll() if process is not None else None
            if code is None:
                continue
            up_for = now - watch.started_at
            if up_for >= self.reset_after:
                watch.delay = self.initial
            self._back_off(name, supervised, watch, f"exited ({describe_exit(code)}) after {up_for:.0f} s up")

    def _back_off(self, name: str, supervised: Supervised, watch: _Watch, what: str) -> None:
        watch.restart_at = self.clock() + watch.delay
        self._note(supervised, f"pishkhan: {name} {what}; restart {watch.restarts + 1} in {watch.delay:g} s")
        watch.delay = min(watch.delay * 2, self.cap)

    def _restart(self, name: str, supervised: Supervised, watch: _Watch) -> None:
        watch.restart_at = None
        watch.restarts += 1
        watch.started_at = self.clock()
        try:
            supervised.stop()  # what a failed start left running (a store that never listened)
            supervised.start()
        except (OSError, RuntimeError) as error:  # as if it had exited at once
            self._back_off(name, supervised, watch, f"failed to start ({error})")
            return
        process = supervised.process
        pid = process.pid if process is not None else "?"
        self._note(supervised, f"pishkhan: {name} restarted (pid {pid}, restart {watch.restarts})")

    def _note(self, supervised: Supervised, line: str) -> None:
        self.say(line)
        try:
            with supervised.log_file.open("a") as log:
                log.write(f"--- {line}\n")
        except OSError:
            pass
