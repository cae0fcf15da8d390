"""Notify's staff store against a real store process (mongo-java-server): units kept newest first,
overdue cases kept by the moment each fact was stated, whichever order the events come in, and the
digest's day marks. Each test gets a database of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support import store_process

from contracts import RequestStatus
from notify.domain.model import Recipient
from notify.domain.staff import OverdueCase, staff_unit
from notify.store import INDEXES, MongoRepository
from notify.store.staff import STAFF_INDEXES, StaffStore
from servicekit.store import Store

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MOMENT = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 08:00 in Tehran


@pytest.fixture(scope="module")
def store_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from store_process(Path(tmp_path_factory.mktemp("notify-staff-store")), "notify")


@pytest.fixture
async def store(store_base: str) -> AsyncIterator[Store]:
    opened = Store(f"{store_base}/notify_{uuid.uuid4().hex[:12]}", "notify")
    await opened.ensure_indexes((*INDEXES, *STAFF_INDEXES))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def staff(store: Store) -> StaffStore:
    return StaffStore(store)


def case(request_id: str, unit_id: str = "d1-services", due_at: datetime = T0) -> OverdueCase:
    return OverdueCase(request_id, f"1403{request_id[-8:]}", unit_id, due_at)


async def overdue_ids(staff: StaffStore) -> list[str]:
    return sorted(c.request_id for c in await staff.overdue_at(MOMENT))


async def test_the_newest_word_on_a_unit_wins_in_any_order(staff: StaffStore) -> None:
    old = staff_unit("d1", "منطقه یک", "old@ardabil.example.ir", "09141230000", True, T0)
    new = staff_unit("d1", "منطقه یک", "new@ardabil.example.ir", None, True, T0 + HOUR)
    await staff.save_unit(new)
    await staff.save_unit(old)
    assert await staff.unit("d1") == new
    assert await staff.units(["d1", "d9"]) == {"d1": new}
    await staff.save_unit(old)  # the same late update again
    found = await staff.unit("d1")
    assert found is not None and found.email == "new@ardabil.example.ir" and found.mobile is None


async def test_an_escalation_keeps_a_case_overdue_until_a_later_finish(staff: StaffStore) -> None:
    await staff.case_overdue(case("r-00000001"), 1, T0)
    await staff.case_overdue(case("r-00000002", "d2-services"), 1, T0)
    assert await overdue_ids(staff) == ["r-00000001", "r-00000002"]
    await staff.case_status("r-00000001", RequestStatus.RESOLVED, T0 + HOUR)
    await staff.case_overdue(case("r-00000001"), 1, T0)  # a redelivery of the escalation
    assert await overdue_ids(staff) == ["r-00000002"]
    # reopened, then escalated again after the resolution: overdue again
    await staff.case_status("r-00000001", RequestStatus.REOPENED, T0 + 2 * HOUR)
    await staff.case_overdue(case("r-00000001"), 2, T0 + 30 * HOUR)
    assert await overdue_ids(staff) == ["r-00000001", "r-00000002"]


async def test_a_finish_that_overtakes_its_escalation_keeps_the_case_out(staff: StaffStore) -> None:
    await staff.case_status("r-00000003", RequestStatus.CLOSED, T0 + HOUR)
    await staff.case_overdue(case("r-00000003"), 1, T0)
    assert await overdue_ids(staff) == []
    await staff.case_status("r-00000004", RequestStatus.IN_PROGRESS, T0)  # not finished: nothing kept
    assert await staff.overdue_at(MOMENT + 1000 * HOUR) == []


async def test_moves_deadlines_and_pauses_follow_the_later_word(staff: StaffStore, store: Store) -> None:
    await staff.case_overdue(case("r-00000005"), 1, T0)
    await staff.case_moved("r-00000005", "d2-services", MOMENT + HOUR, T0 + 2 * HOUR)  # a fresh clock
    await staff.case_overdue(case("r-00000005"), 1, T0 + HOUR)  # an older placement arriving late
    assert await overdue_ids(staff) == []
    await staff.case_moved("r-00000005", None, T0, T0 + 3 * HOUR)  # a corrected calendar
    [moved] = await staff.overdue_at(MOMENT)
    assert (moved.unit_id, moved.due_at) == ("d2-services", T0)
    await staff.case_status("r-00000005", RequestStatus.ON_HOLD, T0 + 4 * HOUR)
    await staff.case_status("r-00000005", RequestStatus.IN_PROGRESS, T0 + 3 * HOUR)  # older
    assert await overdue_ids(staff) == []
    await staff.case_moved("r-00000099", "d1-services", T0, T0)  # never escalated: not kept
    assert await store.collection("overdue_cases").count_documents({"_id": "r-00000099"}) == 0


async def test_listed_cases_carry_the_service_of_their_request(staff: StaffStore, store: Store) -> None:
    await MongoRepository(store).save_recipient(
        Recipient("r-00000006", "140300000006", service_code="ARD-103")
    )
    await staff.case_overdue(case("r-00000006"), 1, T0)
    await staff.case_overdue(case("r-00000007", due_at=MOMENT), 1, MOMENT)  # due at the moment: not yet
    [listed] = await staff.overdue_at(MOMENT)
    assert (listed.request_id, listed.tracking_code, listed.service_code) == (
        "r-00000006",
        "140300000006",
        "ARD-103",
    )


async def test_concurrent_escalations_and_finishes_settle_on_the_later_one(staff: StaffStore) -> None:
    for n in range(10):
        request_id = f"r-1000000{n}"
        finish = staff.case_status(request_id, RequestStatus.RESOLVED, T0 + HOUR)
        escalate = staff.case_overdue(case(request_id), 1, T0 if n % 2 else T0 + 2 * HOUR)
        await asyncio.gather(finish, escalate) if n % 3 else await asyncio.gather(escalate, finish)
    assert await overdue_ids(staff) == [f"r-1000000{n}" for n in range(0, 10, 2)]


async def test_a_day_is_marked_done_once(staff: StaffStore) -> None:
    day = date(2026, 11, 24)
    assert not await staff.digest_done(day)
    await asyncio.gather(staff.mark_digest_done(day), staff.mark_digest_done(day))
    assert await staff.digest_done(day)
    assert not await staff.digest_done(day + timedelta(days=1))
