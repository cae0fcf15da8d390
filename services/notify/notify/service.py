"""The notifier: turns what happened into messages, once per event and recipient."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts import Language, NotificationDeliveredV1, NotificationFailedV1, RequestStatus
from notify.domain import templates
from notify.domain.calendar import jalali_datetime_fa
from notify.domain.model import CONSULTATIONS_TOPIC, Delivery, Office, Recipient, RecipientNotKnownYet
from notify.ports import NOTIFICATIONS, Relay, Repository
from notify.providers.sms import SmsProvider, SmsRejected
from servicekit.logs import mask_personal_data

log = logging.getLogger("notify.service")

# Their own events (request.submitted, request.routed) already told the citizen.
ANNOUNCED_ELSEWHERE = frozenset({RequestStatus.SUBMITTED, RequestStatus.ROUTED})


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Referral:
    request_id: str
    unit_name_fa: str
    unit_name_en: str


@dataclass(frozen=True)
class StatusChange:
    request_id: str
    status: RequestStatus
    note_fa: str


@dataclass(frozen=True)
class ConsultationNotice:
    title_fa: str
    closes_at: datetime


class Notifier:
    def __init__(
        self,
        repository: Repository,
        provider: SmsProvider,
        outbox: Relay,
        *,
        tracking_url: str,
        max_attempts: int,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._provider = provider
        self._outbox = outbox
        self._tracking_url = tracking_url
        self._max_attempts = max_attempts
        self._clock = clock

    async def request_submitted(self, event_id: str, recipient: Recipient) -> None:
        await self._repository.save_recipient(recipient)
        await self._tell_citizen(event_id, recipient, templates.REQUEST_RECEIVED)

    async def request_routed(self, event_id: str, referral: Referral) -> None:
        recipient = await self._known_recipient(referral.request_id)
        await self._tell_citizen(
            event_id,
            recipient,
            templates.REQUEST_ROUTED,
            unit_name_fa=referral.unit_name_fa,
            unit_name_en=referral.unit_name_en,
        )

    async def status_changed(self, event_id: str, change: StatusChange) -> None:
        recipient = await self._known_recipient(change.request_id)
        if change.status in ANNOUNCED_ELSEWHERE:
            return
        await self._tell_citizen(
            event_id,
            recipient,
            templates.REQUEST_STATUS_CHANGED,
            status_fa=templates.STATUS_FA[change.status],
            status_en=templates.STATUS_EN[change.status],
            note_fa=change.note_fa,
        )

    async def consultation_opened(self, event_id: str, notice: ConsultationNotice) -> None:
        text = templates.render(
            templates.CONSULTATION_OPENED,
            Language.FA,
            title_fa=notice.title_fa,
            closes_at_fa=jalali_datetime_fa(notice.closes_at),
        )
        for subscriber in await self._repository.subscribers(CONSULTATIONS_TOPIC):
            delivery = Delivery.sms(
                source_event_id=event_id,
                recipient_key=subscriber.subscriber_id,
                request_id=None,
                template=templates.CONSULTATION_OPENED,
                to=subscriber.mobile,
                text=text,
                now=self._clock(),
            )
            await self.deliver(delivery)

    async def office_updated(self, office: Office) -> None:
        await self._repository.save_office(office)

    async def deliver(self, delivery: Delivery) -> None:
        """Send a delivery unless an earlier handling of the same event already finished it."""
        existing = await self._repository.add_delivery(delivery)
        if existing is not None and not existing.pending:
            return
        # Duplicates of one event are handled concurrently; only one may take each attempt.
        seen = existing.attempts if existing is not None else 0
        attempt = await self._repository.claim_attempt(delivery.id, seen)
        if attempt is None:
            return
        try:
            message_id = await self._provider.send(attempt.to, attempt.text)
        except SmsRejected as error:
            await self._fail(attempt, mask_personal_data(str(error)) or "rejected by the SMS gateway")
        except Exception as error:
            if attempt.attempts < self._max_attempts:
                raise
            await self._fail(attempt, mask_personal_data(f"{type(error).__name__}: {error}"))
        else:
            await self._succeed(attempt, message_id)
        await self._outbox.relay(NOTIFICATIONS, delivery.id)

    async def _known_recipient(self, request_id: str) -> Recipient:
        recipient = await self._repository.recipient(request_id)
        if recipient is None:
            raise RecipientNotKnownYet(request_id)
        return recipient

    async def _tell_citizen(self, event_id: str, recipient: Recipient, template: str, **values: str) -> None:
        if not recipient.reachable_by_sms or recipient.mobile is None:
            log.info(
                "request %s: no SMS for %s (channel %s)", recipient.request_id, template, recipient.channel
            )
            return
        text = templates.render(
            template,
            recipient.language,
            tracking_code=recipient.tracking_code,
            tracking_link=templates.tracking_link(self._tracking_url, recipient.tracking_code),
            **values,
        )
        delivery = Delivery.sms(
            source_event_id=event_id,
            recipient_key=recipient.request_id,
            request_id=recipient.request_id,
            template=template,
            to=recipient.mobile,
            text=text,
            now=self._clock(),
            tracking_code=recipient.tracking_code,
        )
        await self.deliver(delivery)

    async def _succeed(self, delivery: Delivery, message_id: str) -> None:
        now = self._clock()
        event = NotificationDeliveredV1(
            notification_id=delivery.notification_id,
            source_event_id=delivery.source_event_id,
            request_id=delivery.request_id,
            tracking_code=delivery.tracking_code,
            channel=delivery.channel,
            template=delivery.template,
            provider=self._provider.name,
            delivered_at=now,
        )
        await self._repository.finish(delivery.delivered(message_id, now), [event])

    async def _fail(self, delivery: Delivery, reason: str) -> None:
        now, reason = self._clock(), reason[:500]
        log.warning("delivery %s failed after %d attempt(s): %s", delivery.id, delivery.attempts, reason)
        event = NotificationFailedV1(
            notification_id=delivery.notification_id,
            source_event_id=delivery.source_event_id,
            request_id=delivery.request_id,
            tracking_code=delivery.tracking_code,
            channel=delivery.channel,
            template=delivery.template,
            reason=reason,
            attempts=max(delivery.attempts, 1),
            failed_at=now,
        )
        await self._repository.finish(delivery.failed(reason, now), [event])
