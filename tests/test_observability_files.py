"""Alert rules and the Grafana dashboard under deploy/observability are well formed, and every
`pishkhan_` metric they use is served by the running system."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from pymongo import MongoClient
from support import System, eventually, file_request, read_request

from notify.metrics import NotificationCensus
from pishkhan_local.cluster import SERVICES

OBSERVABILITY = Path(__file__).resolve().parents[1] / "deploy" / "observability"
ALERTS = OBSERVABILITY / "alerts.yaml"
DASHBOARD = OBSERVABILITY / "grafana-dashboard.json"
METRIC_NAME = re.compile(r"\bpishkhan_[a-z0-9_]+")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def _dashboard_exprs() -> list[str]:
    return [target["expr"] for panel in _dashboard()["panels"] for target in panel["targets"]]


def _persian(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


def test_alert_rules_are_complete() -> None:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    assert document["groups"], "no rule groups"
    names = set()
    for group in document["groups"]:
        assert group["name"] and group["rules"]
        for rule in group["rules"]:
            assert rule["alert"] not in names, f"duplicate alert {rule['alert']}"
            names.add(rule["alert"])
            assert str(rule["expr"]).strip(), rule["alert"]
            assert re.fullmatch(r"\d+[smh]", str(rule["for"])), rule["alert"]
            assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
            summary = rule["annotations"]["summary"]
            assert _persian(summary) and re.search(r"[A-Za-z]{3}", summary), rule["alert"]
    exprs = " ".join(str(rule["expr"]) for rule in _rules())
    for needed in (
        "pishkhan_outbox_pending_events",
        "pishkhan_outbox_oldest_pending_seconds",
        'rabbitmq_queue_messages{queue=~".*\\\\.dlq"}',
        "pishkhan_sla_overdue_cases",
        "pishkhan_job_failing",
        "pishkhan_job_seconds_since_success",
        "pishkhan_received_processed_messages_total",
        'status=~"5.."',
        "up{",
    ):
        assert needed in exprs, needed


def test_dashboard_panels_have_a_datasource_and_targets() -> None:
    dashboard = _dashboard()
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["expr"].strip() and target["refId"] for target in panel["targets"])
        assert {"x", "y", "w", "h"} <= panel["gridPos"].keys()
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    for topic in ("requests/s", "p95", "consumed", "published", "failed", "outbox", "dead letters", "sla"):
        assert topic in titles, topic
    assert "notifications by channel and status" in titles


def _exposed(text: str) -> dict[str, float]:
    """Sample names with their summed values, plus every declared family and its derived series."""
    exposed: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            exposed.setdefault(name, 0.0)
            if kind in {"histogram", "summary"}:
                for suffix in HISTOGRAM_SUFFIXES:
                    exposed.setdefault(name + suffix, 0.0)
        elif match := SAMPLE.match(line):
            exposed[match[1]] = exposed.get(match[1], 0.0) + float(match[2])
    return exposed


def _metrics(system: System, service: str) -> dict[str, float]:
    response = httpx.get(f"{system.url(service)}/metrics", timeout=10)
    assert response.status_code == 200
    return _exposed(response.text)


@pytest.mark.e2e
def test_every_pishkhan_metric_used_is_served(system: System) -> None:
    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    served: set[str] = set()
    for service in SERVICES:
        served |= _metrics(system, service).keys()
    used = {
        name
        for expr in [*(str(r["expr"]) for r in _rules()), *_dashboard_exprs()]
        for name in METRIC_NAME.findall(expr)
    }
    assert used, "no pishkhan_ metric used"
    assert used <= served, f"used but not served: {sorted(used - served)}"


@pytest.mark.e2e
def test_routing_counts_overdue_cases_and_notify_counts_notifications(system: System) -> None:
    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed")
    with MongoClient(system.cluster.stores["routing"].url, tz_aware=True) as client:
        cases = client.get_default_database()["cases"]
        before = cases.find_one(
            {"_id": filed["request_id"]}, {"sla.started_at": 1, "due_at": 1, "watch_at": 1}
        )
        assert before is not None
        long_ago = datetime.now(UTC) - timedelta(days=40)
        cases.update_one(
            {"_id": filed["request_id"]},
            {
                "$set": {
                    "sla.started_at": long_ago.isoformat(),
                    "due_at": long_ago + timedelta(days=14),
                    "watch_at": long_ago,
                }
            },
        )
        try:
            routing = eventually(
                lambda: (m := _metrics(system, "routing"))["pishkhan_sla_overdue_cases"] >= 1 and m,
                timeout=30,
            )
            assert routing["pishkhan_sla_escalations_total"] >= 1
        finally:
            cases.update_one(
                {"_id": filed["request_id"]},
                {
                    "$set": {
                        "sla.started_at": before["sla"]["started_at"],
                        "due_at": before["due_at"],
                        "watch_at": before["watch_at"],
                    }
                },
            )
    notify = eventually(
        lambda: (m := _metrics(system, "notify"))["pishkhan_notifications"] >= 1 and m, timeout=45
    )
    assert notify["pishkhan_notifications"] >= 1


class _Notifications:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    async def aggregate(self, pipeline: list[dict[str, Any]]) -> Any:
        """As PyMongo's asyncio client: awaited, then iterated."""
        rows = self.rows

        async def iterate() -> Any:
            for row in rows:
                yield row

        return iterate()


def test_notification_census_sets_counts_and_zeroes_what_disappeared() -> None:
    registry = CollectorRegistry()
    collection = _Notifications([{"_id": {"channel": "sms", "status": "delivered"}, "count": 3}])
    census = NotificationCensus(collection, registry, timedelta(seconds=30))  # type: ignore[arg-type]
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def value(channel: str, status: str) -> float | None:
        return registry.get_sample_value("pishkhan_notifications", {"channel": channel, "status": status})

    assert value("email", "permanent-failure") == 0
    assert asyncio.run(census(now)) is True
    assert value("sms", "delivered") == 3
    collection.rows = [{"_id": {"channel": "sms", "status": "sending"}, "count": 1}]
    assert asyncio.run(census(now + timedelta(seconds=10))) is False  # not due yet
    assert value("sms", "delivered") == 3
    assert asyncio.run(census(now + timedelta(seconds=31))) is True
    assert (value("sms", "delivered"), value("sms", "sending")) == (0, 1)
    assert b"pishkhan_notifications" in generate_latest(registry)
