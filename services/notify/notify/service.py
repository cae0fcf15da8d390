"""The notifier: turns what happened into delivery intents, once per event, recipient and channel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from contracts import Channel, Language, RequestStatus
from notify.dispatch import Dispatcher
from notify.domain import quiet_hours, templates
from notify.domain.calendar import jalali_datetime_fa
from notify.domain.model import (
    CONSULTATIONS_TOPIC,
    REQUESTS_TOPIC,
    Delivery,
    Office,
    Recipient,
    RecipientNotKnownYet,
    Subscription,
)
from notify.fanout import FanOut, News
from notify.intents import Intent, office_intent, render
from notify.ports import Repository, TemplateSource

log = logging.getLogger("notify.service")

# Their own events (request.submitted, request.routed) already told the citizen.
ANNOUNCED_ELSEWHERE = frozenset({RequestStatus.SUBMITTED, RequestStatus.ROUTED})
FINISHED = frozenset({RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.CLOSED})


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Referral:
    request_id: str
    unit_name_fa: str
    unit_name_en: str
    unit_id: str | None = None


@dataclass(frozen=True)
class StatusChange:
    request_id: str
    status: RequestStatus
    note_fa: str
    unit_id: str | None = None


@dataclass(frozen=True)
class ConsultationNotice:
    title_fa: str
    closes_at: datetime
    summary_fa: str = ""
    url: str | None = None
    category: str | None = None
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Commenter:
    receipt: str
    mobile: str | None
    email: str | None
    language: Language = Language.FA


class Notifier:
    def __init__(
        self,
        repository: Repository,
        dispatcher: Dispatcher,
        template_source: TemplateSource,
        *,
        tracking_url: str,
        public_url: str = "",
        retention: timedelta = timedelta(days=90),
        clock: Callable[[], datetime] = utc_now,
        quiet: tuple[time, time] = (quiet_hours.QUIET_START, quiet_hours.QUIET_END),
        fanout_batch: int = 500,
    ) -> None:
        self._repository = repository
        self._dispatcher = dispatcher
        self._templates = template_source
        self._tracking_url = tracking_url
        self._public_url = public_url.rstrip("/")
        self._retention = retention
        dispatcher.on_permanent_failure = self.fall_back
        self._clock = clock
        self._quiet = quiet
        self._fanout = FanOut(
            repository,
            template_source,
            self._record,
            batch=fanout_batch,
            unsubscribe_url=self._unsubscribe_url,
        )

    def _unsubscribe_url(self, subscriber_id: str) -> str:
        return f"{self._public_url}/v1/public/subscriptions/{subscriber_id}/unsubscribe"

    async def request_submitted(self, event_id: str, recipient: Recipient) -> None:
        await self._repository.save_recipient(recipient)
        await self._tell_citizen("request.submitted.v1", event_id, recipient, {})

    async def request_routed(self, event_id: str, referral: Referral) -> None:
        recipient = await self._known_recipient(referral.request_id)
        if referral.unit_id:
            await self._repository.assign_unit(referral.request_id, referral.unit_id)
        english = recipient.language is Language.EN
        unit = referral.unit_name_en if english else referral.unit_name_fa
        values = {"unit_name": unit, "due_date": ""}
        await self._tell_citizen("request.routed.v1", event_id, recipient, values)
        facts = {"status": "routed", "unit_name_fa": referral.unit_name_fa}
        await self._tell_office("request.routed.v1", event_id, recipient, facts)

    async def status_changed(self, event_id: str, change: StatusChange) -> None:
        """The closing message is recorded before the erasure of the contact data is planned."""
        recipient = await self._known_recipient(change.request_id)
        if change.unit_id:
            await self._repository.assign_unit(change.request_id, change.unit_id)
        facts = {"status": str(change.status), "note_fa": change.note_fa}
        await self._tell_office("request.status_changed.v1", event_id, recipient, facts)
        if change.status not in ANNOUNCED_ELSEWHERE:
            english = recipient.language is Language.EN
            status = (templates.STATUS_EN if english else templates.STATUS_FA)[change.status]
            values = {"status": status, "note": change.note_fa, "unit_name": ""}
            await self._tell_citizen("request.status_changed.v1", event_id, recipient, values)
        await self._plan_erasure(change)

    async def consultation_opened(self, event_id: str, notice: ConsultationNotice) -> None:
        values = {"summary": notice.summary_fa, "closes_at": jalali_datetime_fa(notice.closes_at)}
        await self.consultation_news("consultation.opened.v1", event_id, notice, values)

    async def consultation_news(
        self,
        event_type: str,
        event_id: str,
        notice: ConsultationNotice,
        values: Mapping[str, str],
        commenters: Sequence[Commenter] = (),
    ) -> None:
        """Each matching confirmed subscriber once, and each commenter who asked to hear back.

        Only recorded here, in pages of subscribers; the delivery watch sends them.
        """
        values = {"title": notice.title_fa, "url": notice.url or ""} | dict(values)
        await self._fanout.run(News(event_type, event_id, values, notice.category, notice.districts))
        for commenter in commenters:
            await self._tell_commenter(event_type, event_id, commenter, values)

    async def _tell_commenter(
        self, event_type: str, event_id: str, commenter: Commenter, values: Mapping[str, str]
    ) -> None:
        channel, to = (
            (Channel.SMS, commenter.mobile) if commenter.mobile else (Channel.EMAIL, commenter.email)
        )
        if to is None or await self._repository.opted_out(to, CONSULTATIONS_TOPIC):
            return
        intent = Intent(
            event_type, event_id, f"c-{commenter.receipt}", channel, to, commenter.language, values
        )
        await self._record(intent, self._templates)

    async def confirm_subscription(self, subscription: Subscription, code: str) -> None:
        """Send the double opt-in code; urgent, as the person is waiting for it."""
        intent = Intent(
            "subscription.confirmation",
            f"confirm-{subscription.subscriber_id}-{code}",
            subscription.subscriber_id,
            subscription.channel,
            subscription.contact,
            subscription.language,
            {"code": code},
            urgent=True,
        )
        await self.create(intent)

    async def office_updated(self, office: Office) -> None:
        await self._repository.save_office(office)

    async def create(self, intent: Intent) -> None:
        """Record the intent under its unique key, then try it at once when it is due."""
        delivery = await render(intent, self._templates, self._clock(), self._quiet)
        if await self._add(delivery):
            await self._dispatcher.attempt(delivery.id)

    async def _record(self, intent: Intent, templates: TemplateSource) -> bool:
        """Record the intent under its unique key and leave it to the delivery watch."""
        return await self._add(await render(intent, templates, self._clock(), self._quiet))

    async def _add(self, delivery: Delivery) -> bool:
        if await self._repository.add_delivery(delivery):
            return True
        log.info("delivery %s exists already; left to its own attempts", delivery.id)
        return False

    async def _plan_erasure(self, change: StatusChange) -> None:
        """Contact data is kept only `retention` after the request is finished; reopening keeps it."""
        finished = change.status in FINISHED
        at = self._clock() + self._retention if finished else None
        await self._repository.schedule_erasure(change.request_id, at)

    async def fall_back(self, failed: Delivery) -> None:
        """An SMS refused for good goes out as an e-mail when the citizen gave one."""
        if failed.fallback_email is None:
            return
        intent = Intent(
            failed.event_type,
            failed.source_event_id,
            failed.recipient_key,
            Channel.EMAIL,
            failed.fallback_email,
            failed.language,
            failed.values,
            request_id=failed.request_id,
            tracking_code=failed.tracking_code,
        )
        await self.create(intent)

    async def _tell_office(
        self, event_type: str, event_id: str, recipient: Recipient, facts: dict[str, str]
    ) -> None:
        if recipient.office_code is None:
            return
        office = await self._repository.office(recipient.office_code)
        intent = office_intent(event_type, event_id, recipient, office, facts)
        if intent is not None:
            await self.create(intent)

    async def _known_recipient(self, request_id: str) -> Recipient:
        recipient = await self._repository.recipient(request_id)
        if recipient is None:
            raise RecipientNotKnownYet(request_id)
        return recipient

    async def _tell_citizen(
        self, event_type: str, event_id: str, recipient: Recipient, values: dict[str, str]
    ) -> None:
        address = _address(recipient)
        if address is None:
            log.info("request %s: nobody to tell (channel %s)", recipient.request_id, recipient.channel)
            return
        channel, to = address
        if await self._repository.opted_out(to, REQUESTS_TOPIC):
            log.info("request %s: the citizen opted out of request news", recipient.request_id)
            return
        link = templates.tracking_link(self._tracking_url, recipient.tracking_code)
        values = values | {"tracking_code": recipient.tracking_code, "tracking_link": link}
        intent = Intent(
            event_type,
            event_id,
            recipient.request_id,
            channel,
            to,
            recipient.language,
            values,
            request_id=recipient.request_id,
            tracking_code=recipient.tracking_code,
            fallback_email=recipient.email if channel is Channel.SMS else None,
        )
        await self.create(intent)


def _address(recipient: Recipient) -> tuple[Channel, str] | None:
    if recipient.channel is Channel.SMS and recipient.mobile:
        return Channel.SMS, recipient.mobile
    if recipient.channel is Channel.EMAIL and recipient.email:
        return Channel.EMAIL, recipient.email
    return None
