"""A background job survives whatever it raises, and says how it is doing."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from servicekit.faults import Faults
from servicekit.periodic import FAILING_AFTER, JobBook, Periodic
from servicekit.store import PyMongoError

pytestmark = pytest.mark.unit


class Flaky:
    """A job that raises `errors` in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        if self.errors:
            raise self.errors.pop(0)


async def test_a_job_that_raises_a_value_error_runs_again_at_its_next_tick(
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = Flaky(ValueError("a calendar with no working day"))
    periodic = Periodic("sla-watch", job, 0.01, JobBook())
    with caplog.at_level(logging.ERROR, "servicekit.periodic"):
        periodic.start()
        for _ in range(200):
            if job.runs >= 3:
                break
            await asyncio.sleep(0.01)
        await periodic.stop()
    assert job.runs >= 3, "the job went on after it raised"
    failure = next(record for record in caplog.records if "sla-watch failed" in record.getMessage())
    assert failure.exc_info is not None, "logged with its traceback"
    assert "a calendar with no working day" in str(failure.exc_info[1])


async def test_repeated_failure_names_the_job_until_it_succeeds_again() -> None:
    book = JobBook()
    job = Flaky(*[ValueError("bad data")] * FAILING_AFTER)
    periodic = Periodic("retention", job, 60, book)
    for _ in range(FAILING_AFTER - 1):
        assert await periodic.run_once() is False
    assert book.failing() == {}, "a failure or two is not yet failing"
    await periodic.run_once()
    failing = book.failing()
    assert list(failing) == ["retention"]
    assert failing["retention"]["failures_in_a_row"] == FAILING_AFTER
    assert failing["retention"]["last_error"] == "ValueError: bad data"
    assert await periodic.run_once() is True
    assert book.failing() == {}


async def test_a_store_outage_counts_as_a_failure_too() -> None:
    book = JobBook()
    periodic = Periodic("sweeper", Flaky(*[PyMongoError("store away")] * FAILING_AFTER), 5, book)
    for _ in range(FAILING_AFTER):
        await periodic.run_once()
    assert "sweeper" in book.failing()


async def test_cancellation_is_not_swallowed() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(3600)

    periodic = Periodic("stuck", forever, 1, JobBook())
    periodic.start()
    await started.wait()
    await asyncio.wait_for(periodic.stop(), timeout=2)


async def test_metrics_count_failures_and_the_time_since_the_last_success() -> None:
    registry = CollectorRegistry()
    book = JobBook(registry)
    periodic = Periodic("census", Flaky(ValueError("x"), ValueError("y")), 15, book)
    await periodic.run_once()
    await periodic.run_once()
    text = generate_latest(registry).decode()
    assert 'pishkhan_job_failures_total{task="census"} 2.0' in text
    assert 'pishkhan_job_interval_seconds{task="census"} 15.0' in text
    assert 'pishkhan_job_failing{task="census"} 0.0' in text
    assert 'pishkhan_job_seconds_since_success{task="census"}' in text
    await periodic.run_once()
    assert book["census"].seconds_since_success() < 1.0


def test_two_jobs_may_not_share_a_name() -> None:
    book = JobBook()
    book.register("sweeper", 5)
    with pytest.raises(ValueError, match="already registered"):
        book.register("sweeper", 5)


async def test_the_fault_file_makes_a_named_job_fail_while_it_names_it(tmp_path: Path) -> None:
    fault_file = tmp_path / "jobs"
    book = JobBook(faults=Faults.model_construct(fault_job_file=fault_file))
    job = Flaky()
    periodic = Periodic("sla-watch", job, 1, book)
    assert await periodic.run_once() is True, "no file, no fault"
    fault_file.write_text("outbox-sweeper\nsla-watch\n")
    assert await periodic.run_once() is False
    assert book["sla-watch"].last_error is not None and "InjectedFault" in book["sla-watch"].last_error
    assert job.runs == 1, "the job itself did not run"
    fault_file.write_text("outbox-sweeper\n")
    assert await periodic.run_once() is True
