"""Figures for the service-level statement a municipality publishes, per unit and per service."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from routing.domain.cases import OPEN

OPEN_VALUES = {str(status) for status in OPEN}
DONE_VALUES = {"resolved", "closed"}


class ServiceLevel(BaseModel):
    unit_id: str | None
    service_code: str
    received: int
    open: int
    overdue: int
    resolved: int
    resolved_within_sla_percent: float | None
    median_hours_to_resolve: float | None


def service_levels(cases: Iterable[dict[str, Any]], now: datetime) -> list[ServiceLevel]:
    """Group by (unit, service); time to resolve is wall-clock hours from submission."""
    groups: dict[tuple[str | None, str], list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        groups[(case.get("unit_id"), case["service_code"])].append(case)
    return [
        _level(unit_id, service_code, group, now)
        for (unit_id, service_code), group in sorted(
            groups.items(), key=lambda item: (item[0][0] or "", item[0][1])
        )
    ]


def _level(
    unit_id: str | None, service_code: str, cases: list[dict[str, Any]], now: datetime
) -> ServiceLevel:
    open_cases = [case for case in cases if case["status"] in OPEN_VALUES]
    done = [case for case in cases if case["status"] in DONE_VALUES and case.get("resolved_at")]
    on_time = [case for case in done if case.get("due_at") is None or case["resolved_at"] <= case["due_at"]]
    hours = [(case["resolved_at"] - case["submitted_at"]).total_seconds() / 3600 for case in done]
    return ServiceLevel(
        unit_id=unit_id,
        service_code=service_code,
        received=len(cases),
        open=len(open_cases),
        overdue=sum(1 for case in open_cases if case.get("due_at") and case["due_at"] < now),
        resolved=len(done),
        resolved_within_sla_percent=round(100 * len(on_time) / len(done), 1) if done else None,
        median_hours_to_resolve=round(statistics.median(hours), 1) if hours else None,
    )
