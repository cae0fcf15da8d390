"""The envelope every event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class EventPayload(BaseModel):
    """Base of every event payload; `event_type` is the routing key, version included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]


PayloadT = TypeVar("PayloadT", bound=EventPayload)


class Envelope(BaseModel, Generic[PayloadT]):
    """Metadata that lets any consumer deduplicate, trace and audit an event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    producer: str
    correlation_id: str
    payload: PayloadT

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(cls, payload: PayloadT, *, producer: str, correlation_id: str) -> Envelope[PayloadT]:
        # Parametrised by the payload's own class, so its fields survive serialisation.
        model = envelope_of(type(payload))
        return model(
            type=payload.event_type, producer=producer, correlation_id=correlation_id, payload=payload
        )

    def to_document(self) -> dict[str, Any]:
        """JSON-safe form, for the outbox and the wire."""
        return self.model_dump(mode="json")


def envelope_of(payload_model: type[PayloadT]) -> type[Envelope[PayloadT]]:
    """The envelope model whose payload is `payload_model`, for parsing and serialising."""
    model: type[Envelope[PayloadT]] = Envelope[payload_model]  # type: ignore[valid-type]
    return model
