"""Who notify reaches and what it sent them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from contracts import Channel, Language

CONSULTATIONS_TOPIC = "consultations"
REQUESTS_TOPIC = "requests"
TOPICS = (CONSULTATIONS_TOPIC, REQUESTS_TOPIC)


class RecipientNotKnownYet(Exception):
    """An event about a request arrived before the request's own submission event."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"no recipient recorded yet for request {request_id}")
        self.request_id = request_id


class DeliveryStatus(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


# A delivery in one of these may still be attempted (when its next_attempt_at is due).
RETRYABLE = frozenset({DeliveryStatus.CREATED, DeliveryStatus.TEMPORARY_FAILURE})


def needs_contact(status: DeliveryStatus, next_attempt_at: datetime | None) -> bool:
    """Whether a delivery may still be sent, and so still needs its recipient's address: it waits
    (created), is being sent, or failed for now with another attempt scheduled."""
    if status in (DeliveryStatus.CREATED, DeliveryStatus.SENDING):
        return True
    return status is DeliveryStatus.TEMPORARY_FAILURE and next_attempt_at is not None


@dataclass(frozen=True)
class StatusEntry:
    status: DeliveryStatus
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Recipient:
    """The citizen behind one request; keyed by the request id."""

    request_id: str
    tracking_code: str
    mobile: str | None = None
    email: str | None = None
    channel: Channel = Channel.SMS
    language: Language = Language.FA
    office_code: str | None = None
    service_code: str | None = None  # the digest of overdue cases names the service

    @property
    def reachable_by_sms(self) -> bool:
        return self.channel is Channel.SMS and self.mobile is not None


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


@dataclass(frozen=True)
class Subscription:
    """Someone who asked to hear about consultations; empty filters mean every category or district."""

    topic: str
    mobile: str | None
    subscriber_id: str
    created_at: datetime
    email: str | None = None
    categories: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    status: SubscriptionStatus = SubscriptionStatus.CONFIRMED
    language: Language = Language.FA

    @property
    def id(self) -> str:
        return subscription_id(self.topic, self.contact)

    @property
    def contact(self) -> str:
        return self.mobile or self.email or ""

    @property
    def channel(self) -> Channel:
        return Channel.SMS if self.mobile else Channel.EMAIL

    def matches(self, category: str | None, districts: tuple[str, ...]) -> bool:
        category_ok = not self.categories or category is None or category in self.categories
        district_ok = not self.districts or not districts or bool(set(districts) & set(self.districts))
        return category_ok and district_ok


def subscription_id(topic: str, contact: str) -> str:
    return f"{topic}:{contact}"


def delivery_id(source_event_id: str, recipient_key: str, channel: Channel) -> str:
    """One delivery per event, recipient and channel, however often the event arrives."""
    return f"{source_event_id}:{recipient_key}:{channel}"


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
    status: DeliveryStatus = DeliveryStatus.CREATED
    attempts: int = 0
    provider_message_id: str | None = None
    reason: str | None = None
    finished_at: datetime | None = None
    tracking_code: str | None = None
    subject: str | None = None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    fallback_email: str | None = None
    history: tuple[StatusEntry, ...] = ()
    event_type: str = ""
    recipient_key: str = ""
    language: Language = Language.FA
    values: Mapping[str, str] = field(default_factory=dict)
    secret_ref: str | None = None

    @classmethod
    def new(
        cls,
        *,
        source_event_id: str,
        recipient_key: str,
        channel: Channel,
        request_id: str | None,
        template: str,
        to: str,
        text: str,
        now: datetime,
        tracking_code: str | None = None,
        subject: str | None = None,
        send_at: datetime | None = None,
        fallback_email: str | None = None,
        event_type: str = "",
        language: Language = Language.FA,
        values: Mapping[str, str] | None = None,
        secret_ref: str | None = None,
    ) -> Delivery:
        return cls(
            id=delivery_id(source_event_id, recipient_key, channel),
            source_event_id=source_event_id,
            request_id=request_id,
            channel=channel,
            template=template,
            to=to,
            text=text,
            created_at=now,
            tracking_code=tracking_code,
            subject=subject,
            next_attempt_at=send_at or now,
            fallback_email=fallback_email,
            history=(StatusEntry(DeliveryStatus.CREATED, now),),
            event_type=event_type,
            recipient_key=recipient_key,
            language=language,
            values=dict(values or {}),
            secret_ref=secret_ref,
        )

    @property
    def final(self) -> bool:
        return self.status not in RETRYABLE and self.status is not DeliveryStatus.SENDING


@dataclass(frozen=True)
class Office:
    """A licensed office, as far as notify needs it to call the office's software back."""

    office_code: str
    name_fa: str
    status: str
    callback_url: str | None
    signing_secret_ref: str | None
    updated_at: datetime
