"""Notify's HTTP API: staff views of deliveries and the subscription list."""

from notify.api.notifications import router as notifications_router
from notify.api.provider import router as provider_router
from notify.api.subscriptions import router as subscriptions_router
from notify.api.templates import router as templates_router

ROUTERS = (notifications_router, subscriptions_router, templates_router, provider_router)

__all__ = ["ROUTERS"]
