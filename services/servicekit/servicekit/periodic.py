"""Background jobs run every few seconds for the life of a service (sweeps, watches), and
the book that says how each is doing.

A job that raises is logged (a store outage in one line, anything else with its traceback)
and runs again at its next tick: no exception ends it. Every outcome is written in the
service's `JobBook`, which `/readyz` and `/metrics` read: a job that failed
`FAILING_AFTER` times in a row is named there, and the seconds since each job's last
success show a job that hangs. Jobs must be safe with several replicas (conditional
updates), since every replica runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from servicekit.faults import NO_FAULTS, Faults
from servicekit.store import PyMongoError, StoreUnavailable

log = logging.getLogger("servicekit.periodic")

FAILING_AFTER = 3
"""Failures in a row after which a job is reported as failing."""


@dataclass
class JobHealth:
    name: str
    interval_seconds: float
    registered_at: float = field(default_factory=time.monotonic)
    last_success: float | None = None
    last_success_at: datetime | None = None
    failures_in_a_row: int = 0
    failures: int = 0
    last_error: str | None = None

    @property
    def failing(self) -> bool:
        return self.failures_in_a_row >= FAILING_AFTER

    def seconds_since_success(self) -> float:
        """Since the last success, or since the job was set up if it never succeeded."""
        return time.monotonic() - (self.last_success or self.registered_at)

    def report(self) -> dict[str, object]:
        return {
            "failures_in_a_row": self.failures_in_a_row,
            "last_error": self.last_error,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
        }


class JobBook:
    """How each of a service's background jobs is doing; `/readyz` and `/metrics` read it."""

    def __init__(self, registry: CollectorRegistry | None = None, faults: Faults = NO_FAULTS) -> None:
        self.faults = faults
        self._jobs: dict[str, JobHealth] = {}
        self._failures: Counter | None = None
        self._since: Gauge | None = None
        self._interval: Gauge | None = None
        self._failing: Gauge | None = None
        if registry is not None:
            self._failures = Counter(
                "pishkhan_job_failures_total",
                "Runs of a background job that raised",
                ["task"],
                registry=registry,
            )
            self._since = Gauge(
                "pishkhan_job_seconds_since_success",
                "Seconds since a background job last ran to the end",
                ["task"],
                registry=registry,
            )
            self._interval = Gauge(
                "pishkhan_job_interval_seconds",
                "How often a background job runs",
                ["task"],
                registry=registry,
            )
            self._failing = Gauge(
                "pishkhan_job_failing",
                f"1 while a background job has failed {FAILING_AFTER} times in a row",
                ["task"],
                registry=registry,
            )

    def register(self, name: str, interval_seconds: float) -> JobHealth:
        if name in self._jobs:
            raise ValueError(f"a job named {name!r} is already registered")
        health = self._jobs[name] = JobHealth(name, interval_seconds)
        if self._since is not None and self._interval is not None and self._failures is not None:
            self._since.labels(name).set_function(health.seconds_since_success)
            self._interval.labels(name).set(interval_seconds)
            self._failures.labels(name)
            self._failing_gauge(health)
        return health

    def succeeded(self, health: JobHealth) -> None:
        health.last_success, health.last_success_at = time.monotonic(), datetime.now(UTC)
        health.failures_in_a_row = 0
        self._failing_gauge(health)

    def failed(self, health: JobHealth, error: BaseException) -> None:
        health.failures += 1
        health.failures_in_a_row += 1
        health.last_error = f"{type(error).__name__}: {error}"[:500]
        if self._failures is not None:
            self._failures.labels(health.name).inc()
        self._failing_gauge(health)

    def _failing_gauge(self, health: JobHealth) -> None:
        if self._failing is not None:
            self._failing.labels(health.name).set(1 if health.failing else 0)

    def failing(self) -> dict[str, dict[str, object]]:
        return {name: health.report() for name, health in self._jobs.items() if health.failing}

    def __getitem__(self, name: str) -> JobHealth:
        return self._jobs[name]


class Periodic:
    def __init__(
        self, name: str, job: Callable[[], Awaitable[object]], interval_seconds: float, jobs: JobBook
    ) -> None:
        self._name = name
        self._job = job
        self._interval = interval_seconds
        self._jobs = jobs
        self._health = jobs.register(name, interval_seconds)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._forever(), name=self._name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> bool:
        """One run of the job, its outcome logged and booked; whether it succeeded."""
        try:
            self._jobs.faults.before_job(self._name)
            await self._job()
        except Exception as error:
            if isinstance(error, PyMongoError | StoreUnavailable):
                log.warning("%s failed, the store is away: %r", self._name, error)
            else:
                log.exception("%s failed; it runs again in %.0f s", self._name, self._interval)
            self._jobs.failed(self._health, error)
            return False
        self._jobs.succeeded(self._health)
        return True

    async def _forever(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self._interval)
