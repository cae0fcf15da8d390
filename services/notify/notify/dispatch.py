"""One attempt at a delivery: claim it, hand it to its channel, record the outcome.

The claim is a conditional update on the status and attempt count this process read, so two
notify processes (or a redelivered event and the retry watch) never send the same attempt twice.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts import Channel, EventPayload, NotificationDeliveredV1, NotificationFailedV1
from notify.domain import retry
from notify.domain.model import RETRYABLE, Delivery, DeliveryStatus, StatusEntry
from notify.ports import (
    NOTIFICATIONS,
    Outgoing,
    PermanentFailure,
    Relay,
    Repository,
    Sender,
    TechnicalFailure,
    TemporaryFailure,
    Transition,
)
from servicekit.logs import mask_personal_data

log = logging.getLogger("notify.dispatch")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base: timedelta = retry.BASE
    cap: timedelta = retry.CAP
    lease: timedelta = timedelta(minutes=5)


def is_due(delivery: Delivery, now: datetime) -> bool:
    if delivery.status in RETRYABLE:
        return delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
    if delivery.status is DeliveryStatus.SENDING:
        return delivery.lease_until is not None and delivery.lease_until <= now
    return False


class Dispatcher:
    def __init__(
        self,
        repository: Repository,
        senders: Mapping[Channel, Sender],
        outbox: Relay,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
        rng: random.Random | None = None,
    ) -> None:
        self._repository = repository
        self._senders = senders
        self._outbox = outbox
        self._policy = policy
        self._clock = clock
        self._rng = rng or random.Random()
        self.on_permanent_failure: Callable[[Delivery], Awaitable[None]] | None = None

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(self._senders)

    async def attempt(self, delivery_id: str) -> None:
        current = await self._repository.delivery(delivery_id)
        now = self._clock()
        if current is None or not is_due(current, now) or current.channel not in self._senders:
            return
        claimed = await self._claim(current, now)
        if claimed is not None:
            await self._send(claimed)

    async def _claim(self, current: Delivery, now: datetime) -> Delivery | None:
        change = Transition(
            expected=current.status,
            attempts=current.attempts,
            entry=StatusEntry(DeliveryStatus.SENDING, now),
            fields={"attempts": current.attempts + 1, "lease_until": now + self._policy.lease},
        )
        return await self._repository.transition(current.id, change)

    async def _send(self, delivery: Delivery) -> None:
        sender = self._senders[delivery.channel]
        message = Outgoing(
            delivery.to, delivery.text, delivery.notification_id, delivery.subject, delivery.secret_ref
        )
        try:
            message_id = await sender.send(message)
        except TemporaryFailure as error:
            await self._temporary(delivery, _reason(error))
        except PermanentFailure as error:
            await self._final(delivery, DeliveryStatus.PERMANENT_FAILURE, _reason(error))
            if delivery.channel is Channel.SMS and delivery.fallback_email and self.on_permanent_failure:
                await self.on_permanent_failure(delivery)
        except TechnicalFailure as error:
            await self._final(delivery, DeliveryStatus.TECHNICAL_FAILURE, _reason(error))
        except Exception as error:  # a bug or an unforeseen answer: don't loop on it
            log.exception("delivery %s: unexpected error from %s", delivery.id, sender.name)
            await self._final(delivery, DeliveryStatus.TECHNICAL_FAILURE, _reason(error))
        else:
            await self._delivered(delivery, sender.name, message_id)

    async def _delivered(self, delivery: Delivery, provider: str, message_id: str) -> None:
        now = self._clock()
        event = NotificationDeliveredV1(
            **_outcome_of(delivery),
            provider=provider,
            delivered_at=now,
        )
        fields = {"provider_message_id": message_id, "provider": provider, "finished_at": now}
        await self._finish(delivery, DeliveryStatus.DELIVERED, None, fields, [event])

    async def _temporary(self, delivery: Delivery, reason: str) -> None:
        if retry.should_give_up(delivery.attempts, self._policy.max_attempts):
            await self._final(delivery, DeliveryStatus.TEMPORARY_FAILURE, reason)
            return
        now = self._clock()
        policy = self._policy
        later = retry.next_attempt_at(now, delivery.attempts, base=policy.base, cap=policy.cap, rng=self._rng)
        log.info("delivery %s: attempt %d failed, next at %s", delivery.id, delivery.attempts, later)
        fields = {"next_attempt_at": later, "reason": reason}
        await self._finish(delivery, DeliveryStatus.TEMPORARY_FAILURE, reason, fields, [])

    async def _final(self, delivery: Delivery, status: DeliveryStatus, reason: str) -> None:
        now = self._clock()
        log.warning("delivery %s: %s after %d attempt(s): %s", delivery.id, status, delivery.attempts, reason)
        event = NotificationFailedV1(
            **_outcome_of(delivery),
            reason=reason,
            attempts=max(delivery.attempts, 1),
            failed_at=now,
        )
        fields = {"reason": reason, "finished_at": now, "next_attempt_at": None}
        await self._finish(delivery, status, reason, fields, [event])

    async def _finish(
        self,
        delivery: Delivery,
        status: DeliveryStatus,
        reason: str | None,
        fields: dict[str, object],
        events: list[EventPayload],
    ) -> None:
        entry = StatusEntry(status, self._clock(), reason)
        change = Transition(DeliveryStatus.SENDING, delivery.attempts, entry, fields | {"lease_until": None})
        if await self._repository.transition(delivery.id, change, events) is not None and events:
            await self._outbox.relay(NOTIFICATIONS, delivery.id)


def _outcome_of(delivery: Delivery) -> dict[str, Any]:
    """What `notification.delivered` and `notification.failed` both say about the delivery."""
    return {
        "notification_id": delivery.notification_id,
        "source_event_id": delivery.source_event_id,
        "request_id": delivery.request_id,
        "tracking_code": delivery.tracking_code,
        "channel": delivery.channel,
        "template": delivery.template,
    }


def _reason(error: Exception) -> str:
    text = mask_personal_data(str(error)) or type(error).__name__
    return str(text)[:500]
