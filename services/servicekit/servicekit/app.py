"""Building blocks of a service's `create_app`: each `setup_*` wires one concern and
registers its own start and stop steps, in order, on the app's lifecycle."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.specification import AsyncAPI
from opentelemetry.sdk.trace import SpanProcessor
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from servicekit.auth import TokenVerifier
from servicekit.brokerwatch import BrokerWatch, probe
from servicekit.bus import Bus
from servicekit.context import correlation_id_var
from servicekit.errors import install_problem_handlers
from servicekit.faults import Faults
from servicekit.inbox import Inbox
from servicekit.limits import BodyLimitMiddleware
from servicekit.metrics import ServiceMetrics, setup_metrics
from servicekit.outbox import Outbox, outbox_indexes
from servicekit.periodic import JobBook, Periodic
from servicekit.settings import ServiceSettings
from servicekit.store import IndexSpec, Store
from servicekit.tracing import instrument_http, mark_current_span, tracer_provider

Step = Callable[[], Awaitable[None]]
BROKER_WATCH_SECONDS = 5.0
CORRELATION_HEADER = "X-Correlation-ID"


@dataclass
class Lifecycle:
    starts: list[Step] = field(default_factory=list)
    stops: list[Step] = field(default_factory=list)

    def on_start(self, step: Step) -> None:
        self.starts.append(step)

    def on_stop(self, step: Step) -> None:
        self.stops.insert(0, step)


def new_app(
    service: str,
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    version: str = "1.0.0",
    trace_processors: Sequence[SpanProcessor] = (),
) -> FastAPI:
    lifecycle = Lifecycle()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for step in lifecycle.starts:
            await step()
        try:
            yield
        finally:
            for step in lifecycle.stops:
                await step()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.service = service
    app.state.settings = settings
    app.state.lifecycle = lifecycle
    app.state.token_verifier = TokenVerifier(settings)
    app.state.faults = Faults.of(service)
    setup_metrics(app, ServiceMetrics(service))
    app.state.jobs = JobBook(app.state.metrics.registry, app.state.faults)
    app.state.tracer_provider = provider = tracer_provider(service, settings, *trace_processors)
    instrument_http(app, provider)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_problem_handlers(app)
    return app


def lifecycle_of(app: FastAPI) -> Lifecycle:
    lifecycle: Lifecycle = app.state.lifecycle
    return lifecycle


def setup_store(app: FastAPI, settings: ServiceSettings, indexes: Sequence[IndexSpec]) -> Store:
    store = Store(settings.mongodb_url, default_database=app.state.service)
    app.state.store = store

    async def start() -> None:
        await store.ensure_indexes(indexes)

    async def stop() -> None:
        await store.close()

    lifecycle_of(app).on_start(start)
    lifecycle_of(app).on_stop(stop)
    return store


def setup_bus(app: FastAPI, settings: ServiceSettings) -> Bus:
    bus = Bus(
        settings,
        app.state.service,
        metrics_registry=app.state.metrics.registry,
        tracer_provider=app.state.tracer_provider,
        faults=app.state.faults,
    )
    app.state.bus = bus
    lifecycle_of(app).on_stop(bus.stop)

    async def start() -> None:
        bus.check_consumes_its_topology()
        await bus.start()

    lifecycle_of(app).on_start(start)
    watch = BrokerWatch(bus.ready, probe(settings.amqp_url))
    setup_job(app, "broker-watch", watch.check, BROKER_WATCH_SECONDS)

    @app.get("/asyncapi.json", tags=["health"], summary="The events this service publishes and consumes")
    async def asyncapi() -> JSONResponse:
        spec = AsyncAPI(bus.broker, title=f"Pishkhan {app.state.service} events", version=app.version)
        return JSONResponse(spec.to_specification().to_jsonable())

    return bus


def setup_inbox(app: FastAPI, store: Store) -> Inbox:
    inbox = Inbox(store)
    app.state.inbox = inbox
    return inbox


def setup_outbox(app: FastAPI, store: Store, bus: Bus, collections: Sequence[str]) -> Outbox:
    settings: ServiceSettings = app.state.settings
    outbox = Outbox(
        store,
        bus,
        collections,
        sweep_seconds=settings.outbox_sweep_seconds,
        crash_before_publish=settings.fault_crash_before_publish,
        faults=app.state.faults,
        metrics=app.state.metrics,
    )
    app.state.outbox = outbox

    async def ensure_indexes() -> None:
        await store.ensure_indexes(outbox_indexes(collections))

    lifecycle_of(app).on_start(ensure_indexes)
    setup_job(app, "outbox-sweeper", outbox.sweep, settings.outbox_sweep_seconds)
    return outbox


def setup_job(
    app: FastAPI, name: str, job: Callable[[], Awaitable[object]], interval_seconds: float
) -> Periodic:
    """A background job run every `interval_seconds` from start to stop, booked in `app.state.jobs`."""
    periodic = Periodic(name, job, interval_seconds, app.state.jobs)

    async def start() -> None:
        periodic.start()

    lifecycle_of(app).on_start(start)
    lifecycle_of(app).on_stop(periodic.stop)
    return periodic


def setup_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": app.state.service}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="The broker and the store are reachable (503 if not); background jobs that keep failing",
    )
    async def readyz() -> JSONResponse:
        store, broker = await asyncio.gather(app.state.store.ping(), app.state.bus.ready())
        checks = {"store": store, "broker": broker}
        down = [name for name, up in checks.items() if not up]
        # A failing job is named, but the process stays ready: taking it out of service would not
        # mend the job and would take its HTTP away (every replica runs the same jobs).
        failing = app.state.jobs.failing()
        body = {
            "status": "unavailable" if down else "degraded" if failing else "ready",
            "service": app.state.service,
            "checks": checks,
            "down": down,
            "failing_jobs": failing,
        }
        return JSONResponse(body, status_code=503 if down else 200)


class CorrelationMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        correlation_id = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id[:100])
        mark_current_span(correlation_id[:100])
        try:
            response = await call_next(request)
        finally:
            correlation_id_var.reset(token)
        response.headers[CORRELATION_HEADER] = correlation_id[:100]
        return response
