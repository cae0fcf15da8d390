"""Consultation news to subscribers in pages: each once per event, through redeliveries and crashes."""

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest

from contracts import Channel, Language
from notify.dispatch import Dispatcher
from notify.domain.model import Delivery
from notify.domain.templates import Text
from notify.fanout import FanOut
from notify.service import ConsultationNotice, Notifier
from notify.watch import RetryWatch

from .conftest import TRACKING_URL, Clock, FakeRepository, FakeSms, FakeTemplates

pytestmark = pytest.mark.unit

NOTICE = ConsultationNotice(
    "ساماندهی پارکینگ", datetime(2026, 12, 8, 20, 29, 59, tzinfo=UTC), category="ترافیک", districts=("2",)
)
BATCH = 2


class Crash(Exception):
    pass


class CrashingRepository(FakeRepository):
    """Dies after recording `survive` deliveries, as a process killed in the middle of a fan-out."""

    def __init__(self, survive: int) -> None:
        super().__init__()
        self.survive = survive

    async def add_delivery(self, delivery: Delivery) -> bool:
        if self.survive == 0:
            raise Crash()
        self.survive -= 1
        return await super().add_delivery(delivery)


class CountingTemplates(FakeTemplates):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def newest(self, event_type: str, channel: Channel, language: Language) -> Text | None:
        self.reads += 1
        return await super().newest(event_type, channel, language)


def batched(
    repository: FakeRepository, dispatcher: Dispatcher, clock: Clock, templates: FakeTemplates | None = None
) -> Notifier:
    return Notifier(
        repository,
        dispatcher,
        templates or FakeTemplates(),
        tracking_url=TRACKING_URL,
        clock=clock,
        fanout_batch=BATCH,
    )


async def subscribe(repository: FakeRepository, count: int) -> list[str]:
    mobiles = [f"+98912000{n:04d}" for n in range(1, count + 1)]
    for mobile in mobiles:
        await repository.subscribe("consultations", mobile)
    return mobiles


def recorded_to(repository: FakeRepository) -> Counter[str]:
    return Counter(delivery.to for delivery in repository.records.values())


async def test_more_subscribers_than_a_batch_each_hear_once_even_when_the_event_comes_again(
    repository: FakeRepository, dispatcher: Dispatcher, clock: Clock, sms: FakeSms, watch: RetryWatch
) -> None:
    mobiles = await subscribe(repository, 7)
    await repository.subscribe("consultations", "+989120009998", categories=("فضای سبز",))
    await repository.subscribe("consultations", "+989120009999")
    repository.opt_outs.add(("+989120009999", "consultations"))
    notifier = batched(repository, dispatcher, clock)

    await notifier.consultation_opened("e-1", NOTICE)
    assert recorded_to(repository) == Counter(mobiles)
    assert len(repository.pages) == 5  # nine subscribers, two a page
    assert repository.pages[:3] == [None, "consultations:+989120000002", "consultations:+989120000004"]

    await notifier.consultation_opened("e-1", NOTICE)  # redelivered: starts after the last page
    assert repository.pages[5:] == ["consultations:+989120009999"]
    assert recorded_to(repository) == Counter(mobiles)

    assert sms.sent == []
    await watch.scan()
    assert sorted(to for to, _ in sms.sent) == mobiles


async def test_a_fan_out_that_died_midway_resumes_after_its_last_saved_page_without_duplicates(
    dispatcher: Dispatcher, clock: Clock, sms: FakeSms, watch: RetryWatch
) -> None:
    repository = CrashingRepository(survive=3)
    dispatcher._repository = repository
    mobiles = await subscribe(repository, 5)
    notifier = batched(repository, dispatcher, clock)
    with pytest.raises(Crash):
        await notifier.consultation_opened("e-1", NOTICE)
    assert repository.progress["e-1"] == "consultations:+989120000002"  # the first page was finished

    repository.survive = 100  # the event is redelivered to a healthy process
    await notifier.consultation_opened("e-1", NOTICE)
    after_first, after_second = "consultations:+989120000002", "consultations:+989120000004"
    assert repository.pages == [None, after_first, after_first, after_second]
    assert recorded_to(repository) == Counter(mobiles)
    await RetryWatch(repository, dispatcher, clock).scan()
    assert sorted(to for to, _ in sms.sent) == mobiles


async def test_two_processes_fanning_out_the_same_event_at_once_record_each_subscriber_once(
    repository: FakeRepository, dispatcher: Dispatcher, clock: Clock
) -> None:
    mobiles = await subscribe(repository, 9)
    first, second = batched(repository, dispatcher, clock), batched(repository, dispatcher, clock)
    await asyncio.gather(first.consultation_opened("e-1", NOTICE), second.consultation_opened("e-1", NOTICE))
    assert recorded_to(repository) == Counter(mobiles)
    assert len({delivery.id for delivery in repository.records.values()}) == 9


async def test_every_page_of_one_fan_out_uses_the_template_read_once(
    repository: FakeRepository, dispatcher: Dispatcher, clock: Clock
) -> None:
    await subscribe(repository, 6)
    templates = CountingTemplates()
    await batched(repository, dispatcher, clock, templates).consultation_opened("e-1", NOTICE)
    assert len(repository.records) == 6
    assert templates.reads == 1


def test_a_batch_holds_at_least_one_subscriber(repository: FakeRepository) -> None:
    with pytest.raises(ValueError):
        FanOut(repository, FakeTemplates(), lambda *_: asyncio.sleep(0, True), batch=0, unsubscribe_url=str)


async def test_one_turn_of_the_watch_sends_batch_after_batch_of_a_large_fan_out(
    repository: FakeRepository, dispatcher: Dispatcher, clock: Clock, sms: FakeSms, watch: RetryWatch
) -> None:
    mobiles = await subscribe(repository, 450)
    await batched(repository, dispatcher, clock).consultation_opened("e-1", NOTICE)
    await watch.tick()  # two full batches of 200 and the rest, without waiting for the next turn
    assert sorted(to for to, _ in sms.sent) == mobiles
