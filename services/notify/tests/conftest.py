"""In-memory stand-ins for the store, the SMS gateway and the outbox, as fixtures."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts import Channel, EventPayload, Language, RequestStatus
from notify.app import create_app
from notify.dispatch import Dispatcher, RetryPolicy, is_due
from notify.domain.model import Delivery, DeliveryStatus, Office, Recipient, Subscription, SubscriptionStatus
from notify.domain.staff import FINISHED, OverdueCase, StaffUnit
from notify.domain.templates import Text
from notify.ports import DeliveryQuery, Outgoing, ReportWindow, Transition
from notify.service import Notifier
from notify.settings import NotifySettings
from notify.staff import StaffAlerts
from notify.watch import RetryWatch

NOW = datetime(2026, 11, 24, 8, 15, 3, tzinfo=UTC)
TRACKING_URL = "https://pishkhan.example/track"
CONSOLE_URL = "https://console.pishkhan.example"
SECRET = "s" * 40


class FakeRepository:
    def __init__(self) -> None:
        self.recipients: dict[str, Recipient] = {}
        self.subscribed: dict[str, Subscription] = {}
        self.records: dict[str, Delivery] = {}
        self.staged: dict[str, list[EventPayload]] = {}
        self.offices: dict[str, Office] = {}
        self.opt_outs: set[tuple[str, str]] = set()
        self.erasures: dict[str, datetime | None] = {}
        self.progress: dict[str, str] = {}
        self.pages: list[str | None] = []
        self.units: dict[str, str] = {}
        self.reports: dict[str, dict[str, Any]] = {}  # the store's receipt fields, by delivery id

    async def save_recipient(self, recipient: Recipient) -> None:
        self.recipients[recipient.request_id] = recipient

    async def assign_unit(self, request_id: str, unit_id: str) -> None:
        self.units[request_id] = unit_id

    async def units_of(self, request_ids: list[str]) -> dict[str, str]:
        return {request_id: self.units[request_id] for request_id in request_ids if request_id in self.units}

    async def schedule_erasure(self, request_id: str, at: datetime | None) -> None:
        self.erasures[request_id] = at

    async def recipient(self, request_id: str) -> Recipient | None:
        return self.recipients.get(request_id)

    async def subscribe(self, topic: str, mobile: str, **extra: Any) -> Subscription:
        """A confirmed subscription, as staff record one."""
        subscriber = Subscription(topic, mobile, f"s{len(self.subscribed) + 1}", datetime.now(UTC), **extra)
        return self.subscribed.setdefault(subscriber.id, subscriber)

    async def subscriptions(self, topic: str, limit: int) -> list[Subscription]:
        confirmed = SubscriptionStatus.CONFIRMED
        return [s for s in self.subscribed.values() if s.topic == topic and s.status is confirmed][:limit]

    async def subscribers_page(self, topic: str, after: str | None, limit: int) -> list[Subscription]:
        confirmed = await self.subscriptions(topic, len(self.subscribed))
        ordered = sorted((s for s in confirmed if after is None or s.id > after), key=lambda s: s.id)
        self.pages.append(after)
        return ordered[:limit]

    async def opted_out(self, contact: str, topic: str) -> bool:
        return (contact, topic) in self.opt_outs

    async def opted_out_among(self, contacts: Sequence[str], topic: str) -> set[str]:
        return {contact for contact in contacts if (contact, topic) in self.opt_outs}

    async def fanout_progress(self, event_id: str) -> str | None:
        return self.progress.get(event_id)

    async def save_fanout_progress(self, event_id: str, after: str) -> None:
        self.progress[event_id] = after

    async def office(self, office_code: str) -> Office | None:
        return self.offices.get(office_code)

    async def save_office(self, office: Office) -> None:
        current = self.offices.get(office.office_code)
        if current is None or current.updated_at < office.updated_at:
            self.offices[office.office_code] = office

    async def add_delivery(self, delivery: Delivery) -> bool:
        if delivery.id in self.records:
            return False
        self.records[delivery.id] = delivery
        return True

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return self.records.get(delivery_id)

    async def by_notification_id(self, notification_id: str) -> Delivery | None:
        return next((d for d in self.records.values() if d.notification_id == notification_id), None)

    async def due(self, now: datetime, channels: Sequence[Channel], limit: int) -> list[Delivery]:
        return [d for d in self.records.values() if d.channel in channels and is_due(d, now)][:limit]

    async def transition(
        self, delivery_id: str, change: Transition, events: Sequence[EventPayload] = ()
    ) -> Delivery | None:
        current = self.records[delivery_id]
        if current.status is not change.expected or current.attempts != change.attempts:
            return None
        fields = {k: v for k, v in change.fields.items() if k in Delivery.__dataclass_fields__}
        changed = dataclasses.replace(
            current, status=change.entry.status, history=(*current.history, change.entry), **fields
        )
        self.records[delivery_id] = changed
        self.staged.setdefault(delivery_id, []).extend(events)
        return changed

    async def deliveries(self, wanted: DeliveryQuery) -> list[Delivery]:
        found = sorted(self.records.values(), key=lambda d: d.created_at, reverse=True)
        for name in ("request_id", "tracking_code", "to"):
            value = getattr(wanted, name)
            found = [d for d in found if value is None or getattr(d, name) == value]
        return found[wanted.skip : wanted.skip + wanted.limit]

    def _report(self, delivery_id: str) -> dict[str, Any]:
        return self.reports.setdefault(delivery_id, {"receipt": None, "checked_at": None, "checks": 0})

    def _waiting(self, delivery: Delivery, now: datetime, window: ReportWindow) -> bool:
        report = self._report(delivery.id)
        checked = report["checked_at"]
        return (
            report["receipt"] is None
            and report.get("lookup") != "unknown"
            and (checked is None or checked <= now - window.every)
        )

    async def awaiting_report(self, now: datetime, window: ReportWindow, limit: int) -> list[Delivery]:
        found = [
            d
            for d in self.records.values()
            if d.status is DeliveryStatus.DELIVERED
            and d.channel is Channel.SMS
            and d.provider_message_id
            and d.finished_at is not None
            and now - window.horizon <= d.finished_at <= now - window.settle
            and self._waiting(d, now, window)
        ]
        return sorted(found, key=lambda d: d.finished_at or now)[:limit]

    async def claim_report(self, delivery_id: str, now: datetime, window: ReportWindow) -> bool:
        if not self._waiting(self.records[delivery_id], now, window):
            return False
        report = self._report(delivery_id)
        report["checked_at"], report["checks"] = now, report["checks"] + 1
        return True

    async def note_report(self, delivery_id: str, outcome: str, provider_status: str) -> None:
        self._report(delivery_id).update({"lookup": outcome, "provider_status": provider_status})

    async def receipt(self, reference: str, outcome: str, at: datetime) -> bool:
        """`Operations.receipt` over these records: once per outcome; failed ends the delivery."""
        found = next(
            (d for d in self.records.values() if reference in (d.notification_id, d.provider_message_id)),
            None,
        )
        if found is None or self._report(found.id)["receipt"] == outcome:
            return False
        self._report(found.id).update(receipt=outcome, receipt_at=at)
        if outcome == "failed":
            self.records[found.id] = dataclasses.replace(found, status=DeliveryStatus.PERMANENT_FAILURE)
        return True

    def events(self) -> list[EventPayload]:
        return [event for events in self.staged.values() for event in events]


class FakeSubscriptions:
    """The subscription store over the fake repository's data."""

    def __init__(self, repository: FakeRepository) -> None:
        self.repository = repository
        self.codes: dict[str, str] = {}

    async def subscribe(self, wanted: Subscription, code: str | None = None) -> Subscription:
        existing = self.repository.subscribed.get(wanted.id)
        if existing is not None and existing.status is SubscriptionStatus.CONFIRMED:
            return existing
        subscriber_id = existing.subscriber_id if existing else f"s{len(self.repository.subscribed) + 1}"
        stored = dataclasses.replace(wanted, subscriber_id=subscriber_id)
        self.repository.subscribed[wanted.id] = stored
        if code:
            self.codes[subscriber_id] = code
        return stored

    async def subscribe_pending(self, wanted: Subscription, code: str) -> tuple[Subscription, bool]:
        existing = self.repository.subscribed.get(wanted.id)
        if existing is not None and existing.subscriber_id in self.codes:
            return existing, False
        stored = await self.subscribe(wanted, code)
        return stored, stored.status is SubscriptionStatus.PENDING

    def _find(self, subscriber_id: str) -> Subscription | None:
        return next(
            (s for s in self.repository.subscribed.values() if s.subscriber_id == subscriber_id), None
        )

    async def confirm(self, subscriber_id: str, code: str) -> Subscription | None:
        found = self._find(subscriber_id)
        if (
            found is None
            or found.status is not SubscriptionStatus.PENDING
            or self.codes.get(subscriber_id) != code
        ):
            return None
        confirmed = dataclasses.replace(found, status=SubscriptionStatus.CONFIRMED)
        self.repository.subscribed[found.id] = confirmed
        return confirmed

    async def unsubscribe(self, subscriber_id: str) -> bool:
        found = self._find(subscriber_id)
        if found is None:
            return False
        self.repository.subscribed[found.id] = dataclasses.replace(
            found, status=SubscriptionStatus.UNSUBSCRIBED
        )
        return True

    async def subscriptions(self, topic: str, limit: int) -> list[Subscription]:
        return await self.repository.subscriptions(topic, limit)

    async def set_opt_out(self, contact: str, topic: str, opted_out: bool) -> None:
        if opted_out:
            self.repository.opt_outs.add((contact, topic))
        else:
            self.repository.opt_outs.discard((contact, topic))


class FakeStaffDirectory:
    """Units and overdue cases as `notify.store.staff` keeps them: each fact with the moment it was
    stated, a later one winning; service codes from the recipients of `repository`."""

    def __init__(self, repository: FakeRepository) -> None:
        self.repository = repository
        self.units_by_id: dict[str, StaffUnit] = {}
        self.cases: dict[str, dict[str, Any]] = {}
        self.done: set[date] = set()

    async def save_unit(self, unit: StaffUnit) -> None:
        current = self.units_by_id.get(unit.unit_id)
        if current is None or current.updated_at < unit.updated_at:
            self.units_by_id[unit.unit_id] = unit

    async def unit(self, unit_id: str) -> StaffUnit | None:
        return self.units_by_id.get(unit_id)

    async def units(self, unit_ids: Sequence[str]) -> dict[str, StaffUnit]:
        return {unit_id: self.units_by_id[unit_id] for unit_id in unit_ids if unit_id in self.units_by_id}

    def _case(self, request_id: str) -> dict[str, Any]:
        empty = dict.fromkeys(("escalated_at", "finished_at", "placed_at", "status", "status_at"))
        return self.cases.setdefault(request_id, empty | {"_id": request_id, "overdue": False})

    async def case_overdue(self, case: OverdueCase, level: int, at: datetime) -> None:
        stored = self._case(case.request_id)
        if all(stored[field] is None or stored[field] < at for field in ("escalated_at", "finished_at")):
            stored |= {
                "escalated_at": at,
                "level": level,
                "overdue": True,
                "tracking_code": case.tracking_code,
            }
        await self.case_moved(case.request_id, case.unit_id, case.due_at, at)

    async def case_moved(
        self, request_id: str, unit_id: str | None, due_at: datetime | None, at: datetime
    ) -> None:
        stored = self.cases.get(request_id)
        if stored is not None and (stored["placed_at"] is None or stored["placed_at"] < at):
            stored |= {"due_at": due_at, "placed_at": at} | ({"unit_id": unit_id} if unit_id else {})

    async def case_status(self, request_id: str, status: RequestStatus, at: datetime) -> None:
        if status in FINISHED:
            stored = self._case(request_id)
            if stored["finished_at"] is None or stored["finished_at"] < at:
                stored["finished_at"] = at
            if stored["escalated_at"] is not None and stored["escalated_at"] <= at:
                stored["overdue"] = False
        stored = self.cases.get(request_id)
        if stored is not None and (stored["status_at"] is None or stored["status_at"] < at):
            stored |= {"status": str(status), "status_at": at}

    async def overdue_at(self, moment: datetime) -> list[OverdueCase]:
        recipients = self.repository.recipients
        return [
            OverdueCase(
                c["_id"],
                c["tracking_code"],
                c["unit_id"],
                c["due_at"],
                recipients[c["_id"]].service_code if c["_id"] in recipients else None,
            )
            for c in self.cases.values()
            if c["overdue"] and c["due_at"] is not None and c["due_at"] < moment and c["status"] != "on_hold"
        ]

    async def digest_done(self, day: date) -> bool:
        return day in self.done

    async def mark_digest_done(self, day: date) -> None:
        self.done.add(day)


class FakeSms:
    name = "fake"

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.references: list[str] = []
        self.failures = list(failures or [])

    async def send(self, message: Outgoing) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((message.to, message.text))
        self.references.append(message.client_reference)
        return f"m{len(self.sent)}"


class FakeTemplates:
    def __init__(self) -> None:
        self.texts: dict[tuple[str, Channel, Language], Text] = {}

    async def newest(self, event_type: str, channel: Channel, language: Language) -> Text | None:
        return self.texts.get((event_type, channel, language))


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


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
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake_templates() -> FakeTemplates:
    return FakeTemplates()


@pytest.fixture
def dispatcher(repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox, clock: Clock) -> Dispatcher:
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))
    return Dispatcher(repository, {Channel.SMS: sms}, outbox, policy, clock, random.Random(7))


@pytest.fixture
def notifier(
    repository: FakeRepository, dispatcher: Dispatcher, fake_templates: FakeTemplates, clock: Clock
) -> Notifier:
    return Notifier(repository, dispatcher, fake_templates, tracking_url=TRACKING_URL, clock=clock)


@pytest.fixture
def staff_directory(repository: FakeRepository) -> FakeStaffDirectory:
    return FakeStaffDirectory(repository)


@pytest.fixture
def staff(staff_directory: FakeStaffDirectory, notifier: Notifier) -> StaffAlerts:
    return StaffAlerts(staff_directory, notifier.create, console_url=CONSOLE_URL)


@pytest.fixture
def watch(repository: FakeRepository, dispatcher: Dispatcher, clock: Clock) -> RetryWatch:
    """Sends what was recorded for later (consultation news), as the running service's watch does."""
    return RetryWatch(repository, dispatcher, clock)


@pytest.fixture
def app(repository: FakeRepository, notifier: Notifier) -> FastAPI:
    settings = NotifySettings(
        mongodb_url="mongodb://127.0.0.1:1/notify",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
    )
    built = create_app(settings)
    built.state.repository = repository
    built.state.subscriptions = FakeSubscriptions(repository)
    built.state.notifier = notifier
    return built


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)
