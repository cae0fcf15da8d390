"""`python -m pishkhan_local run|up|down`: the system on this machine, without containers."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from pishkhan_local import demo
from pishkhan_local.cluster import (
    DEFAULT_HTTP_PORTS,
    DEFAULT_STORE_PORTS,
    ROOT,
    SERVICES,
    Cluster,
    Supervisor,
)
from servicekit.auth import Role, mint_staff_token

# PISHKHAN_DATA_DIR moves the data, logs and pid file (tests run a system of their own)
DATA = Path(os.environ.get("PISHKHAN_DATA_DIR", ROOT / ".data"))
# the demo clerk works in district 1's urban services; the supervisor oversees district 1
DEMO_UNITS = {Role.CLERK: ["d1-services"], Role.SUPERVISOR: ["d1-office", "d1-services", "d1-planning"]}
PID_FILE = DATA / "run.pid"
DEMO_ENV = DATA / "demo.env"
SECRET_FILE = DATA / "jwt-secret"


def _jwt_secret() -> str:
    if not SECRET_FILE.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(48))
        SECRET_FILE.chmod(0o600)
    return SECRET_FILE.read_text().strip()


def _ports(kind: str, defaults: dict[str, int]) -> dict[str, int]:
    return {s: int(os.environ.get(f"{s.upper()}_{kind}", defaults[s])) for s in SERVICES}


def _cluster() -> Cluster:
    return Cluster(
        amqp_url=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        jwt_secret=_jwt_secret(),
        work_dir=DATA,
        persistent=True,
        http_ports=_ports("HTTP_PORT", DEFAULT_HTTP_PORTS),
        store_ports=_ports("STORE_PORT", DEFAULT_STORE_PORTS),
    )


def _ensure_demo(cluster: Cluster) -> None:
    if DEMO_ENV.exists():
        return
    secret = _jwt_secret()
    api_key = demo.load_with_secret({s: cluster.url(s) for s in SERVICES}, secret)
    lines = [f"DEMO_OFFICE_API_KEY={api_key}"]
    for role in Role:
        token = mint_staff_token(
            secret,
            f"demo-{role}",
            [role],
            DEMO_UNITS.get(role, []),
            ttl=timedelta(days=30),
        )
        lines.append(f"DEMO_STAFF_TOKEN_{role.upper()}={token}")
    DEMO_ENV.write_text("\n".join(lines) + "\n")
    DEMO_ENV.chmod(0o600)


def _banner(cluster: Cluster) -> str:
    env = dict(line.split("=", 1) for line in DEMO_ENV.read_text().splitlines() if "=" in line)
    rows = [f"  {s:<13} {cluster.url(s)}/docs   (health: {cluster.url(s)}/readyz)" for s in SERVICES]
    curl = (
        f"curl -s -X POST {cluster.url('intake')}/v1/requests -H 'Content-Type: application/json' "
        f'-H \'X-Api-Key: {env["DEMO_OFFICE_API_KEY"]}\' -d \'{{"service_code": "ARD-101", "category": '
        f'"complaint", "description": "چراغ‌های خیابان امام خاموش است", "district": "1", '
        f'"location": {{"lat": 38.2498, "long": 48.2933}}, "citizen": {{"name": "مریم رضایی", '
        f'"national_id": "0499370899", "mobile": "09141234567"}}}}\''
    )
    return "\n".join(
        [
            "",
            "Pishkhan is running.",
            *rows,
            "",
            f"Demo office API key and staff tokens: {DEMO_ENV}",
            f"Logs: {DATA / 'logs'}",
            "A store or service that exits is started again after 1 s, 2 s, 4 s … at most 30 s.",
            "",
            "File a request:",
            curl,
            "",
        ]
    )


def run() -> int:
    cluster = _cluster()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        cluster.start()
        _ensure_demo(cluster)
        print(_banner(cluster), flush=True)
        PID_FILE.write_text(str(os.getpid()))
        # as Kubernetes would: a process that exits is started again, with back-off
        supervisor = Supervisor.of(cluster)
        while not stopping:
            supervisor.check()
            time.sleep(0.5)
    finally:
        print("Stopping Pishkhan...", flush=True)
        cluster.stop()
        PID_FILE.unlink(missing_ok=True)
    return 0


def up() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    if PID_FILE.exists():
        print(f"Pishkhan is already running (pid {PID_FILE.read_text().strip()}); `make down` stops it.")
        return 0
    log = (DATA / "run.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "pishkhan_local", "run"],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(f"Pishkhan failed to start; see {DATA / 'run.log'}", file=sys.stderr)
            return 1
        if PID_FILE.exists():
            text = (DATA / "run.log").read_text(errors="replace")
            print(text[text.rfind("Pishkhan is running.") :])
            print(
                f"In the background (pid {process.pid}), which restarts what exits and notes it in "
                f"{DATA / 'run.log'}; `make down` stops it."
            )
            return 0
        time.sleep(0.5)
    print("Pishkhan did not become ready in 3 minutes", file=sys.stderr)
    return 1


def down() -> int:
    if not PID_FILE.exists():
        print("Pishkhan is not running.")
        return 0
    pid = int(PID_FILE.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        PID_FILE.unlink(missing_ok=True)
        return 0
    for _ in range(120):
        if not PID_FILE.exists():
            break
        time.sleep(0.5)
    print("Pishkhan stopped.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="pishkhan_local", description=__doc__)
    parser.add_argument("command", choices=["run", "up", "down"])
    command = parser.parse_args().command
    return {"run": run, "up": up, "down": down}[command]()


if __name__ == "__main__":
    sys.exit(main())
