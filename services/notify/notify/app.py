"""The notify service, wired: settings, store, bus, inbox, outbox, consumers and API."""

from __future__ import annotations

from fastapi import FastAPI

from notify.api import ROUTERS
from notify.consumers import register_consumers
from notify.ports import NOTIFICATIONS
from notify.providers import sms_provider
from notify.service import Notifier
from notify.settings import NotifySettings
from notify.store import INDEXES, MongoRepository
from servicekit.app import new_app, setup_bus, setup_health, setup_inbox, setup_outbox, setup_store


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()  # type: ignore[call-arg]
    app = new_app(
        "notify",
        settings,
        title="Pishkhan notify",
        description="Tells citizens and subscribers what happened: one SMS per event, with delivery records.",
    )
    store = setup_store(app, settings, INDEXES)
    bus = setup_bus(app, settings)
    inbox = setup_inbox(app, store)
    outbox = setup_outbox(app, store, bus, [NOTIFICATIONS])
    setup_health(app)

    repository = MongoRepository(store)
    app.state.repository = repository
    notifier = Notifier(
        repository,
        sms_provider(settings.sms_provider),
        outbox,
        tracking_url=settings.tracking_url,
        max_attempts=settings.delivery_limit,
    )
    register_consumers(bus, inbox, notifier)
    for router in ROUTERS:
        app.include_router(router)
    return app
