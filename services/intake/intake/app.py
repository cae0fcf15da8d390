"""Intake: where licensed offices file citizen requests and citizens follow them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from intake.api import admin, open311, pages, requests, track
from intake.consumers import register_consumers
from intake.retention import ContactRetention
from intake.service import IntakeService
from intake.settings import IntakeSettings
from intake.store.repository import INDEXES, OFFICES, REQUESTS, IntakeRepository
from servicekit.app import new_app, setup_bus, setup_health, setup_inbox, setup_job, setup_outbox, setup_store
from servicekit.ratelimit import RateLimiter


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()  # type: ignore[call-arg]
    app = new_app(
        "intake",
        settings,
        title="Pishkhan intake",
        description="Licensed electronic service offices file citizen requests; citizens follow them.",
    )
    store = setup_store(app, settings, INDEXES)
    bus = setup_bus(app, settings)
    inbox = setup_inbox(app, store)
    outbox = setup_outbox(app, store, bus, [REQUESTS, OFFICES])
    app.state.repository = repository = IntakeRepository(store)
    app.state.intake = IntakeService(repository, outbox)
    app.state.office_limiter = RateLimiter()
    app.state.track_limiter = RateLimiter()
    register_consumers(bus, inbox, repository, settings.contact_retention_days)
    retention = ContactRetention(repository)
    setup_job(app, "intake-contact-retention", retention.erase_due, settings.retention_scan_seconds)
    setup_health(app)
    app.include_router(requests.router)
    app.include_router(track.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("intake", "static")]), name="static")
    app.include_router(admin.public)
    app.include_router(admin.router)
    app.include_router(open311.router)
    return app
