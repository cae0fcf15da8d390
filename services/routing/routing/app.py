"""Routing: every request reaches the unit that must act on it, on time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from contracts import Envelope
from routing.api import admin, cases
from routing.calendars import CalendarBook
from routing.deadlines import DeadlineRecompute
from routing.escalation import EscalationWatch
from routing.metrics import SlaMetrics
from routing.service import Router
from routing.settings import RoutingSettings
from routing.store.repository import CASES, INDEXES, UNITS, RoutingRepository
from routing.units import UnitBook
from routing.work import CaseWork
from servicekit.app import (
    lifecycle_of,
    new_app,
    setup_bus,
    setup_health,
    setup_inbox,
    setup_job,
    setup_outbox,
    setup_store,
)

# Units stored before their saves were told to notify are told at start-up; later runs find none.
UNIT_ANNOUNCE_SECONDS = 3600.0


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()  # type: ignore[call-arg]
    app = new_app(
        "routing",
        settings,
        title="Pishkhan routing",
        description="Municipal units, routing rules, SLA clocks on the Iranian calendar, and the work queue.",
    )
    store = setup_store(app, settings, INDEXES)
    bus = setup_bus(app, settings)
    inbox = setup_inbox(app, store)
    outbox = setup_outbox(app, store, bus, [CASES, UNITS])
    app.state.repository = repository = RoutingRepository(store)
    app.state.units = units = UnitBook(repository, outbox)
    setup_job(app, "unit-announce", units.announce_unannounced, UNIT_ANNOUNCE_SECONDS)
    app.state.deadline_recompute = recompute = DeadlineRecompute(repository, outbox, settings)
    app.state.calendars = calendars = CalendarBook(repository, on_change=recompute.kick)
    app.state.router_service = router = Router(repository, outbox, calendars, settings)
    app.state.case_work = CaseWork(repository, outbox, calendars, settings)
    app.state.escalation_watch = watch = EscalationWatch(
        repository, outbox, calendars, settings, SlaMetrics(app.state.metrics.registry)
    )
    setup_watch(app, calendars, watch)
    setup_calendar_jobs(app, calendars, recompute)

    async def on_submitted(envelope: Envelope[Any]) -> None:
        await router.route(envelope.payload)

    bus.consume("routing.request-submitted", inbox.once("routing.request-submitted", on_submitted))
    setup_health(app)
    app.include_router(admin.router)
    app.include_router(cases.router)
    return app


def setup_watch(app: FastAPI, calendars: CalendarBook, watch: EscalationWatch) -> None:
    settings: RoutingSettings = app.state.settings
    lifecycle_of(app).on_start(calendars.ensure_default)
    setup_job(app, "sla-watch", watch.scan_and_log, settings.escalation_scan_seconds)


def setup_calendar_jobs(app: FastAPI, calendars: CalendarBook, recompute: DeadlineRecompute) -> None:
    """The coming year's official holidays (daily, and at start-up), and the recompute of a
    calendar change that a stopped process left unfinished."""
    settings: RoutingSettings = app.state.settings
    setup_job(
        app, "official-holidays", calendars.add_official_holidays, settings.official_holidays_scan_seconds
    )
    setup_job(app, "calendar-recompute", recompute.run_due, settings.calendar_recompute_seconds)
    lifecycle_of(app).on_stop(recompute.stop)
