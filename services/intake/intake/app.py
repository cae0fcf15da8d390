"""Intake: where licensed offices file citizen requests and citizens follow them."""

from __future__ import annotations

from fastapi import FastAPI

from intake.api import admin, requests
from intake.consumers import register_consumers
from intake.settings import IntakeSettings
from intake.store.repository import INDEXES, REQUESTS, IntakeRepository
from servicekit.app import new_app, setup_bus, setup_health, setup_inbox, setup_outbox, setup_store


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
    setup_outbox(app, store, bus, [REQUESTS])
    app.state.repository = repository = IntakeRepository(store)
    register_consumers(bus, inbox, repository)
    setup_health(app)
    app.include_router(requests.router)
    app.include_router(admin.public)
    app.include_router(admin.router)
    return app
