"""Notify's own Prometheus metrics: stored notifications by channel and status."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from contracts import Channel
from notify.domain.model import DeliveryStatus
from servicekit.store import Collection


class NotificationCensus:
    """Counts the notifications collection at most once per `every`; the retry watch calls it."""

    def __init__(self, notifications: Collection, registry: CollectorRegistry, every: timedelta) -> None:
        self._notifications = notifications
        self._every = every
        self._last: datetime | None = None
        self.by_status = Gauge(
            "pishkhan_notifications",
            "Stored notifications by channel and status, at the last count",
            ["channel", "status"],
            registry=registry,
        )
        self._seen = {
            (str(channel), str(status))
            for channel in Channel
            if channel is not Channel.NONE
            for status in DeliveryStatus
        }
        for channel_name, status_name in self._seen:
            self.by_status.labels(channel_name, status_name).set(0)

    async def __call__(self, now: datetime) -> bool:
        """Refresh the gauge when due; returns whether it counted."""
        if self._last is not None and now - self._last < self._every:
            return False
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": {"channel": "$channel", "status": "$status"}, "count": {"$sum": 1}}}
        ]
        counts = {
            (str(row["_id"]["channel"]), str(row["_id"]["status"])): int(row["count"])
            async for row in await self._notifications.aggregate(pipeline)
        }
        self._seen |= counts.keys()
        counts = {key: counts.get(key, 0) for key in self._seen}
        for (channel, status), count in counts.items():
            self.by_status.labels(channel, status).set(count)
        self._last = now
        return True
