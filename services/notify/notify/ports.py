"""What the notifier needs from the world, as protocols, so tests can hand it fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from contracts import Channel, EventPayload, Language, RequestStatus
from notify.domain.model import Delivery, DeliveryStatus, Office, Recipient, StatusEntry, Subscription
from notify.domain.staff import OverdueCase, StaffUnit
from notify.domain.templates import Text

NOTIFICATIONS = "notifications"


class TemporaryFailure(Exception):
    """Passing trouble (timeout, connection refused, 5xx): worth trying again later."""


class PermanentFailure(Exception):
    """The provider refused this message for good (bad number, blocked sender)."""


class TechnicalFailure(Exception):
    """Something answered that no retry will fix and that is not the recipient's fault."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    text: str
    client_reference: str
    subject: str | None = None
    secret_ref: str | None = None


class Sender(Protocol):
    name: str

    async def send(self, message: Outgoing) -> str:
        """Hand one message over; returns the provider's message id, or raises one of the failures."""
        ...


class TemplateSource(Protocol):
    async def newest(self, event_type: str, channel: Channel, language: Language) -> Text | None: ...


@dataclass(frozen=True)
class Transition:
    """Move a delivery from `expected` (at `attempts`) on, recording `entry` in its history."""

    expected: DeliveryStatus
    attempts: int
    entry: StatusEntry
    fields: dict[str, Any]


@dataclass(frozen=True)
class DeliveryQuery:
    """Which deliveries staff look at: `to` is a contact as notify keeps it (E.164, lower-case e-mail)."""

    request_id: str | None = None
    tracking_code: str | None = None
    to: str | None = None
    limit: int = 50
    skip: int = 0


@dataclass(frozen=True)
class ReportWindow:
    """When a sent SMS is asked about at its gateway: no sooner than `settle` after the send, no
    later than `horizon` after it, and not again within `every` of the last time it was asked."""

    settle: timedelta
    horizon: timedelta
    every: timedelta


class ReportQueue(Protocol):
    """SMS handed to a gateway that has not said yet whether it arrived (`notify.store.repository`)."""

    async def awaiting_report(self, now: datetime, window: ReportWindow, limit: int) -> list[Delivery]:
        """Delivered to the provider, with its message id, no receipt yet, inside `window` at `now`,
        not answered "unknown"; oldest send first."""
        ...

    async def claim_report(self, delivery_id: str, now: datetime, window: ReportWindow) -> bool:
        """Mark the delivery asked at `now` (and count it), only if it is still waiting and nobody
        asked within `window.every`: False means another process has it for this round."""
        ...

    async def note_report(self, delivery_id: str, outcome: str, provider_status: str) -> None:
        """Keep the gateway's last answer; "unknown" ends the polling of this delivery."""
        ...


class Repository(Protocol):
    async def save_recipient(self, recipient: Recipient) -> None: ...

    async def recipient(self, request_id: str) -> Recipient | None: ...

    async def assign_unit(self, request_id: str, unit_id: str) -> None:
        """The unit now in charge of the request: its staff may see the request's deliveries."""
        ...

    async def schedule_erasure(self, request_id: str, at: datetime | None) -> None:
        """Forget the recipient's contact data at `at` (None: keep it)."""
        ...

    async def subscribers_page(self, topic: str, after: str | None, limit: int) -> list[Subscription]:
        """Up to `limit` confirmed subscribers of `topic` in the order of their `id`, after `after`."""
        ...

    async def opted_out(self, contact: str, topic: str) -> bool: ...

    async def opted_out_among(self, contacts: Sequence[str], topic: str) -> set[str]:
        """Those of `contacts` who opted out of `topic`."""
        ...

    async def fanout_progress(self, event_id: str) -> str | None:
        """The `id` of the last subscriber whose page of the event's fan-out was recorded."""
        ...

    async def save_fanout_progress(self, event_id: str, after: str) -> None: ...

    async def office(self, office_code: str) -> Office | None: ...

    async def save_office(self, office: Office) -> None:
        """Keep the newest state of an office; an older update arriving late changes nothing."""
        ...

    async def add_delivery(self, delivery: Delivery) -> bool:
        """Record the intent; False when one with its id exists already."""
        ...

    async def delivery(self, delivery_id: str) -> Delivery | None: ...

    async def due(self, now: datetime, channels: Sequence[Channel], limit: int) -> list[Delivery]:
        """Deliveries waiting for an attempt, and sends whose lease ran out (the sender died)."""
        ...

    async def transition(
        self, delivery_id: str, change: Transition, events: Sequence[EventPayload] = ()
    ) -> Delivery | None:
        """Apply `change` only if the delivery is still as expected; stage `events` in the same write."""
        ...


class StaffDirectory(Protocol):
    """Units, their overdue cases and the digest's day marks (`notify.store.staff`)."""

    async def save_unit(self, unit: StaffUnit) -> None:
        """Keep the newest state of a unit; an older update arriving late changes nothing."""
        ...

    async def unit(self, unit_id: str) -> StaffUnit | None: ...

    async def units(self, unit_ids: Sequence[str]) -> dict[str, StaffUnit]: ...

    async def case_overdue(self, case: OverdueCase, level: int, at: datetime) -> None:
        """An escalation at `at`: overdue unless the case finished later."""
        ...

    async def case_moved(
        self, request_id: str, unit_id: str | None, due_at: datetime | None, at: datetime
    ) -> None:
        """An overdue case's unit or deadline as of `at`, unless a later word is kept."""
        ...

    async def case_status(self, request_id: str, status: RequestStatus, at: datetime) -> None:
        """A status as of `at`; a finishing one ends the overdue escalated before it."""
        ...

    async def overdue_at(self, moment: datetime) -> list[OverdueCase]:
        """Cases overdue at `moment`, except those waiting for the citizen."""
        ...

    async def digest_done(self, day: date) -> bool: ...

    async def mark_digest_done(self, day: date) -> None: ...


class Relay(Protocol):
    async def relay(self, collection: str, document_id: Any) -> None: ...
