"""Prometheus metrics at `/metrics`: HTTP requests, bus messages (FastStream's middleware),
the outbox backlog, and whatever a service registers on `app.state.metrics`."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "pishkhan_http_requests_total",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "pishkhan_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "pishkhan_outbox_pending_events",
            "Events written but not yet published, at the last sweep",
            registry=self.registry,
        )
        self.outbox_oldest_seconds = Gauge(
            "pishkhan_outbox_oldest_pending_seconds",
            "Age of the oldest unpublished event, at the last sweep",
            registry=self.registry,
        )


class HttpMetricsMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, metrics: ServiceMetrics) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self._metrics = metrics

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        self._metrics.http_requests.labels(request.method, route, str(response.status_code)).inc()
        self._metrics.http_seconds.labels(request.method, route).observe(time.perf_counter() - started)
        return response


def setup_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    app.state.metrics = metrics
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
