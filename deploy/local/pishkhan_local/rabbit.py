"""Broker housekeeping for local runs and tests: throwaway virtual hosts."""

from __future__ import annotations

import subprocess
from urllib.parse import quote, urlsplit, urlunsplit


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost(name: str, user: str = "guest") -> None:
    _ctl("add_vhost", name)
    _ctl("set_permissions", "-p", name, user, ".*", ".*", ".*")


def delete_vhost(name: str) -> None:
    _ctl("delete_vhost", name)


def with_vhost(amqp_url: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), "", ""))


def stop_app() -> None:
    _ctl("stop_app")


def start_app() -> None:
    _ctl("start_app")
    subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True, capture_output=True, timeout=120)
