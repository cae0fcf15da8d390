"""In-memory stand-ins for the store, the SMS gateway and the outbox, as fixtures."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts import EventPayload
from notify.domain.model import Delivery, Office, Recipient, Subscription, subscription_id
from notify.service import Notifier

NOW = datetime(2026, 11, 24, 8, 15, 3, tzinfo=UTC)
TRACKING_URL = "https://pishkhan.example/track"


class FakeRepository:
    def __init__(self) -> None:
        self.recipients: dict[str, Recipient] = {}
        self.subscribed: dict[str, Subscription] = {}
        self.records: dict[str, Delivery] = {}
        self.staged: dict[str, list[EventPayload]] = {}
        self.offices: dict[str, Office] = {}

    async def save_recipient(self, recipient: Recipient) -> None:
        self.recipients[recipient.request_id] = recipient

    async def recipient(self, request_id: str) -> Recipient | None:
        return self.recipients.get(request_id)

    async def subscribe(self, topic: str, mobile: str) -> Subscription:
        key = subscription_id(topic, mobile)
        subscriber = Subscription(topic, mobile, f"s{len(self.subscribed) + 1}", datetime.now(UTC))
        return self.subscribed.setdefault(key, subscriber)

    async def subscriptions(self, topic: str, limit: int) -> list[Subscription]:
        return [s for s in self.subscribed.values() if s.topic == topic][:limit]

    async def subscribers(self, topic: str) -> list[Subscription]:
        return await self.subscriptions(topic, 100_000)

    async def save_office(self, office: Office) -> None:
        current = self.offices.get(office.office_code)
        if current is None or current.updated_at < office.updated_at:
            self.offices[office.office_code] = office

    async def add_delivery(self, delivery: Delivery) -> Delivery | None:
        if delivery.id in self.records:
            return self.records[delivery.id]
        self.records[delivery.id] = delivery
        return None

    async def claim_attempt(self, delivery_id: str, seen_attempts: int) -> Delivery | None:
        current = self.records[delivery_id]
        if not current.pending or current.attempts != seen_attempts:
            return None
        self.records[delivery_id] = dataclasses.replace(current, attempts=current.attempts + 1)
        return self.records[delivery_id]

    async def finish(self, delivery: Delivery, events: Sequence[EventPayload]) -> bool:
        if not self.records[delivery.id].pending:
            return False
        self.records[delivery.id] = delivery
        self.staged.setdefault(delivery.id, []).extend(events)
        return True

    async def deliveries(self, request_id: str | None, limit: int) -> list[Delivery]:
        found = [d for d in self.records.values() if request_id is None or d.request_id == request_id]
        return found[:limit]

    def events(self) -> list[EventPayload]:
        return [event for events in self.staged.values() for event in events]


class FakeSms:
    name = "fake"

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures = list(failures or [])

    async def send(self, to_e164: str, text: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((to_e164, text))
        return f"m{len(self.sent)}"


class FakeOutbox:
    def __init__(self) -> None:
        self.relayed: list[tuple[str, Any]] = []

    async def relay(self, collection: str, document_id: Any) -> None:
        self.relayed.append((collection, document_id))


@pytest.fixture
def repository() -> FakeRepository:
    return FakeRepository()


@pytest.fixture
def sms() -> FakeSms:
    return FakeSms()


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox()


@pytest.fixture
def notifier(repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox) -> Notifier:
    return Notifier(repository, sms, outbox, tracking_url=TRACKING_URL, max_attempts=3, clock=lambda: NOW)
