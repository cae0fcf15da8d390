"""The consultation service: draft rules, their two-week public comment windows, and decisions."""

from __future__ import annotations

from fastapi import FastAPI

from consultation.api.drafts import router as drafts_router
from consultation.settings import ConsultationSettings
from consultation.store import DRAFTS, INDEXES
from servicekit.app import new_app, setup_bus, setup_health, setup_outbox, setup_store

DESCRIPTION = (
    "Draft plans, bills and instructions that touch people's rights are published here for "
    "public comment for at least two weeks before they are decided."
)


def create_app(settings: ConsultationSettings | None = None) -> FastAPI:
    settings = settings or ConsultationSettings()
    app = new_app("consultation", settings, title="Pishkhan consultation", description=DESCRIPTION)
    store = setup_store(app, settings, INDEXES)
    bus = setup_bus(app, settings)
    setup_outbox(app, store, bus, [DRAFTS])
    setup_health(app)
    app.include_router(drafts_router)
    return app
