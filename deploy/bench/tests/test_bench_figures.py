"""The bench's pure pieces: percentiles, duplicate counting, targets, the table and the JSON."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pishkhan_bench import profile, report
from pishkhan_bench.observe import ROUTED, SUBMITTED, Note, duplicate_count, latencies, missing, note_key
from pishkhan_bench.run import growth_ratios, handler_histogram, histogram_delta
from pishkhan_bench.stats import histogram_quantile, per_second, percentile, ratio, summarize

pytestmark = pytest.mark.unit


def test_percentile_interpolates_between_ranks_like_numpy() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 0) == 15.0
    assert percentile(values, 50) == 35.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 40) == pytest.approx(29.0)
    assert percentile(list(reversed(values)), 95) == pytest.approx(48.0)
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_summary_reports_milliseconds() -> None:
    summary = summarize([0.001 * n for n in range(1, 101)])
    assert summary["n"] == 100
    assert summary["p50_ms"] == pytest.approx(50.5)
    assert summary["p99_ms"] == pytest.approx(99.01)
    assert summary["max_ms"] == pytest.approx(100.0)
    assert math.isnan(summarize([])["p99_ms"])


def test_rates_and_ratios_never_divide_by_zero() -> None:
    assert per_second(500, 2.0) == 250.0
    assert math.isnan(per_second(5, 0))
    assert ratio(30, 60) == 0.5
    assert math.isnan(ratio(1, 0))
    assert math.isnan(ratio(math.nan, 3))


def test_histogram_quantile_interpolates_inside_a_bucket() -> None:
    buckets = [(0.01, 50.0), (0.1, 90.0), (1.0, 100.0), (math.inf, 100.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.01)
    assert histogram_quantile(0.7, buckets) == pytest.approx(0.055)
    assert math.isnan(histogram_quantile(0.5, []))


def note(request_id: str, event_type: str = ROUTED, created: float = 10.0, key: str | None = None) -> Note:
    return Note(request_id, event_type, key or request_id, "sms", created, created + 1)


def test_duplicates_are_extra_copies_per_request_event_recipient_and_channel() -> None:
    notes = [note("a"), note("a"), note("a"), note("b"), note("b", SUBMITTED), note("c", key="office")]
    assert duplicate_count(note_key(n) for n in notes) == 2
    assert duplicate_count([]) == 0


def test_latency_runs_from_the_201_to_the_first_matching_notification() -> None:
    accepted = {"a": 9.5, "b": 9.0}
    notes = [note("a", created=10.0), note("a", created=12.0), note("b", SUBMITTED), note("x")]
    assert latencies(accepted, notes, ROUTED) == [pytest.approx(0.5)]
    assert latencies(accepted, notes, ROUTED, delivered=True) == [pytest.approx(1.5)]
    assert missing(["a", "b", "c"], ["a"]) == 2


def test_routing_handler_time_comes_from_the_metrics_page() -> None:
    label = 'handler="pishkhan.events.request.submitted.v1"'

    def page(fast: int, total: int, seconds: float) -> str:
        series = f'app_name="routing",broker="rabbit",{label}'
        return "\n".join(
            [
                "# TYPE pishkhan_received_processed_messages_duration_seconds histogram",
                f'pishkhan_received_processed_messages_duration_seconds_bucket{{{series},le="0.01"}} {fast}.0',
                f'pishkhan_received_processed_messages_duration_seconds_bucket{{{series},le="+Inf"}} {total}.0',
                f"pishkhan_received_processed_messages_duration_seconds_count{{{series}}} {total}.0",
                f"pishkhan_received_processed_messages_duration_seconds_sum{{{series}}} {seconds}",
                'pishkhan_received_processed_messages_duration_seconds_count{handler="other"} 7.0',
            ]
        )

    before = handler_histogram(page(10, 10, 0.05), label)
    after = handler_histogram(page(110, 110, 0.55), label)
    assert after["count"] == 110
    delta = histogram_delta(before, after)
    assert delta == {"handled": 100, "mean_ms": 5.0, "p95_ms": pytest.approx(9.5)}


def results() -> dict[str, Any]:
    latency = {"n": 10, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 12.0}
    small = {
        "stored": 10_000,
        "intake": latency,
        "routing_mean_ms": 4.0,
        "routing_p95_ms": 8.0,
        "routed": latency,
    }
    large = small | {"stored": 200_000, "intake": latency | {"p50_ms": 10.0}, "routing_mean_ms": 5.0}
    data: dict[str, Any] = {
        "mode": "quick",
        "store_backend": "memory",
        "started_at": "2026-01-01T00:00:00+00:00",
        "machine": {
            "cores": 2,
            "memory_mib": 24_000,
            "python": "3.11.7",
            "rabbitmq": "3.10.8",
            "store": "mongo-java-server 1.47.0",
            "git_commit": "abc",
            "load_average_at_start": [0.1, 0.1, 0.1],
        },
        "ceilings": {
            "a": {"rps": 400.0, "latency": latency},
            "b": {"serial": {"latency": latency}, "pipelined": {"rps": 2000.0, "latency": latency}},
        },
        "intake": {
            "count": 100,
            "concurrency": 16,
            "rps": 300.0,
            "latency": latency,
            "errors": 0,
            "ratio_to_ceiling_a": 0.75,
            "e2e_capacity_rps": 250.0,
        },
        "e2e": {
            "offered_rps": 500.0,
            "seconds": 60.0,
            "accepted_rps": 499.0,
            "throughput_rps": 498.0,
            "intake": latency,
            "routed": latency | {"p99_ms": math.nan},
            "submitted": latency,
            "delivered": latency,
            "per_hop": {"p50_ratio": 1.5, "p99_ratio": 2.0},
            "not_completed": 0,
        },
        "burst": {
            "offered_rps": 1500.0,
            "seconds": 30.0,
            "accepted": 45_000,
            "errors": 0,
            "drain_s": 12.5,
            "intake": latency,
            "lost": 0,
            "unfinished_after_timeout": 0,
            "duplicates": 1,
            "duplicate_steps": 0,
        },
        "processes": {"peak_mib": {"intake": 100.0}, "cpu_s_per_1000": {"e2e": {"intake": 3.5}}},
        "growth": {"levels": [small, large], "ratios": growth_ratios(small, large)},
    }
    data["targets"] = report.check_targets(data)
    return data


def test_targets_pass_fail_and_never_pass_an_unmeasured_figure() -> None:
    verdicts = {row["target"]: row["passed"] for row in results()["targets"]}
    assert verdicts["end to end sustained, requests/s"] is False
    assert verdicts["intake p99 at that rate, ms"] is True
    assert verdicts["end to end p99, ms"] is False  # NaN: not measured
    assert verdicts["intake / ceiling (a)"] is True
    assert verdicts["burst: requests lost"] is True
    assert verdicts["burst: duplicate notifications"] is False
    assert verdicts["growth: intake p50 at large / small"] is False
    assert verdicts["growth: routing handler mean, large / small"] is True


def test_table_shows_every_section_and_the_verdicts() -> None:
    text = report.render(results())
    for title in (
        "1. Ceilings",
        "2. Intake",
        "3. End to end",
        "4. Burst",
        "5. Processes",
        "6. Growth",
        "Targets",
    ):
        assert title in text
    assert "5 / 9 / 12.0 ms" in text
    assert "FAIL" in text and "PASS" in text
    assert "200,000 stored" in text


def test_json_is_strict_with_nan_as_null(tmp_path: Path) -> None:
    path = report.result_path(tmp_path / "results", quick=True, day=date(2026, 1, 2))
    assert path.name == "quick-2026-01-02.json"
    assert report.result_path(tmp_path, quick=False, day=date(2026, 1, 2)).name == "2026-01-02.json"
    report.write_json(results(), path)
    data = json.loads(path.read_text())
    assert data["e2e"]["routed"]["p99_ms"] is None
    assert data["machine"]["cores"] == 2


def test_profile_shares_by_package_and_function() -> None:
    lines = [
        "<module> (/x/intake/__main__.py:1);run (/v/lib/python3.11/asyncio/base_events.py:10);"
        "insert_one (/v/lib/python3.11/site-packages/pymongo/collection.py:5) 30",
        "<module> (/x/intake/__main__.py:1);validate (/v/lib/python3.11/site-packages/pydantic/main.py:2) 10",
        "garbage",
    ]
    summary = profile.summary(profile.parse(lines))
    assert summary["samples"] == 40
    assert summary["self_by_package"] == [("pymongo", 0.75), ("pydantic", 0.25)]
    inclusive = dict(summary["inclusive_by_function"])  # type: ignore[arg-type]
    assert inclusive["run (asyncio/base_events.py)"] == 0.75
