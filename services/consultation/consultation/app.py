"""The consultation service: draft rules, their two-week public comment windows, and decisions."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from consultation.api import moderation, pages, public, staff
from consultation.api.deps import install_refusals
from consultation.api.pages.csrf import FormTokens, form_key
from consultation.api.pages.rendering import PageHeaders
from consultation.service.comments import CommentService
from consultation.service.consultations import ConsultationService
from consultation.service.schedule import ScheduleWatch
from consultation.settings import ConsultationSettings
from consultation.store import (
    CONSULTATIONS,
    INDEXES,
    CommentRepository,
    ConsultationRepository,
    ResponseRepository,
)
from servicekit.app import new_app, setup_bus, setup_health, setup_job, setup_outbox, setup_store
from servicekit.ratelimit import RateLimiter

DESCRIPTION = (
    "Draft plans, bills and instructions that touch people's rights are published here for "
    "public comment for at least two weeks before they are decided."
)


def create_app(settings: ConsultationSettings | None = None) -> FastAPI:
    settings = settings or ConsultationSettings()  # type: ignore[call-arg]
    app = new_app("consultation", settings, title="Pishkhan consultation", description=DESCRIPTION)
    store = setup_store(app, settings, INDEXES)
    bus = setup_bus(app, settings)
    outbox = setup_outbox(app, store, bus, [CONSULTATIONS])
    service = ConsultationService(
        ConsultationRepository(store), CommentRepository(store), ResponseRepository(store), outbox, settings
    )
    app.state.consultation_service = service
    app.state.comment_service = CommentService(service)
    app.state.comment_limiter = RateLimiter()
    app.state.form_tokens = FormTokens(form_key(settings))
    app.state.schedule_watch = watch = ScheduleWatch(service, outbox)
    setup_job(app, "consultation-schedule", watch.scan, settings.schedule_scan_seconds)
    install_refusals(app)
    setup_health(app)
    for router in (staff.router, public.router, public.comments_router, moderation.router, pages.router):
        app.include_router(router)
    app.mount("/consultations/static", StaticFiles(packages=[("consultation", "static")]), name="static")
    app.add_middleware(PageHeaders)
    return app
