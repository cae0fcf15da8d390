"""Routing's own Prometheus metrics, registered on the service's `/metrics` registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class SlaMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.overdue_cases = Gauge(
            "pishkhan_sla_overdue_cases",
            "Open cases past their SLA deadline, at the last scan of the SLA watch",
            registry=registry,
        )
        self.escalations = Counter(
            "pishkhan_sla_escalations",
            "Escalations fired by this process (SLA breaches and further overdue levels)",
            registry=registry,
        )
