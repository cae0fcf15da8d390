"""Consultation news to every matching subscriber, a page at a time, each once per event.

Each page's intents are recorded under their unique keys (event, subscriber, channel), then the page's
last subscriber is kept as the event's progress. A redelivered event, or one taken up again after a
crash, starts after the last page saved; a page done twice records nothing twice. Sending is left to
the delivery watch at the provider's pace, so a large fan-out never holds its event for long.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from contracts import Channel, Language
from notify.domain.model import CONSULTATIONS_TOPIC, Subscription
from notify.domain.templates import Text
from notify.intents import Intent
from notify.ports import Repository, TemplateSource

log = logging.getLogger("notify.fanout")

# Records one intent with the given templates; False when it was recorded before.
Record = Callable[[Intent, TemplateSource], Awaitable[bool]]


@dataclass(frozen=True)
class News:
    """One consultation event as subscribers hear it."""

    event_type: str
    event_id: str
    values: Mapping[str, str]
    category: str | None = None
    districts: tuple[str, ...] = ()


class CachedTemplates:
    """Every message of one fan-out in the same template version, read once per key."""

    def __init__(self, source: TemplateSource) -> None:
        self._source = source
        self._texts: dict[tuple[str, Channel, Language], Text | None] = {}

    async def newest(self, event_type: str, channel: Channel, language: Language) -> Text | None:
        key = (event_type, channel, language)
        if key not in self._texts:
            self._texts[key] = await self._source.newest(event_type, channel, language)
        return self._texts[key]


class FanOut:
    def __init__(
        self,
        repository: Repository,
        templates: TemplateSource,
        record: Record,
        *,
        batch: int,
        unsubscribe_url: Callable[[str], str],
    ) -> None:
        if batch < 1:
            raise ValueError("a fan-out batch holds at least one subscriber")
        self._repository = repository
        self._templates = templates
        self._record = record
        self._batch = batch
        self._unsubscribe_url = unsubscribe_url

    async def run(self, news: News) -> int:
        """Records an intent for every matching subscriber not yet recorded; returns how many it added."""
        templates = CachedTemplates(self._templates)
        after = await self._repository.fanout_progress(news.event_id)
        added = 0
        while True:
            page = await self._repository.subscribers_page(CONSULTATIONS_TOPIC, after, self._batch)
            if not page:
                break
            added += await self._record_page(news, page, templates)
            after = page[-1].id
            await self._repository.save_fanout_progress(news.event_id, after)
            if len(page) < self._batch:
                break
        log.info("%s %s: %d subscriber message(s) recorded", news.event_type, news.event_id, added)
        return added

    async def _record_page(self, news: News, page: list[Subscription], templates: TemplateSource) -> int:
        matching = [s for s in page if s.matches(news.category, news.districts)]
        opted_out = await self._repository.opted_out_among([s.contact for s in matching], CONSULTATIONS_TOPIC)
        added = 0
        for subscriber in matching:
            if subscriber.contact not in opted_out:
                added += await self._record(self._intent(news, subscriber), templates)
        return added

    def _intent(self, news: News, subscriber: Subscription) -> Intent:
        return Intent(
            news.event_type,
            news.event_id,
            subscriber.subscriber_id,
            subscriber.channel,
            subscriber.contact,
            subscriber.language,
            news.values,
            footer=self._unsubscribe_url(subscriber.subscriber_id),
        )
