"""What the notifier needs from the world, as protocols, so tests can hand it fakes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from contracts import EventPayload
from notify.domain.model import Delivery, Office, Recipient, Subscription

NOTIFICATIONS = "notifications"


class Repository(Protocol):
    async def save_recipient(self, recipient: Recipient) -> None: ...

    async def recipient(self, request_id: str) -> Recipient | None: ...

    async def subscribers(self, topic: str) -> list[Subscription]: ...

    async def save_office(self, office: Office) -> None:
        """Keep the newest state of an office; an older update arriving late changes nothing."""
        ...

    async def add_delivery(self, delivery: Delivery) -> Delivery | None:
        """Store a new pending delivery; if one with its id exists, return that one instead."""
        ...

    async def claim_attempt(self, delivery_id: str, seen_attempts: int) -> Delivery | None:
        """Take the next attempt of a pending delivery whose attempts are still `seen_attempts`.

        None when it is no longer pending or a concurrent handler of the same event took it.
        """
        ...

    async def finish(self, delivery: Delivery, events: Sequence[EventPayload]) -> bool:
        """Move a pending delivery to its final state and stage `events` in the same write."""
        ...


class Relay(Protocol):
    async def relay(self, collection: str, document_id: Any) -> None: ...
