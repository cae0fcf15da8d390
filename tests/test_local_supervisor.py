"""`make run` keeps itself up: a store or service process that exits is started again after
1 s, 2 s, 4 s … at most 30 s (back to 1 s once it has stayed up a minute), and each exit
and restart is printed, as Kubernetes restarts a crashed container.

The back-off is checked on fakes with a clock of the test's own; then the real runner
(`python -m pishkhan_local run`, as `make run` and `make up` start it, on ports, a data
folder and a RabbitMQ virtual host of its own) has a service killed with SIGKILL, twice.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from pishkhan_local import rabbit
from pishkhan_local.cluster import SERVICES, Supervisor, free_port

ROOT = Path(__file__).resolve().parents[1]
AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672/"


# --- the back-off, on fakes ---------------------------------------------------------------------


@dataclass
class FakePopen:
    pid: int
    code: int | None = None

    def poll(self) -> int | None:
        return self.code


@dataclass
class FakeProcess:
    log_file: Path
    process: FakePopen | None = None
    starts: int = 0
    refuse: bool = False

    def start(self) -> None:
        self.starts += 1
        if self.refuse:
            raise RuntimeError("store for intake exited")
        self.process = FakePopen(pid=1000 + self.starts)

    def stop(self) -> None:
        if self.process is not None and self.process.code is None:
            self.process.code = -signal.SIGTERM

    def crash(self, code: int) -> None:
        assert self.process is not None
        self.process.code = code


@dataclass
class Clock:
    now: float = 0.0
    said: list[str] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now


def supervised(tmp_path: Path) -> tuple[Supervisor, FakeProcess, Clock]:
    clock = Clock()
    fake = FakeProcess(tmp_path / "intake.log")
    fake.start()
    supervisor = Supervisor({"intake": fake}, clock=clock, say=clock.said.append)  # type: ignore[dict-item]
    return supervisor, fake, clock


@pytest.mark.unit
def test_a_crashed_process_comes_back_after_a_wait_that_doubles_up_to_thirty_seconds(tmp_path: Path) -> None:
    supervisor, fake, clock = supervised(tmp_path)
    clock.now = 10.0
    fake.crash(-signal.SIGKILL)
    supervisor.check()
    assert clock.said == ["pishkhan: intake exited (exit code -9 (SIGKILL)) after 10 s up; restart 1 in 1 s"]
    clock.now = 10.9
    supervisor.check()
    assert fake.starts == 1, "restarted before its back-off"
    clock.now = 11.0
    supervisor.check()
    assert fake.starts == 2 and supervisor.restarts("intake") == 1
    assert clock.said[-1] == "pishkhan: intake restarted (pid 1002, restart 1)"

    waits = []
    for _ in range(7):  # it keeps crashing at once
        fake.crash(1)
        supervisor.check()
        line = clock.said[-1]
        assert "exited (exit code 1) after 0 s up" in line, line
        waits.append(float(line.rsplit(" in ", 1)[1].removesuffix(" s")))
        clock.now += waits[-1]
        supervisor.check()
    assert waits == [2, 4, 8, 16, 30, 30, 30]
    assert fake.starts == 9

    clock.now += 60  # up a minute: the next crash waits 1 s again
    fake.crash(3)
    supervisor.check()
    assert clock.said[-1].endswith("after 60 s up; restart 9 in 1 s")
    log = (tmp_path / "intake.log").read_text()
    assert "--- pishkhan: intake exited (exit code -9 (SIGKILL))" in log
    assert "--- pishkhan: intake restarted (pid 1002, restart 1)" in log


@pytest.mark.unit
def test_a_process_that_fails_to_start_is_tried_again_later(tmp_path: Path) -> None:
    supervisor, fake, clock = supervised(tmp_path)
    fake.crash(137)
    fake.refuse = True
    supervisor.check()  # 1 s
    clock.now = 1.0
    supervisor.check()
    assert clock.said[-1] == ("pishkhan: intake failed to start (store for intake exited); restart 2 in 2 s")
    clock.now = 2.9
    supervisor.check()
    assert fake.starts == 2
    fake.refuse = False
    clock.now = 3.0
    supervisor.check()
    assert fake.starts == 3 and fake.process is not None and fake.process.poll() is None
    assert clock.said[-1] == "pishkhan: intake restarted (pid 1003, restart 2)"
    clock.now = 100.0
    supervisor.check()
    assert fake.starts == 3, "a running process is left alone"


# --- the real runner ----------------------------------------------------------------------------


def command_line(pid: int) -> str | None:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return None


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline.strip()
    return found


def service_pid(runner: int, service: str) -> int:
    matches = [pid for pid, cmd in children(runner).items() if cmd.endswith(f"-m {service}")]
    assert len(matches) == 1, f"{service} among the runner's processes: {children(runner)}"
    return matches[0]


@dataclass
class Runner:
    process: subprocess.Popen[str]
    urls: dict[str, str]
    data: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        tail = "".join(self.seen[-40:])
        pytest.fail(f"the runner did not print {text!r} within {timeout:.0f} s:\n{tail}")


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    vhost = f"pishkhan-run-{uuid.uuid4().hex[:8]}"
    rabbit.create_vhost(vhost)
    http = {service: free_port() for service in SERVICES}
    env = os.environ | {
        "PISHKHAN_DATA_DIR": str(tmp_path / "data"),
        "AMQP_URL": rabbit.with_vhost(AMQP_BASE, vhost),
        **{f"{s.upper()}_HTTP_PORT": str(port) for s, port in http.items()},
        **{f"{s.upper()}_STORE_PORT": str(free_port()) for s in SERVICES},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pishkhan_local", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    started = Runner(process, {s: f"http://127.0.0.1:{p}" for s, p in http.items()}, tmp_path / "data")
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:
        for line in stdout:
            started.lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    spawned: dict[int, str] = {}
    try:
        started.wait_for("Pishkhan is running.", timeout=180)
        spawned.update(children(process.pid))
        yield started
    finally:
        spawned.update(children(process.pid))
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # they run in sessions of their own: none may outlive a runner that did not stop them
        for pid, cmdline in spawned.items():
            if command_line(pid) == cmdline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        rabbit.delete_vhost(vhost)


def wait_ready(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} not ready again within {timeout:.0f} s")


@pytest.mark.e2e
def test_make_run_restarts_a_killed_service_with_back_off(runner: Runner) -> None:
    intake = runner.urls["intake"]
    assert httpx.get(f"{intake}/readyz", timeout=5).status_code == 200
    first = service_pid(runner.process.pid, "intake")

    os.kill(first, signal.SIGKILL)
    line = runner.wait_for("pishkhan: intake exited", timeout=10)
    assert "exit code -9 (SIGKILL)" in line and line.rstrip().endswith("restart 1 in 1 s"), line
    runner.wait_for("pishkhan: intake restarted", timeout=10)
    wait_ready(intake, timeout=60)
    second = service_pid(runner.process.pid, "intake")
    assert second != first

    os.kill(second, signal.SIGKILL)  # again, soon: it waits twice as long
    line = runner.wait_for("pishkhan: intake exited", timeout=10)
    assert line.rstrip().endswith("restart 2 in 2 s"), line
    runner.wait_for("pishkhan: intake restarted", timeout=10)
    wait_ready(intake, timeout=60)
    assert "--- pishkhan: intake restarted" in (runner.data / "logs" / "intake.log").read_text()
    for service in SERVICES:  # nothing else was touched
        assert httpx.get(f"{runner.urls[service]}/readyz", timeout=5).status_code == 200, service

    running = children(runner.process.pid)
    assert len(running) == 2 * len(SERVICES), running  # a store and a service each
    before = len(runner.seen)
    runner.process.send_signal(signal.SIGTERM)  # `make down`: everything stops, nothing restarts
    assert runner.process.wait(60) == 0
    runner.wait_for("Stopping Pishkhan...", timeout=5)
    while not runner.lines.empty():
        runner.seen.append(runner.lines.get())
    after = runner.seen[before:]
    assert not [line for line in after if line.startswith("pishkhan: ")], after
    left = {pid: cmd for pid, cmd in running.items() if command_line(pid) == cmd}
    assert not left, f"still running after the runner stopped: {left}"
    assert not (runner.data / "run.pid").exists()
