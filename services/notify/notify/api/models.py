"""Request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts import Channel, Language
from notify.domain import segments
from notify.domain.model import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
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
    subscriber_id: str
    topic: str
    mobile: str | None = Field(description="masked: only the last three digits show")
    email: str | None = Field(description="masked")
    categories: list[str]
    districts: list[str]
    status: SubscriptionStatus
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        return cls(
            subscriber_id=subscription.subscriber_id,
            topic=subscription.topic,
            mobile=mask(subscription.mobile) if subscription.mobile else None,
            email=mask_email(subscription.email) if subscription.email else None,
            categories=list(subscription.categories),
            districts=list(subscription.districts),
            status=subscription.status,
            created_at=subscription.created_at,
        )


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]


class PublicSubscriptionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"mobile": "09141234567", "categories": ["سیما و منظر شهری"]}]},
    )

    mobile: str | None = Field(default=None, min_length=10, max_length=20)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    categories: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    districts: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=30)
    language: Language = Language.FA

    @field_validator("mobile")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return normalise_mobile(value) if value is not None else None

    @model_validator(mode="after")
    def _one_contact(self) -> PublicSubscriptionIn:
        if (self.mobile is None) == (self.email is None):
            raise ValueError("give a mobile number or an e-mail address, not both")
        return self


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[0-9]{6}$")


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact: str = Field(min_length=3, max_length=200, description="a mobile number or an e-mail address")
    topic: Literal["consultations", "requests"]
    opted_out: bool


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


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
    encoding: Literal["gsm7", "ucs2"] | None = Field(default=None, description="SMS only")
    segments: int | None = Field(default=None, description="SMS only: the parts the provider bills")

    @classmethod
    def of(cls, delivery: Delivery) -> NotificationOut:
        size = segments.analyse(delivery.text) if delivery.channel is Channel.SMS else None
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
            encoding=size.encoding if size else None,
            segments=size.segments if size else None,
        )


class StatusEntryOut(BaseModel):
    status: DeliveryStatus
    at: datetime
    reason: str | None


class NotificationDetail(NotificationOut):
    subject: str | None
    text: str
    next_attempt_at: datetime | None
    history: list[StatusEntryOut]

    @classmethod
    def of_detail(cls, delivery: Delivery) -> NotificationDetail:
        history = [StatusEntryOut(status=e.status, at=e.at, reason=e.reason) for e in delivery.history]
        base = NotificationOut.of(delivery).model_dump()
        return cls(
            **base,
            subject=delivery.subject,
            text=delivery.text,
            next_attempt_at=delivery.next_attempt_at,
            history=history,
        )


class NotificationList(BaseModel):
    items: list[NotificationOut]
