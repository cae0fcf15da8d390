"""Helpers for the cross-service tests: the running system and what an office does with it."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from pishkhan_local.cluster import Cluster, StoreProcess, free_port
from servicekit.auth import Role, mint_staff_token


@dataclass
class System:
    cluster: Cluster
    amqp_url: str
    api_key: str
    secret: str

    def url(self, service: str) -> str:
        return self.cluster.url(service)

    def staff(self, role: Role = Role.ADMIN, units: list[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_staff_token(self.secret, f'test-{role}', [role], units)}"}

    @property
    def office(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key}


def citizen_request(marker: str | None = None, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "service_code": "ARD-101",
        "category": "complaint",
        "description": f"چراغ‌های خیابان امام خاموش است {marker or uuid.uuid4().hex}",
        "district": "1",
        "location": {"lat": 38.2498, "long": 48.2933},
        "citizen": {"name": "مریم رضایی", "national_id": "0499370899", "mobile": "09141234567"},
    }
    return body | overrides


def eventually(probe: Callable[[], Any], timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Call `probe` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    value: Any = None
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")


def file_request(system: System, marker: str | None = None, **overrides: object) -> dict[str, object]:
    response = httpx.post(
        f"{system.url('intake')}/v1/requests",
        json=citizen_request(marker, **overrides),
        headers=system.office,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def read_request(system: System, tracking_code: str) -> dict[str, object]:
    response = httpx.get(
        f"{system.url('intake')}/v1/requests/{tracking_code}", headers=system.office, timeout=10
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def publish_event(amqp_url: str, envelope: dict[str, Any], times: int = 1) -> None:
    """Put an event on the bus as a producer would (persistent, confirmed)."""
    import asyncio
    import json

    import aio_pika

    from contracts.topology import EVENTS_EXCHANGE

    async def send() -> None:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(EVENTS_EXCHANGE)
            for _ in range(times):
                message = aio_pika.Message(
                    json.dumps(envelope).encode(),
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=str(envelope.get("event_id")),
                )
                await exchange.publish(message, routing_key=str(envelope.get("type")))

    asyncio.run(send())


def take_dead_letter(amqp_url: str, queue_name: str, timeout: float = 30.0) -> Any:
    """Wait for one message on a dead-letter queue and return it (acked)."""
    import asyncio

    import aio_pika

    async def take() -> Any:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, passive=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = await queue.get(no_ack=True, fail=False)
                if message is not None:
                    return message
                await asyncio.sleep(0.2)
        raise AssertionError(f"nothing reached {queue_name} in {timeout}s")

    return asyncio.run(take())


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextlib.contextmanager
def headless_chromium(window: str = "412,915") -> Iterator[Any]:
    """Debian's Chromium driven by its chromedriver, phone-sized, never downloading anything."""
    import os
    import tempfile

    import pytest
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("chromium and chromedriver are missing: run deploy/local/ensure-browser.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={window}",
    ):
        options.add_argument(flag)
    with (
        tempfile.TemporaryDirectory(prefix="pishkhan-chromium-") as profile,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("SE_OFFLINE", "true")  # never let selenium fetch a driver or a browser
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        try:
            driver.set_page_load_timeout(20)
            yield driver
        finally:
            driver.quit()


def client_from(host: str, **options: Any) -> httpx.Client:
    """An HTTP client whose connections leave from `host` (any 127.x.y.z is this machine), so the
    services' per-client limits count it as a client of its own."""
    transport = httpx.HTTPTransport(local_address=host)
    return httpx.Client(transport=transport, timeout=options.pop("timeout", 15), **options)


def licensed_office(system: System, code: str, **overrides: object) -> dict[str, Any]:
    """Create (or replace) an office through intake's admin API; returns the office as stored."""
    office: dict[str, Any] = {
        "code": code,
        "name_fa": "دفتر آزمایشی",
        "district": "1",
        "licence_number": f"T-{code}",
        "licence_valid_until": (date.today() + timedelta(days=30)).isoformat(),
        "rate_limit_per_minute": 10_000,
    } | overrides
    response = httpx.put(
        f"{system.url('intake')}/v1/offices/{code}", json=office, headers=system.staff(), timeout=10
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def issue_office_key(system: System, code: str) -> tuple[str, str]:
    """A new API key of the office: (key_id, api_key)."""
    response = httpx.post(
        f"{system.url('intake')}/v1/offices/{code}/keys", headers=system.staff(), timeout=10
    )
    assert response.status_code == 201, response.text
    return str(response.json()["key_id"]), str(response.json()["api_key"])


def revoke_office_key(system: System, code: str, key_id: str) -> None:
    response = httpx.delete(
        f"{system.url('intake')}/v1/offices/{code}/keys/{key_id}", headers=system.staff(), timeout=10
    )
    assert response.status_code == 204, response.text


def store_process(log_dir: Path, name: str) -> Iterator[str]:
    """A store process of a test module's own, its URL without a database; a port taken by
    someone else meanwhile is tried again."""
    log = log_dir / "store.log"
    for _ in range(5):
        process = StoreProcess(name, free_port(), None, log)
        try:
            process.start()
            time.sleep(0.3)  # the launcher exits (2) when the port was taken after all
            if process.process is None or process.process.poll() is not None:
                raise RuntimeError("the store did not keep its port")
        except RuntimeError:
            process.stop()
            continue
        try:
            yield f"mongodb://127.0.0.1:{process.port}"
        finally:
            process.stop()
        return
    raise RuntimeError(f"no store started; see {log}")
