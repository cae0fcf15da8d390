"""Processes of a local system: a store per service, the four services, on one broker.

Used by `make run` / `make up` and by the cross-service tests, so both start the
system exactly the same way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

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
