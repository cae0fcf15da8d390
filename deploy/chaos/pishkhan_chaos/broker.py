"""The broker as the campaign sees it: queue depths, dead letters, and ways to take it away.

Cutting one virtual host (no connections allowed, the open ones closed) looks to the
services exactly like a broker outage and leaves everyone else's virtual hosts alone.
Restarting the application or the whole server affects every virtual host on the node,
so the campaign can run a node of its own (`PrivateNode`) for those.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika

from pishkhan_local import rabbit

CTL_TIMEOUT = 120


def _ctl(*args: str) -> str:
    done = subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=CTL_TIMEOUT
    )
    return done.stdout


@dataclass(frozen=True)
class Depth:
    ready: int
    unacked: int

    @property
    def total(self) -> int:
        return self.ready + self.unacked


def queue_depths(vhost: str) -> dict[str, Depth]:
    rows = json.loads(
        _ctl(
            "list_queues",
            "-p",
            vhost,
            "name",
            "messages_ready",
            "messages_unacknowledged",
            "--formatter",
            "json",
        )
        or "[]"
    )
    return {
        row["name"]: Depth(int(row.get("messages_ready") or 0), int(row.get("messages_unacknowledged") or 0))
        for row in rows
    }


def cut_vhost(vhost: str) -> None:
    """The broker is away for this virtual host: no new connections, the open ones closed."""
    _ctl("set_vhost_limits", "-p", vhost, '{"max-connections": 0}')
    _ctl("close_all_connections", "--vhost", vhost, "--limit", "100000", "fault injection: broker away")


def restore_vhost(vhost: str) -> None:
    _ctl("set_vhost_limits", "-p", vhost, '{"max-connections": -1}')


def restart_app(pause: float) -> None:
    """`rabbitmqctl stop_app` / `start_app`: every virtual host on the node goes away and returns."""
    rabbit.stop_app()
    try:
        time.sleep(pause)
    finally:
        rabbit.start_app()


def stop_server() -> None:
    """The whole node down (`rabbitmqctl shutdown` waits until it is gone)."""
    _ctl("shutdown")


def start_server(timeout: float = CTL_TIMEOUT) -> None:
    """Start the node again, with the RABBITMQ_* environment it was started with, and wait for it."""
    subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True, timeout=CTL_TIMEOUT)
    deadline = time.monotonic() + timeout
    while True:  # until the node has registered, `await_startup` fails at once
        try:
            _ctl("await_startup", "--timeout", "10")
            return
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


@dataclass
class PrivateNode:
    """A RabbitMQ node of the campaign's own, on its own ports and data directory, so that
    restarting the broker takes nobody else's virtual hosts down. While it runs, the
    RABBITMQ_* variables in this process's environment point every `rabbitmqctl` at it."""

    base: Path
    port: int
    dist_port: int

    @property
    def name(self) -> str:
        return f"pishkhan-chaos-{self.port}@{socket.gethostname().split('.')[0]}"

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def environment(self) -> dict[str, str]:
        return {
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
        }

    def start(self) -> None:
        for directory in (self.base / "mnesia", self.base / "log"):
            directory.mkdir(parents=True, exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        _hand_to_broker_user(self.base)
        os.environ.update(self.environment())
        start_server()

    def stop(self) -> None:
        """Stop the node and drop its data (its logs stay)."""
        try:
            stop_server()
        finally:
            for name in self.environment():
                os.environ.pop(name, None)
            shutil.rmtree(self.base / "mnesia", ignore_errors=True)


def _hand_to_broker_user(base: Path) -> None:
    """Run as root, `rabbitmq-server` drops to the rabbitmq user, which must own the node's files."""
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam("rabbitmq")
    except KeyError:
        return
    for path in (base, *base.rglob("*")):
        shutil.chown(path, "rabbitmq", "rabbitmq")


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    body: str
    headers: dict[str, Any]
    message_id: str = ""


def dead_letters(amqp_url: str, queue_name: str) -> list[DeadLetter]:
    """Every message in a dead-letter queue, left in place (taken unacknowledged, then given back)."""
    return asyncio.run(_peek(amqp_url, queue_name))


async def _peek(amqp_url: str, queue_name: str) -> list[DeadLetter]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, passive=True)
        found: list[DeadLetter] = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            body = message.body.decode(errors="replace")
            found.append(DeadLetter(queue_name, body, dict(message.headers), message.message_id or ""))
        return found  # closing the channel unacknowledged puts them back
