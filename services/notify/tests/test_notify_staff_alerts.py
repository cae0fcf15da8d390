"""Staff alerts: a unit's contact hears of a case near its deadline and of a breach escalated to it,
in Persian with a link to the case in the staff console, once per event, unit and channel; e-mail
at any hour, SMS outside the quiet hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import (
    Channel,
    Envelope,
    EventPayload,
    Language,
    RequestEscalatedV1,
    RequestSlaWarningV1,
    UnitUpdatedV1,
)
from notify.consumers import handlers, register_consumers
from notify.dispatch import Dispatcher, RetryPolicy
from notify.domain import placeholders, templates
from notify.domain.model import DeliveryStatus
from notify.domain.staff import UnitNotKnownYet, staff_unit
from notify.ports import Outgoing
from notify.service import Notifier
from notify.staff import Escalation, SlaWarning, StaffAlerts
from notify.watch import RetryWatch
from servicekit.delivery import NotYet

from .conftest import (
    CONSOLE_URL,
    TRACKING_URL,
    Clock,
    FakeOutbox,
    FakeRepository,
    FakeSms,
    FakeStaffDirectory,
    FakeTemplates,
)

pytestmark = pytest.mark.unit

REQUEST_ID = "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a"
UPDATED = datetime(2026, 11, 1, tzinfo=UTC)
SERVICES = staff_unit(
    "d1-services", "معاونت خدمات شهری منطقه یک", "Services.D1@Ardabil.example.ir", None, True, UPDATED
)
OFFICE = staff_unit("d1-office", "شهرداری منطقه یک", "d1@ardabil.example.ir", "۰۹۱۴ ۱۲۳ ۰۰۰۰", True, UPDATED)
ESCALATION = Escalation(
    REQUEST_ID,
    "140312345678",
    "d1-services",
    "d1-office",
    1,
    datetime(2026, 11, 26, 12, 30, tzinfo=UTC),
    datetime(2026, 11, 26, 12, 30, 5, tzinfo=UTC),
)
WARNING = SlaWarning(
    REQUEST_ID, "140312345678", "d1-services", 0.75, datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
)


class FakeMail(FakeSms):
    name = "fake-mail"

    def __init__(self) -> None:
        super().__init__()
        self.subjects: list[str | None] = []

    async def send(self, message: Outgoing) -> str:
        self.subjects.append(message.subject)
        return await super().send(message)


class Replica:
    """One notify process: its own dispatcher and staff alerts over the shared (fake) store."""

    def __init__(self, repository: FakeRepository, directory: FakeStaffDirectory, clock: Clock) -> None:
        self.sms, self.mail = FakeSms(), FakeMail()
        senders = {Channel.SMS: self.sms, Channel.EMAIL: self.mail}
        policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(minutes=10))
        dispatcher = Dispatcher(repository, senders, FakeOutbox(), policy, clock, random.Random(7))
        self.notifier = Notifier(
            repository, dispatcher, FakeTemplates(), tracking_url=TRACKING_URL, clock=clock
        )
        self.alerts = StaffAlerts(directory, self.notifier.create, console_url=CONSOLE_URL)
        self.watch = RetryWatch(repository, dispatcher, clock)


@pytest.fixture
def replica(repository: FakeRepository, staff_directory: FakeStaffDirectory, clock: Clock) -> Replica:
    return Replica(repository, staff_directory, clock)


async def known(directory: FakeStaffDirectory, *units: Any) -> None:
    for unit in units or (SERVICES, OFFICE):
        await directory.save_unit(unit)


def rendered(template: str, values: dict[str, str]) -> str:
    text = templates.default_text(template, Language.FA)
    return templates.tidy(placeholders.render(text.body, values))


@pytest.mark.parametrize("template", templates.STAFF_TEMPLATES)
def test_staff_templates_are_persian_and_pass_the_save_check(template: str) -> None:
    text = templates.DEFAULTS[Language.FA][template]
    templates.check_text(template, text.body)
    assert text.subject
    templates.check_text(template, text.subject)
    assert templates.default_text(template, Language.EN) == text  # staff read Persian
    with pytest.raises(placeholders.TemplateError):
        templates.check_text(template, text.body + " ((note))")  # what the alert does not fill


def test_the_digest_template_is_seeded_only_for_email() -> None:
    assert templates.seeded_channels(templates.STAFF_DIGEST) == (Channel.EMAIL,)
    assert templates.seeded_channels(templates.STAFF_ESCALATED) == (Channel.SMS, Channel.EMAIL)
    assert "درخواست\u200cهای معوق" in str(templates.DEFAULTS[Language.FA][templates.STAFF_DIGEST].subject)


def test_a_unit_is_reached_by_e_mail_and_by_sms_only_on_a_mobile() -> None:
    assert OFFICE.addresses() == [(Channel.EMAIL, "d1@ardabil.example.ir"), (Channel.SMS, "+989141230000")]
    assert SERVICES.addresses() == [(Channel.EMAIL, "services.d1@ardabil.example.ir")]
    desk = staff_unit("municipality", "شهرداری اردبیل", None, "137", True, UPDATED)
    assert desk.addresses() == []  # a landline takes no SMS


async def test_an_escalation_tells_the_unit_it_escalated_to_with_the_breach_and_a_link(
    replica: Replica, staff_directory: FakeStaffDirectory, repository: FakeRepository
) -> None:
    await known(staff_directory)
    await replica.alerts.escalated("e-9", ESCALATION)

    [(to, body)] = replica.mail.sent
    assert to == "d1@ardabil.example.ir"
    assert replica.mail.subjects == ["مهلت رسیدگی درخواست 140312345678 گذشت"]
    assert body == (
        "مهلت رسیدگی به درخواست 140312345678 در «معاونت خدمات شهری منطقه یک» در ۵ آذر ۱۴۰۵، ساعت ۱۶:۰۰"
        " به پایان رسید.\n"
        "پرونده در سطح ۱ پیگیری به «شهرداری منطقه یک» رسید.\n"
        f"مشاهده پرونده: {CONSOLE_URL}/cases/{REQUEST_ID}"
    )
    [(mobile, sms_text)] = replica.sms.sent
    assert mobile == "+989141230000" and body == sms_text
    email = repository.records[f"e-9:unit-d1-office:{Channel.EMAIL}"]
    assert (email.status, email.template, email.request_id) == (
        DeliveryStatus.DELIVERED,
        templates.STAFF_ESCALATED,
        REQUEST_ID,
    )
    assert f"e-9:unit-d1-office:{Channel.SMS}" in repository.records
    assert not any(key.startswith("e-9:unit-d1-services") for key in repository.records)


async def test_a_redelivered_escalation_handled_by_two_replicas_reaches_each_channel_once(
    repository: FakeRepository, staff_directory: FakeStaffDirectory, clock: Clock
) -> None:
    await known(staff_directory)
    first, second = Replica(repository, staff_directory, clock), Replica(repository, staff_directory, clock)
    for replica in (first, second, first, second):
        await replica.alerts.escalated("e-9", ESCALATION)
    for replica in (first, second):
        await replica.watch.scan()
    assert len(first.mail.sent + second.mail.sent) == 1
    assert len(first.sms.sent + second.sms.sent) == 1
    assert sorted(repository.records) == ["e-9:unit-d1-office:email", "e-9:unit-d1-office:sms"]
    # the next level is another event: it is told again
    await first.alerts.escalated("e-10", Escalation(**{**ESCALATION.__dict__, "level": 2}))
    assert len(first.mail.sent) + len(second.mail.sent) == 2
    assert "سطح ۲" in (first.mail.sent + second.mail.sent)[-1][1]


async def test_at_night_the_e_mail_goes_at_once_and_the_sms_waits_for_the_morning(
    replica: Replica, staff_directory: FakeStaffDirectory, repository: FakeRepository, clock: Clock
) -> None:
    await known(staff_directory)
    clock.now = datetime(2026, 11, 26, 19, 30, tzinfo=UTC)  # 23:00 in Tehran
    await replica.alerts.escalated("e-9", ESCALATION)
    assert len(replica.mail.sent) == 1
    assert replica.sms.sent == []
    held = repository.records["e-9:unit-d1-office:sms"]
    assert held.next_attempt_at == datetime(2026, 11, 27, 3, 30, tzinfo=UTC)  # 07:00 in Tehran
    clock.now = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)
    await replica.watch.scan()
    assert [to for to, _ in replica.sms.sent] == ["+989141230000"]
    assert len(replica.mail.sent) == 1


async def test_a_unit_at_the_top_of_its_chain_is_told_of_its_own_breach(
    replica: Replica, staff_directory: FakeStaffDirectory
) -> None:
    await known(staff_directory)
    await replica.alerts.escalated("e-9", Escalation(**{**ESCALATION.__dict__, "target_unit_id": None}))
    assert [to for to, _ in replica.mail.sent] == ["services.d1@ardabil.example.ir"]
    assert "به «معاونت خدمات شهری منطقه یک» رسید" in replica.mail.sent[0][1]


async def test_a_retired_unit_or_one_without_contact_is_not_sent_anything(
    replica: Replica, staff_directory: FakeStaffDirectory, repository: FakeRepository
) -> None:
    retired = staff_unit("d1-office", "شهرداری منطقه یک", "d1@ardabil.example.ir", None, False, UPDATED)
    await known(staff_directory, SERVICES, retired)
    await replica.alerts.escalated("e-9", ESCALATION)
    await known(
        staff_directory, staff_unit("d1-services", "معاونت", None, "137", True, UPDATED + timedelta(days=1))
    )
    await replica.alerts.sla_warning("e-8", WARNING)
    assert repository.records == {}
    assert replica.mail.sent == replica.sms.sent == []


async def test_an_alert_for_a_unit_not_known_yet_waits_for_its_news_and_is_kept_as_overdue(
    replica: Replica, staff_directory: FakeStaffDirectory
) -> None:
    with pytest.raises(UnitNotKnownYet):
        await replica.alerts.escalated("e-9", ESCALATION)
    assert staff_directory.cases[REQUEST_ID]["overdue"] is True  # the digest has it meanwhile
    await known(staff_directory)
    await replica.alerts.escalated("e-9", ESCALATION)
    assert len(replica.mail.sent) == 1


async def test_the_warning_tells_the_case_s_own_unit_the_share_and_the_deadline(
    replica: Replica, staff_directory: FakeStaffDirectory, repository: FakeRepository
) -> None:
    await known(staff_directory)
    await replica.alerts.sla_warning("e-8", WARNING)
    await replica.alerts.sla_warning("e-8", WARNING)
    [(to, body)] = replica.mail.sent
    assert to == "services.d1@ardabil.example.ir"
    assert replica.mail.subjects == ["مهلت رسیدگی درخواست 140312345678 رو به پایان است"]
    assert body.startswith("۷۵٪ از مهلت رسیدگی به درخواست 140312345678 در «معاونت خدمات شهری منطقه یک»")
    assert "پایان مهلت: ۵ آذر ۱۴۰۵، ساعت ۱۶:۰۰" in body
    assert body.endswith(f"{CONSOLE_URL}/cases/{REQUEST_ID}")
    assert list(repository.records) == ["e-8:unit-d1-services:email"]
    assert staff_directory.cases == {}  # a warning is not overdue


async def test_a_paused_clock_s_warning_says_the_clock_waits_for_the_citizen(
    replica: Replica, staff_directory: FakeStaffDirectory
) -> None:
    await known(staff_directory)
    await replica.alerts.sla_warning("e-8", SlaWarning(**{**WARNING.__dict__, "due_at": None}))
    assert "پایان مهلت: متوقف تا پاسخ شهروند" in replica.mail.sent[0][1]


async def test_alerts_go_to_the_unit_s_contact_as_routing_last_told_it(
    replica: Replica, staff_directory: FakeStaffDirectory
) -> None:
    await known(staff_directory)
    moved = staff_unit(
        "d1-services",
        "معاونت خدمات شهری منطقه یک",
        "khadamat.d1@ardabil.example.ir",
        None,
        True,
        UPDATED + timedelta(days=1),
    )
    await replica.alerts.unit_updated(moved)
    await replica.alerts.unit_updated(SERVICES)  # an older update, arriving late
    await replica.alerts.sla_warning("e-8", WARNING)
    assert [to for to, _ in replica.mail.sent] == ["khadamat.d1@ardabil.example.ir"]


def envelope_of(model: type[EventPayload], **changes: Any) -> Envelope[Any]:
    example = model.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    return Envelope.wrap(model.model_validate(example | changes), producer="routing", correlation_id="c-1")


async def test_routing_s_events_reach_the_unit_through_the_handlers(
    replica: Replica, staff_directory: FakeStaffDirectory
) -> None:
    on = handlers(replica.notifier, replica.alerts)
    unit = envelope_of(UnitUpdatedV1, unit_id="d1-lighting", contact_phone="137")
    deputy = envelope_of(UnitUpdatedV1, unit_id="d1-deputy", name_fa="معاونت منطقه یک")
    await on["notify.unit-updated"](unit)
    await on["notify.unit-updated"](deputy)
    await on["notify.request-sla-warning"](envelope_of(RequestSlaWarningV1))
    await on["notify.request-escalated"](envelope_of(RequestEscalatedV1))
    lighting = await staff_directory.unit("d1-lighting")
    assert (
        lighting is not None
        and lighting.mobile is None
        and lighting.email == "lighting.d1@ardabil.example.ir"
    )
    assert [to for to, _ in replica.mail.sent] == ["lighting.d1@ardabil.example.ir"] * 2
    assert [to for to, _ in replica.sms.sent] == ["+989141230000"]  # the deputy's mobile
    assert "«واحد روشنایی معابر منطقه یک»" in replica.mail.sent[1][1]


class RecordingBus:
    def __init__(self) -> None:
        self.consumers: dict[str, Any] = {}

    def consume(self, queue_name: str, handler: Any) -> None:
        self.consumers[queue_name] = handler


class PassThroughInbox:
    def once(self, queue_name: str, handler: Any) -> Any:
        return handler


async def test_an_alert_for_a_unit_not_known_yet_is_retried_by_the_bus_as_not_yet(replica: Replica) -> None:
    bus = RecordingBus()
    register_consumers(bus, PassThroughInbox(), replica.notifier, replica.alerts)  # type: ignore[arg-type]
    with pytest.raises(NotYet, match="UnitNotKnownYet"):
        await bus.consumers["notify.request-escalated"](envelope_of(RequestEscalatedV1))
