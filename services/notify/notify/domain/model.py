"""Who notify reaches and what it sent them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from contracts import Channel, Language

CONSULTATIONS_TOPIC = "consultations"
TOPICS = (CONSULTATIONS_TOPIC,)


class RecipientNotKnownYet(Exception):
    """An event about a request arrived before the request's own submission event."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"no recipient recorded yet for request {request_id}")
        self.request_id = request_id


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Recipient:
    """The citizen behind one request; keyed by the request id."""

    request_id: str
    tracking_code: str
    mobile: str | None = None
    email: str | None = None
    channel: Channel = Channel.SMS
    language: Language = Language.FA

    @property
    def reachable_by_sms(self) -> bool:
        return self.channel is Channel.SMS and self.mobile is not None


@dataclass(frozen=True)
class Subscription:
    topic: str
    mobile: str
    subscriber_id: str
    created_at: datetime

    @property
    def id(self) -> str:
        return subscription_id(self.topic, self.mobile)


def subscription_id(topic: str, mobile: str) -> str:
    return f"{topic}:{mobile}"


def delivery_id(source_event_id: str, recipient_key: str) -> str:
    """One delivery per event and recipient, however often the event arrives."""
    return f"{source_event_id}:{recipient_key}"


@dataclass(frozen=True)
class Delivery:
    id: str
    source_event_id: str
    request_id: str | None
    channel: Channel
    template: str
    to: str
    text: str
    created_at: datetime
    notification_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    provider_message_id: str | None = None
    reason: str | None = None
    finished_at: datetime | None = None
    tracking_code: str | None = None

    @classmethod
    def sms(
        cls,
        *,
        source_event_id: str,
        recipient_key: str,
        request_id: str | None,
        template: str,
        to: str,
        text: str,
        now: datetime,
        tracking_code: str | None = None,
    ) -> Delivery:
        return cls(
            id=delivery_id(source_event_id, recipient_key),
            source_event_id=source_event_id,
            request_id=request_id,
            channel=Channel.SMS,
            template=template,
            to=to,
            text=text,
            created_at=now,
            tracking_code=tracking_code,
        )

    @property
    def pending(self) -> bool:
        return self.status is DeliveryStatus.PENDING

    def delivered(self, provider_message_id: str, at: datetime) -> Delivery:
        return replace(
            self, status=DeliveryStatus.DELIVERED, provider_message_id=provider_message_id, finished_at=at
        )

    def failed(self, reason: str, at: datetime) -> Delivery:
        return replace(self, status=DeliveryStatus.FAILED, reason=reason, finished_at=at)


@dataclass(frozen=True)
class Office:
    """A licensed office, as far as notify needs it to call the office's software back."""

    office_code: str
    name_fa: str
    status: str
    callback_url: str | None
    signing_secret_ref: str | None
    updated_at: datetime
