"""Consultation events, translated for the notifier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from persiantools.digits import en_to_fa

from contracts import (
    ConsultationClosedV1,
    ConsultationClosingSoonV1,
    ConsultationFinalizedV1,
    ConsultationOpenedV1,
    Envelope,
)
from notify.domain.calendar import jalali_datetime_fa
from notify.domain.phones import normalise_email
from notify.service import Commenter, ConsultationNotice, Notifier

Handler = Callable[[Envelope[Any]], Awaitable[None]]


def consultation_handlers(service: Notifier) -> dict[str, Handler]:
    async def on_opened(envelope: Envelope[Any]) -> None:
        event: ConsultationOpenedV1 = envelope.payload
        notice = ConsultationNotice(
            event.title_fa,
            event.closes_at,
            event.summary_fa,
            event.url,
            event.category,
            tuple(event.districts),
        )
        await service.consultation_opened(str(envelope.event_id), notice)

    async def on_closing_soon(envelope: Envelope[Any]) -> None:
        event: ConsultationClosingSoonV1 = envelope.payload
        notice = ConsultationNotice(
            event.title_fa, event.closes_at, "", event.url, event.category, tuple(event.districts)
        )
        values = {"closes_at": jalali_datetime_fa(event.closes_at)}
        await service.consultation_news(event.event_type, str(envelope.event_id), notice, values)

    async def on_closed(envelope: Envelope[Any]) -> None:
        event: ConsultationClosedV1 = envelope.payload
        notice = ConsultationNotice(
            event.title_fa, event.closed_at, "", event.url, event.category, tuple(event.districts)
        )
        values = {
            "closed_at": jalali_datetime_fa(event.closed_at),
            "comment_count": en_to_fa(str(event.comment_count)),
        }
        await service.consultation_news(event.event_type, str(envelope.event_id), notice, values)

    async def on_finalized(envelope: Envelope[Any]) -> None:
        event: ConsultationFinalizedV1 = envelope.payload
        notice = ConsultationNotice(
            event.title_fa, event.finalized_at, "", event.url, event.category, tuple(event.districts)
        )
        values = {
            "finalized_at": jalali_datetime_fa(event.finalized_at),
            "summary_of_changes": event.summary_of_changes_fa,
        }
        commenters = [
            Commenter(c.receipt, c.mobile, normalise_email(c.email) if c.email else None, c.language)
            for c in event.commenters_to_tell
        ]
        await service.consultation_news(event.event_type, str(envelope.event_id), notice, values, commenters)

    return {
        "notify.consultation-opened": on_opened,
        "notify.consultation-closing-soon": on_closing_soon,
        "notify.consultation-closed": on_closed,
        "notify.consultation-finalized": on_finalized,
    }
