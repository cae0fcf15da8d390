"""The daily digest of overdue cases: from the digest hour (Tehran), each unit with overdue cases
gets one Persian e-mail listing them; with several replicas, the unique key of the unit's digest of
the day decides who sends; what is overdue follows routing's events in whatever order they come."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import Channel, RequestStatus
from notify.digest import OverdueDigest
from notify.dispatch import Dispatcher, RetryPolicy
from notify.domain.model import Recipient
from notify.domain.staff import digest_day, digest_moment, how_overdue_fa, staff_unit
from notify.service import Notifier
from notify.staff import Escalation, StaffAlerts

from .conftest import (
    CONSOLE_URL,
    TRACKING_URL,
    Clock,
    FakeOutbox,
    FakeRepository,
    FakeStaffDirectory,
    FakeTemplates,
)
from .test_notify_staff_alerts import FakeMail

pytestmark = pytest.mark.unit

UPDATED = datetime(2026, 11, 1, tzinfo=UTC)
D1 = staff_unit("d1-services", "معاونت خدمات شهری منطقه یک", "d1@ardabil.example.ir", None, True, UPDATED)
D2 = staff_unit("d2-services", "معاونت خدمات شهری منطقه دو", "d2@ardabil.example.ir", None, True, UPDATED)
D3 = staff_unit("d3-services", "معاونت خدمات شهری منطقه سه", None, "09141230000", True, UPDATED)
# The clock's now: 2026-11-24 08:15 UTC, 11:45 in Tehran on 3 Azar 1405.
TODAY = date(2026, 11, 24)


class Replica:
    def __init__(
        self, repository: FakeRepository, directory: FakeStaffDirectory, clock: Clock, hour: int = 8
    ):
        self.mail = FakeMail()
        policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))
        dispatcher = Dispatcher(
            repository, {Channel.EMAIL: self.mail}, FakeOutbox(), policy, clock, random.Random(1)
        )
        notifier = Notifier(repository, dispatcher, FakeTemplates(), tracking_url=TRACKING_URL, clock=clock)
        self.alerts = StaffAlerts(directory, notifier.create, console_url=CONSOLE_URL)
        self.digest = OverdueDigest(
            directory, notifier.create, console_url=CONSOLE_URL, hour=hour, clock=clock
        )


def escalation(request_id: str, unit_id: str, due_at: datetime, level: int = 1) -> Escalation:
    return Escalation(request_id, f"14031234567{request_id[-1]}", unit_id, None, level, due_at, due_at)


@pytest.fixture
async def overdue(repository: FakeRepository, staff_directory: FakeStaffDirectory, clock: Clock) -> Replica:
    """Three units; d1 has two overdue cases and one due after the digest hour, d2 one, d3 (no
    e-mail) one. Escalations are told to each unit itself, whose e-mail is only d1's and d2's."""
    for unit in (D1, D2, D3):
        await staff_directory.save_unit(unit)
    await repository.save_recipient(Recipient("r-1", "140312345671", service_code="ARD-101"))
    replica = Replica(repository, staff_directory, clock)
    await replica.alerts.escalated(
        "e-1", escalation("r-1", "d1-services", datetime(2026, 11, 20, 5, 0, tzinfo=UTC))
    )
    await replica.alerts.escalated(
        "e-2", escalation("r-2", "d1-services", datetime(2026, 11, 23, 10, tzinfo=UTC))
    )
    await replica.alerts.escalated(
        "e-5", escalation("r-5", "d1-services", datetime(2026, 11, 24, 6, tzinfo=UTC))
    )
    await replica.alerts.escalated(
        "e-3", escalation("r-3", "d2-services", datetime(2026, 11, 22, tzinfo=UTC))
    )
    await replica.alerts.escalated(
        "e-4", escalation("r-4", "d3-services", datetime(2026, 11, 22, tzinfo=UTC))
    )
    replica.mail.sent.clear()
    replica.mail.subjects.clear()
    return replica


def digests(repository: FakeRepository) -> dict[str, str]:
    return {d.to: d.text for d in repository.records.values() if d.template == "staff.overdue_digest"}


def test_the_digest_of_a_tehran_day_is_due_from_its_hour() -> None:
    assert digest_day(datetime(2026, 11, 24, 4, 29, tzinfo=UTC), 8) is None  # 07:59 in Tehran
    assert digest_day(datetime(2026, 11, 24, 4, 30, tzinfo=UTC), 8) == TODAY
    assert digest_day(datetime(2026, 11, 24, 21, 0, tzinfo=UTC), 0) == date(2026, 11, 25)  # 00:30 there
    assert digest_moment(TODAY, 8) == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)


def test_how_overdue_is_said_in_days_and_hours() -> None:
    now = datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert how_overdue_fa(now - timedelta(days=4, hours=3, minutes=15), now) == "۴ روز و ۳ ساعت"
    assert how_overdue_fa(now - timedelta(days=2), now) == "۲ روز"
    assert how_overdue_fa(now - timedelta(hours=5, minutes=59), now) == "۵ ساعت"
    assert how_overdue_fa(now - timedelta(minutes=20), now) == "کمتر از یک ساعت"


async def test_each_unit_with_overdue_cases_gets_one_e_mail_listing_them(
    overdue: Replica, repository: FakeRepository
) -> None:
    assert await overdue.digest.tick() == 2
    sent = dict(overdue.mail.sent)
    assert sorted(sent) == ["d1@ardabil.example.ir", "d2@ardabil.example.ir"]
    assert "درخواست\u200cهای معوق «معاونت خدمات شهری منطقه یک»، ۳ آذر ۱۴۰۵" in overdue.mail.subjects
    assert sent["d1@ardabil.example.ir"] == (
        "گزارش روزانه «معاونت خدمات شهری منطقه یک»، ۳ آذر ۱۴۰۵: ۲ درخواست از مهلت رسیدگی گذشته است.\n"
        f"• 140312345671 — خدمت ARD-101 — ۴ روز و ۳ ساعت تأخیر — {CONSOLE_URL}/cases/r-1\n"
        f"• 140312345672 — خدمت نامشخص — ۲۲ ساعت تأخیر — {CONSOLE_URL}/cases/r-2"
    )  # r-5 fell due at 09:30, after today's digest hour: tomorrow's digest has it
    assert "140312345673" in sent["d2@ardabil.example.ir"]
    record = repository.records["digest-2026-11-24:unit-d1-services:email"]
    assert record.request_id is None


async def test_before_the_hour_nothing_is_sent_and_the_day_is_not_marked(
    overdue: Replica, staff_directory: FakeStaffDirectory, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 07:30 in Tehran
    assert await overdue.digest.tick() == 0
    assert overdue.mail.sent == [] and staff_directory.done == set()


async def test_two_replicas_send_each_unit_one_digest_a_day(
    overdue: Replica, repository: FakeRepository, staff_directory: FakeStaffDirectory, clock: Clock
) -> None:
    other = Replica(repository, staff_directory, clock)
    assert await overdue.digest.tick() == 2
    staff_directory.done.clear()  # the other replica read the day as not done before it was marked
    await other.digest.tick()
    assert await other.digest.tick() == 0  # marked done now: nothing is read
    assert len(overdue.mail.sent) + len(other.mail.sent) == 2
    assert len(digests(repository)) == 2
    clock.now += timedelta(days=1)
    await other.digest.tick()
    assert len(other.mail.sent) == 2  # the next day's digests
    assert "۴ آذر ۱۴۰۵: ۳ درخواست" in dict(other.mail.sent)["d1@ardabil.example.ir"]


async def test_a_finished_case_leaves_the_digest_whichever_event_comes_first(
    overdue: Replica, repository: FakeRepository
) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    await overdue.alerts.status_changed("r-1", RequestStatus.RESOLVED, at)
    # r-6 was resolved before its escalation arrived (another queue, later)
    await overdue.alerts.status_changed("r-6", RequestStatus.RESOLVED, at)
    await overdue.alerts.escalated("e-6", escalation("r-6", "d2-services", at - timedelta(hours=1)))
    await overdue.digest.tick()
    d1 = digests(repository)["d1@ardabil.example.ir"]
    assert "۱ درخواست" in d1 and "140312345671" not in d1
    assert "140312345676" not in digests(repository)["d2@ardabil.example.ir"]


async def test_a_reopened_case_escalated_again_is_back_in_the_digest(
    overdue: Replica, repository: FakeRepository
) -> None:
    await overdue.alerts.status_changed("r-3", RequestStatus.RESOLVED, datetime(2026, 11, 22, 6, tzinfo=UTC))
    await overdue.alerts.status_changed("r-3", RequestStatus.REOPENED, datetime(2026, 11, 22, 7, tzinfo=UTC))
    again = datetime(2026, 11, 23, 7, tzinfo=UTC)
    await overdue.alerts.escalated("e-7", escalation("r-3", "d2-services", again, level=2))
    await overdue.digest.tick()
    assert "140312345673" in digests(repository)["d2@ardabil.example.ir"]


async def test_waiting_for_the_citizen_moved_away_or_given_more_time_is_not_overdue(
    overdue: Replica, repository: FakeRepository, clock: Clock
) -> None:
    later = datetime(2026, 11, 23, 12, tzinfo=UTC)
    await overdue.alerts.status_changed("r-1", RequestStatus.ON_HOLD, later)  # the clock stops
    await overdue.alerts.case_moved(
        "r-3", "d1-services", datetime(2026, 11, 27, tzinfo=UTC), later
    )  # fresh clock
    await overdue.alerts.case_moved("r-2", None, datetime(2026, 11, 25, tzinfo=UTC), later)  # a new calendar
    await overdue.alerts.case_moved(
        "r-2", None, datetime(2026, 11, 1, tzinfo=UTC), later - timedelta(hours=1)
    )
    assert await overdue.digest.tick() == 0
    assert digests(repository) == {}
    await overdue.alerts.status_changed("r-1", RequestStatus.IN_PROGRESS, later + timedelta(hours=1))
    await overdue.alerts.status_changed(
        "r-1", RequestStatus.ON_HOLD, later - timedelta(hours=2)
    )  # late, older
    clock.now = datetime(2026, 11, 25, 8, tzinfo=UTC)
    await overdue.digest.tick()
    d1 = digests(repository)["d1@ardabil.example.ir"]
    assert "140312345671" in d1 and "140312345672" in d1  # r-2's new deadline passed in the night
    assert "140312345673" not in d1


async def test_a_unit_without_e_mail_gets_no_digest_and_the_day_is_done(
    overdue: Replica, repository: FakeRepository, staff_directory: FakeStaffDirectory
) -> None:
    await overdue.digest.tick()
    assert not any("d3" in key for key in repository.records if key.startswith("digest-"))
    assert staff_directory.done == {TODAY}
