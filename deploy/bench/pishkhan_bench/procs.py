"""Processes and the machine, read from /proc and from the tools themselves."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Watched:
    """A process the bench reports on: a service, a store, the broker or the load generator."""

    name: str
    pid: int


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (children not included)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


def status_kib(pid: int, key: str) -> int:
    """A `kB` figure of /proc/<pid>/status, e.g. VmHWM (peak resident memory) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def snapshot(processes: list[Watched]) -> dict[str, float]:
    """CPU seconds of every watched process that is still alive."""
    result: dict[str, float] = {}
    for process in processes:
        try:
            result[process.name] = cpu_seconds(process.pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return result


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 2) for name in after}


def peak_memory_mib(processes: list[Watched]) -> dict[str, float]:
    result: dict[str, float] = {}
    for process in processes:
        try:
            result[process.name] = round(status_kib(process.pid, "VmHWM") / 1024, 1)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return result


def broker_pid() -> int | None:
    """The RabbitMQ node's Erlang VM, if it runs on this machine (shared with whatever else uses it)."""
    found = subprocess.run(["pgrep", "-o", "beam.smp"], capture_output=True, text=True, check=False)
    return int(found.stdout.split()[0]) if found.returncode == 0 and found.stdout.strip() else None


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def _memory_total_mib() -> int:
    return status_like("/proc/meminfo", "MemTotal") // 1024


def status_like(path: str, key: str) -> int:
    for line in Path(path).read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _store_version(classpath_dir: Path) -> str:
    jars = sorted(p.name for p in (classpath_dir / "lib").glob("mongo-java-server-[0-9]*.jar"))
    match = re.search(r"(\d+\.\d+\.\d+)", jars[0]) if jars else None
    return f"mongo-java-server {match.group(1)}" if match else "mongo-java-server (unknown version)"


def machine(root: Path) -> dict[str, object]:
    """Cores, memory, load and the versions of everything the figures depend on."""
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mib": _memory_total_mib(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "rabbitmq": _first_line(["rabbitmqctl", "-q", "version"]),
        "java": _first_line(["java", "-version"]),
        "store": _store_version(root / ".tools" / "store"),
        "git_commit": _first_line(["git", "-C", str(root), "rev-parse", "HEAD"]),
        "git_dirty": bool(
            subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        ),
    }
