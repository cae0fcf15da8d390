from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from consultation.domain.comments import ModerationMode, PrivateContact, Stance, Submitter, SubmitterType
from consultation.domain.document import Content
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Actor
from consultation.domain.report import Decision
from consultation.service.comments import CommentService
from consultation.service.consultations import ConsultationService
from consultation.service.errors import LostRace
from consultation.service.schedule import ScheduleWatch
from consultation.settings import ConsultationSettings
from consultation.store import CommentRepository, ConsultationRepository, ResponseRepository
from servicekit.outbox import Outbox

AUTHOR = Actor(id="author-1", roles=frozenset({"author"}))
APPROVER = Actor(id="approver-1", roles=frozenset({"approver"}))
MODERATOR = Actor(id="moderator-1", roles=frozenset({"moderator"}))
OPENED_AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CONTENT = Content.model_validate(
    {
        "title_fa": "پیش‌نویس ساماندهی دستفروشان",
        "summary_fa": "ضوابط استقرار دستفروشان",
        "authority_fa": "شهرداری اردبیل",
        "category": "ساماندهی مشاغل",
        "districts": ["1"],
        "sections": [{"number": 1, "articles": [{"id": "a-1", "number": 1, "text_fa": "متن ماده یک"}]}],
    }
)


class Clock:
    def __init__(self) -> None:
        self.now = OPENED_AT

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(
    fake_store: Any, outbox: Outbox, settings: ConsultationSettings, clock: Clock
) -> ConsultationService:
    store: Any = fake_store
    return ConsultationService(
        ConsultationRepository(store),
        CommentRepository(store),
        ResponseRepository(store),
        outbox,
        settings,
        clock,
    )


async def _open(service: ConsultationService) -> str:
    created = await service.create(CONTENT, AUTHOR, ModerationMode.IMMEDIATE, None)
    await service.approve(created["_id"], APPROVER)
    await service.open(created["_id"], APPROVER, 14)
    return str(created["_id"])


async def _comment(
    comments: CommentService, draft_id: str, text: str = "با این ماده مخالفم", **kw: Any
) -> str:
    comment, _ = await comments.submit(
        draft_id,
        article_id=kw.get("article_id"),
        stance=Stance.AGAINST,
        text=text,
        submitter=Submitter(type=SubmitterType.ANONYMOUS),
        contact=kw.get("contact"),
    )
    return comment.receipt


async def test_opening_stages_the_event_with_url_category_and_districts(
    service: ConsultationService, fake_bus: Any
) -> None:
    draft_id = await _open(service)
    assert fake_bus.types() == ["consultation.opened.v1"]
    payload = fake_bus.published[0]["payload"]
    assert payload["url"] == f"https://rayzani.example.ir/consultations/{draft_id}"
    assert payload["category"] == "ساماندهی مشاغل" and payload["districts"] == ["1"]
    stored = await service.stored(draft_id)
    assert stored["status"] == "open" and stored["revision"] == 2
    assert [entry["action"] for entry in stored["audit"]] == ["create", "approve", "open"]


async def test_a_stale_read_loses_the_race(service: ConsultationService) -> None:
    created = await service.create(CONTENT, AUTHOR, ModerationMode.IMMEDIATE, None)
    stale = await service.stored(created["_id"])
    await service.approve(created["_id"], APPROVER)

    async def read_stale(_: str) -> Any:
        return stale

    service.consultations.get = read_stale  # type: ignore[method-assign]
    with pytest.raises(LostRace):
        await service.approve(created["_id"], Actor(id="approver-2", roles=frozenset({"approver"})))


async def test_the_window_decides_even_when_no_job_ran(service: ConsultationService, clock: Clock) -> None:
    draft_id = await _open(service)
    comments = CommentService(service)
    closes_at = (await service.stored(draft_id))["windows"][0]["closes_at"]
    clock.now = closes_at
    await _comment(comments, draft_id)
    clock.now = closes_at + timedelta(seconds=1)
    with pytest.raises(Refusal) as refused:
        await _comment(comments, draft_id)
    assert refused.value.code == "comment_window_closed"


async def test_two_watches_close_once_and_warn_once(
    service: ConsultationService, outbox: Outbox, fake_bus: Any, clock: Clock
) -> None:
    draft_id = await _open(service)
    closes_at = (await service.stored(draft_id))["windows"][0]["closes_at"]
    first, second = ScheduleWatch(service, outbox), ScheduleWatch(service, outbox)
    soon = closes_at - timedelta(hours=47)
    assert await first.scan(soon) + await second.scan(soon) == 1
    late = closes_at + timedelta(minutes=5)
    assert await first.scan(late) + await second.scan(late) == 1
    assert await first.scan(late) == 0
    assert fake_bus.types() == [
        "consultation.opened.v1",
        "consultation.closing_soon.v1",
        "consultation.closed.v1",
    ]
    stored = await service.stored(draft_id)
    assert stored["status"] == "closed"
    assert [entry["action"] for entry in stored["audit"]].count("close") == 1


async def test_issue_waits_for_every_group_and_tells_commenters(
    service: ConsultationService, outbox: Outbox, fake_bus: Any, clock: Clock
) -> None:
    draft_id = await _open(service)
    comments = CommentService(service)
    campaign = "ما با ساعت فعالیت بازارچه‌ها مخالفیم چون تا دیروقت سروصدا دارد"
    first = await _comment(comments, draft_id, campaign, contact=PrivateContact(mobile="09141234567"))
    await _comment(comments, draft_id, campaign + " لطفا")
    clock.now += timedelta(days=20)
    await ScheduleWatch(service, outbox).scan()
    await service.begin_revision(draft_id, AUTHOR)
    with pytest.raises(Refusal) as refused:
        await service.issue(draft_id, APPROVER, "بدون تغییر")
    assert refused.value.code == "unanswered_comments"
    await service.respond(draft_id, first, Decision.NOT_ACCEPTED, "ساعت‌ها تغییر نمی‌کند", AUTHOR)
    issued = await service.issue(draft_id, APPROVER, "بدون تغییر")
    assert issued["status"] == "final" and issued["final_version"] == 1
    finalized = fake_bus.published[-1]
    assert finalized["type"] == "consultation.finalized.v1"
    assert finalized["payload"]["commenters_to_tell"] == [
        {"receipt": first, "mobile": "+989141234567", "email": None, "language": "fa"}
    ]
    assert (await service.comments.get(first))["contact"] is None, (
        "the event carries it; the store forgets it"
    )
    assert (await service.stored(draft_id))["contacts_erased_at"] == clock.now


async def test_the_schedule_erases_contacts_a_crash_left_on_a_final_draft(
    service: ConsultationService, outbox: Outbox, clock: Clock
) -> None:
    draft_id = await _open(service)
    receipt = await _comment(CommentService(service), draft_id, contact=PrivateContact(email="a@example.ir"))
    await service.consultations.apply(draft_id, {}, {"status": "final"}, {})
    assert await service.consultations.final_with_contacts() == [draft_id]
    await ScheduleWatch(service, outbox).scan()
    assert (await service.comments.get(receipt))["contact"] is None
    assert await service.consultations.final_with_contacts() == []


async def test_three_reporters_hide_and_a_moderator_restores(service: ConsultationService) -> None:
    draft_id = await _open(service)
    comments = CommentService(service)
    receipt = await _comment(comments, draft_id)
    for reporter in ("1.1.1.1", "2.2.2.2", "2.2.2.2"):
        assert (await comments.report(receipt, reporter))["status"] == "published"
    assert (await comments.report(receipt, "3.3.3.3"))["status"] == "pending_review"
    restored = await comments.restore(receipt, MODERATOR, "مشکلی ندارد")
    assert restored["status"] == "published"
    assert [entry["action"] for entry in restored["audit"]] == ["reports_hide", "restore"]


async def test_a_campaign_split_between_two_processes_is_one_group_after_the_close(
    service: ConsultationService, outbox: Outbox, clock: Clock
) -> None:
    draft_id = await _open(service)
    process_a, process_b = CommentService(service), CommentService(service)
    await _comment(process_a, draft_id, "پارک حاشیه‌ای خیابان شریعتی باید ساعت‌دار شود تا جای پارک پیدا شود")
    await _comment(process_b, draft_id, "درختان چنار بلوار دانشگاه نیاز به هرس و آبیاری منظم دارند")
    campaign = "ما کسبه بازار تاریخی اردبیل با محدودیت ساعت فعالیت دستفروشان در ماده یک مخالفیم"
    receipts = [
        await _comment(process_a if n % 2 else process_b, draft_id, f"{campaign} امضا {n}") for n in range(10)
    ]
    split = {(await service.comments.get(receipt) or {})["group_id"] for receipt in receipts}
    assert len(split) == 2  # each process grouped its own copies

    clock.now += timedelta(days=20)
    await ScheduleWatch(service, outbox).scan()

    settled = {(await service.comments.get(receipt) or {})["group_id"] for receipt in receipts}
    assert len(settled) == 1
    unrelated = [entry for entry in await service.comments.groups(draft_id) if entry[0] not in receipts]
    assert all(group not in settled for _, _, group in unrelated)
