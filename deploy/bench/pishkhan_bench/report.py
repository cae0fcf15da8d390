"""Targets, the printed table and the JSON file; pure functions of the results dict."""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class Target:
    name: str
    path: tuple[str, ...]
    limit: float
    at_least: bool

    def value(self, results: Mapping[str, Any]) -> float:
        node: Any = results
        for key in self.path:
            if not isinstance(node, Mapping) or key not in node:
                return math.nan
            node = node[key]
        return float(node)

    def check(self, results: Mapping[str, Any]) -> dict[str, Any]:
        value = self.value(results)
        compare: Callable[[float, float], bool] = operator.ge if self.at_least else operator.le
        passed = not math.isnan(value) and compare(value, self.limit)
        sign = ">=" if self.at_least else "<="
        return {"target": self.name, "value": value, "limit": f"{sign} {self.limit:g}", "passed": passed}


TARGETS = (
    Target("end to end sustained, requests/s", ("e2e", "throughput_rps"), 500, at_least=True),
    Target("intake p99 at that rate, ms", ("e2e", "intake", "p99_ms"), 50, at_least=False),
    Target("end to end p99, ms", ("e2e", "routed", "p99_ms"), 300, at_least=False),
    Target("intake / ceiling (a)", ("intake", "ratio_to_ceiling_a"), 0.5, at_least=True),
    Target("burst: requests lost", ("burst", "lost"), 0, at_least=False),
    Target("burst: duplicate notifications", ("burst", "duplicates"), 0, at_least=False),
    Target("growth: intake p50 at large / small", ("growth", "ratios", "intake_p50"), 1.5, at_least=False),
    Target("growth: intake p99 at large / small", ("growth", "ratios", "intake_p99"), 1.5, at_least=False),
    Target(
        "growth: routing handler mean, large / small",
        ("growth", "ratios", "routing_mean"),
        1.5,
        at_least=False,
    ),
    Target("growth: end to end p50, large / small", ("growth", "ratios", "e2e_p50"), 1.5, at_least=False),
)


def check_targets(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [target.check(results) for target in TARGETS]


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return (
            f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
        )
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def latency_cells(summary: Mapping[str, Any]) -> str:
    return " / ".join(fmt(summary.get(key, math.nan)) for key in ("p50_ms", "p95_ms", "p99_ms")) + " ms"


def table(title: str, rows: list[tuple[str, str]]) -> str:
    width = max([len(label) for label, _ in rows] + [10])
    lines = [title, "-" * len(title)]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def _ceiling_rows(r: Results) -> list[tuple[str, str]]:
    a, b = r["ceilings"]["a"], r["ceilings"]["b"]
    return [
        ("(a) bare FastAPI insert, requests/s", fmt(a["rps"])),
        ("(a) latency p50/p95/p99", latency_cells(a["latency"])),
        ("(b) AMQP round trip, one at a time, p50/p95/p99", latency_cells(b["serial"]["latency"])),
        ("(b) AMQP round trip, pipelined, messages/s", fmt(b["pipelined"]["rps"])),
        ("(b) pipelined latency p50/p95/p99", latency_cells(b["pipelined"]["latency"])),
    ]


def _intake_rows(r: Results) -> list[tuple[str, str]]:
    i = r["intake"]
    return [
        (f"accepted/s ({i['count']:,} requests, concurrency {i['concurrency']})", fmt(i["rps"])),
        ("latency p50/p95/p99", latency_cells(i["latency"])),
        ("not accepted", fmt(i["errors"])),
        ("ratio to ceiling (a)", fmt(i["ratio_to_ceiling_a"])),
        ("end-to-end capacity seen meanwhile, requests/s", fmt(i["e2e_capacity_rps"])),
    ]


def _e2e_rows(r: Results) -> list[tuple[str, str]]:
    e = r["e2e"]
    return [
        ("offered rate x duration", f"{fmt(e['offered_rps'])}/s x {fmt(e['seconds'])} s"),
        ("accepted/s at intake", fmt(e["accepted_rps"])),
        ("completed end to end, requests/s", fmt(e["throughput_rps"])),
        ("intake latency p50/p95/p99", latency_cells(e["intake"])),
        ("201 -> routed notification recorded", latency_cells(e["routed"])),
        ("201 -> submitted notification recorded", latency_cells(e["submitted"])),
        ("201 -> routed notification delivered (log SMS)", latency_cells(e["delivered"])),
        ("per hop p50 / ceiling (b) p50", fmt(e["per_hop"]["p50_ratio"])),
        ("per hop p99 / ceiling (b) p99", fmt(e["per_hop"]["p99_ratio"])),
        ("not completed", fmt(e["not_completed"])),
    ]


def _burst_rows(r: Results) -> list[tuple[str, str]]:
    b = r["burst"]
    return [
        ("offered rate x duration", f"{fmt(b['offered_rps'])}/s x {fmt(b['seconds'])} s"),
        ("accepted / not accepted", f"{fmt(b['accepted'])} / {fmt(b['errors'])}"),
        ("backlog drained after the burst, s", fmt(b["drain_s"])),
        ("intake latency p50/p95/p99", latency_cells(b["intake"])),
        ("lost (201 but missing in a store)", fmt(b["lost"])),
        ("not finished when the drain timed out", fmt(b["unfinished_after_timeout"])),
        ("duplicate notifications / timeline steps", f"{fmt(b['duplicates'])} / {fmt(b['duplicate_steps'])}"),
    ]


def _process_rows(r: Results) -> list[tuple[str, str]]:
    p = r["processes"]
    per_1000 = p["cpu_s_per_1000"].get("e2e", {})
    names = sorted(set(p["peak_mib"]) | set(per_1000))
    return [
        (
            name,
            f"peak {fmt(p['peak_mib'].get(name, math.nan))} MiB, {fmt(per_1000.get(name, math.nan))} CPU s / 1,000",
        )
        for name in names
    ]


def _growth_rows(r: Results) -> list[tuple[str, str]]:
    rows = []
    for level in r["growth"]["levels"]:
        rows += [
            (f"{level['stored']:,} stored: intake p50/p95/p99", latency_cells(level["intake"])),
            (
                f"{level['stored']:,} stored: routing handler mean / p95",
                f"{fmt(level['routing_mean_ms'])} / {fmt(level['routing_p95_ms'])} ms",
            ),
            (f"{level['stored']:,} stored: 201 -> routed p50/p95/p99", latency_cells(level["routed"])),
        ]
    ratios = r["growth"]["ratios"]
    rows.append(("ratios large / small", ", ".join(f"{key} {fmt(value)}" for key, value in ratios.items())))
    return rows


def _target_rows(r: Results) -> list[tuple[str, str]]:
    return [
        (row["target"], f"{fmt(row['value'])} ({row['limit']})  {'PASS' if row['passed'] else 'FAIL'}")
        for row in r["targets"]
    ]


SECTIONS: tuple[tuple[str, str, Callable[[Results], list[tuple[str, str]]]], ...] = (
    ("ceilings", "1. Ceilings", _ceiling_rows),
    ("intake", "2. Intake", _intake_rows),
    ("e2e", "3. End to end (201 at intake -> notification recorded in notify)", _e2e_rows),
    ("burst", "4. Burst", _burst_rows),
    ("processes", "5. Processes: peak memory (VmHWM), CPU per 1,000 requests in 3.", _process_rows),
    ("growth", "6. Growth", _growth_rows),
    ("targets", "Targets", _target_rows),
)


def render(results: Results) -> str:
    machine = results["machine"]
    head = (
        f"Pishkhan bench ({results['mode']}) {results['started_at']}  store: {results['store_backend']}\n"
        f"{machine['cores']} cores, {machine['memory_mib']:,} MiB, Python {machine['python']}, "
        f"RabbitMQ {machine['rabbitmq']}, {machine['store']}, commit {str(machine['git_commit'])[:10]}"
        f"{' (dirty)' if machine.get('git_dirty') else ''}, load at start {machine['load_average_at_start']}"
    )
    parts = [head]
    parts += [table(title, rows(results)) for key, title, rows in SECTIONS if key in results]
    return "\n\n".join(parts) + "\n"


def result_path(directory: Path, quick: bool, day: date) -> Path:
    return directory / f"{'quick-' if quick else ''}{day.isoformat()}.json"


def plain(value: Any) -> Any:
    """JSON-ready: NaN (a figure that could not be measured) becomes null, tuples lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_json(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
