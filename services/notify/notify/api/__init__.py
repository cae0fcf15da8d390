"""Notify's HTTP API: staff views of deliveries and the subscription list."""

from notify.api.notifications import router as notifications_router
from notify.api.subscriptions import router as subscriptions_router

ROUTERS = (notifications_router, subscriptions_router)

__all__ = ["ROUTERS"]
