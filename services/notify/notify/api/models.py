"""Request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts import Channel
from notify.domain.model import Delivery, DeliveryStatus, Subscription
from notify.domain.phones import mask, normalise_mobile

Topic = Literal["consultations"]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"topic": "consultations", "mobile": "09141234567"}]},
    )

    topic: Topic
    mobile: str = Field(
        min_length=10, max_length=20, description="09xxxxxxxxx or +989xxxxxxxxx; Persian digits too"
    )

    @field_validator("mobile")
    @classmethod
    def _e164(cls, value: str) -> str:
        return normalise_mobile(value)


class SubscriptionOut(BaseModel):
    topic: str
    mobile: str = Field(description="masked: only the last three digits show")
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(
            topic=subscription.topic, mobile=mask(subscription.mobile), created_at=subscription.created_at
        )


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class NotificationOut(BaseModel):
    notification_id: str
    source_event_id: str
    request_id: str | None
    channel: Channel
    template: str
    recipient: str = Field(description="masked: only the last three digits show")
    status: DeliveryStatus
    attempts: int
    reason: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> NotificationOut:
        return cls(
            notification_id=delivery.notification_id,
            source_event_id=delivery.source_event_id,
            request_id=delivery.request_id,
            channel=delivery.channel,
            template=delivery.template,
            recipient=mask(delivery.to),
            status=delivery.status,
            attempts=delivery.attempts,
            reason=delivery.reason,
            created_at=delivery.created_at,
            finished_at=delivery.finished_at,
        )


class NotificationList(BaseModel):
    items: list[NotificationOut]
