from datetime import UTC, datetime, timedelta

import pytest

from contracts import Channel, Language, NotificationDeliveredV1, NotificationFailedV1, RequestStatus
from notify.domain.model import DeliveryStatus, Recipient, RecipientNotKnownYet
from notify.domain.templates import Text
from notify.ports import NOTIFICATIONS, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.service import ConsultationNotice, Notifier, Referral, StatusChange
from notify.watch import RetryWatch

from .conftest import Clock, FakeOutbox, FakeRepository, FakeSms, FakeTemplates

pytestmark = pytest.mark.unit

MOBILE = "+989141234567"
CITIZEN = Recipient(request_id="r-1", tracking_code="140312345678", mobile=MOBILE)
ROUTED = Referral(
    "r-1", unit_name_fa="واحد روشنایی معابر منطقه یک", unit_name_en="District 1 Street Lighting"
)
KEY = "e-1:r-1:sms"


async def test_submission_records_the_recipient_and_sends_the_tracking_code(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox
) -> None:
    await notifier.request_submitted("e-1", CITIZEN)

    assert repository.recipients["r-1"] == CITIZEN
    [(to, text)] = sms.sent
    assert to == MOBILE
    assert "140312345678" in text
    assert "https://pishkhan.example/track?code=140312345678" in text
    delivery = repository.records[KEY]
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert [entry.status for entry in delivery.history] == ["created", "sending", "delivered"]
    assert sms.references == [delivery.notification_id]
    [event] = repository.events()
    assert isinstance(event, NotificationDeliveredV1)
    assert (event.source_event_id, event.request_id, event.template) == ("e-1", "r-1", "request.received")
    assert outbox.relayed == [(NOTIFICATIONS, KEY)]


async def test_an_event_handled_twice_is_delivered_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    for _ in range(2):
        await notifier.request_submitted("e-1", CITIZEN)
        await notifier.request_routed("e-2", ROUTED)
    assert len(sms.sent) == 2
    assert sorted(repository.records) == [KEY, "e-2:r-1:sms"]
    assert len(repository.events()) == 2


async def test_events_before_the_submission_ask_for_a_retry(notifier: Notifier, sms: FakeSms) -> None:
    with pytest.raises(RecipientNotKnownYet):
        await notifier.request_routed("e-2", ROUTED)
    with pytest.raises(RecipientNotKnownYet):
        await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.IN_PROGRESS, "اعزام شد"))
    assert sms.sent == []
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_routed("e-2", ROUTED)
    assert "به واحد روشنایی معابر منطقه یک ارجاع شد" in sms.sent[-1][1]


async def test_english_speakers_get_english(notifier: Notifier, sms: FakeSms) -> None:
    english = Recipient(request_id="r-1", tracking_code="140312345678", mobile=MOBILE, language=Language.EN)
    await notifier.request_submitted("e-1", english)
    await notifier.request_routed("e-2", ROUTED)
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.RESOLVED, ""))
    assert sms.sent[0][1].startswith("Your request was filed")
    assert "referred to District 1 Street Lighting" in sms.sent[1][1]
    assert "is now: resolved" in sms.sent[2][1]


async def test_status_change_carries_the_persian_note_and_skips_announced_ones(
    notifier: Notifier, sms: FakeSms
) -> None:
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.IN_PROGRESS, "کارشناس اعزام شد."))
    await notifier.status_changed("e-4", StatusChange("r-1", RequestStatus.ROUTED, ""))
    assert len(sms.sent) == 2
    assert "در حال رسیدگی" in sms.sent[-1][1]
    assert "کارشناس اعزام شد." in sms.sent[-1][1]


async def test_the_newest_stored_template_is_used(
    notifier: Notifier, sms: FakeSms, fake_templates: FakeTemplates
) -> None:
    key = ("request.submitted.v1", Channel.SMS, Language.FA)
    fake_templates.texts[key] = Text("کد ((tracking_code)) ثبت شد")
    await notifier.request_submitted("e-1", CITIZEN)
    assert sms.sent[0][1] == "کد 140312345678 ثبت شد"


async def test_citizens_without_a_channel_get_nothing(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    await notifier.request_submitted("e-1", Recipient("r-1", "140312345678", MOBILE, channel=Channel.NONE))
    await notifier.request_submitted("e-2", Recipient("r-2", "140312345679", mobile=None))
    assert sms.sent == []
    assert repository.records == {}


async def test_email_is_left_for_a_process_that_can_send_it(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    citizen = Recipient("r-1", "140312345678", email="a@example.org", channel=Channel.EMAIL)
    await notifier.request_submitted("e-1", citizen)
    delivery = repository.records["e-1:r-1:email"]
    assert (delivery.status, delivery.to, delivery.subject) == (
        "created",
        "a@example.org",
        "درخواست شما ثبت شد",
    )
    assert sms.sent == []


async def test_a_permanent_refusal_fails_at_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox
) -> None:
    sms.failures.append(PermanentFailure("number is barred"))
    await notifier.request_submitted("e-1", CITIZEN)
    delivery = repository.records[KEY]
    assert (delivery.status, delivery.reason) == (DeliveryStatus.PERMANENT_FAILURE, "number is barred")
    [event] = repository.events()
    assert isinstance(event, NotificationFailedV1)
    assert (event.reason, event.attempts) == ("number is barred", 1)
    assert outbox.relayed == [(NOTIFICATIONS, KEY)]


async def test_an_unexpected_error_is_a_technical_failure(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    sms.failures.append(TechnicalFailure("answered 302"))
    await notifier.request_submitted("e-1", CITIZEN)
    assert repository.records[KEY].status is DeliveryStatus.TECHNICAL_FAILURE


async def test_temporary_failures_are_scheduled_with_backoff_then_given_up(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, clock: Clock
) -> None:
    from notify.watch import RetryWatch

    sms.failures.extend([TemporaryFailure(f"gateway slow for {MOBILE}")] * 3)
    await notifier.request_submitted("e-1", CITIZEN)
    first = repository.records[KEY]
    assert first.status is DeliveryStatus.TEMPORARY_FAILURE
    assert first.next_attempt_at is not None
    assert clock.now <= first.next_attempt_at <= clock.now + timedelta(seconds=30)
    assert MOBILE not in (first.reason or "")

    watch = RetryWatch(repository, notifier._dispatcher, clock)
    assert await watch.scan() == 0 or first.next_attempt_at == clock.now
    for _ in range(2):
        clock.now += timedelta(minutes=11)
        assert await watch.scan() == 1
    final = repository.records[KEY]
    assert (final.status, final.attempts, final.next_attempt_at) == ("temporary-failure", 3, None)
    [event] = repository.events()
    assert isinstance(event, NotificationFailedV1)
    clock.now += timedelta(hours=1)
    assert await watch.scan() == 0


async def test_a_temporary_failure_then_success_sends_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, clock: Clock
) -> None:
    sms.failures.append(TemporaryFailure("down"))
    await notifier.request_submitted("e-1", CITIZEN)
    clock.now += timedelta(minutes=1)
    await notifier._dispatcher.attempt(KEY)
    await notifier._dispatcher.attempt(KEY)
    await notifier.request_submitted("e-1", CITIZEN)
    assert len(sms.sent) == 1
    assert repository.records[KEY].attempts == 2
    assert [e.status for e in repository.records[KEY].history] == [
        "created",
        "sending",
        "temporary-failure",
        "sending",
        "delivered",
    ]


async def test_a_send_abandoned_by_a_dead_process_is_retaken_after_its_lease(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, clock: Clock
) -> None:
    sms.failures.append(TemporaryFailure("x"))
    await notifier.request_submitted("e-1", CITIZEN)
    clock.now += timedelta(minutes=1)
    left = repository.records[KEY]
    from notify.domain.model import StatusEntry
    from notify.ports import Transition

    sending = Transition(left.status, left.attempts, StatusEntry(DeliveryStatus.SENDING, clock.now), {})
    await repository.transition(KEY, sending)  # as if a process claimed it and died, lease unset
    await notifier._dispatcher.attempt(KEY)
    assert sms.sent == []
    lease = Transition(
        DeliveryStatus.SENDING, left.attempts, StatusEntry(DeliveryStatus.SENDING, clock.now), {}
    )
    lease.fields["lease_until"] = clock.now
    await repository.transition(KEY, lease)
    await notifier._dispatcher.attempt(KEY)
    assert len(sms.sent) == 1


async def test_sms_at_night_waits_for_seven_in_tehran(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # 22:30 in Tehran
    await notifier.request_submitted("e-1", CITIZEN)
    held = repository.records[KEY]
    assert held.status is DeliveryStatus.CREATED
    assert held.next_attempt_at == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
    assert sms.sent == []


async def test_consultation_reaches_each_subscriber_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, watch: RetryWatch
) -> None:
    await repository.subscribe("consultations", "+989141234567")
    await repository.subscribe("consultations", "+989121234567")
    notice = ConsultationNotice(
        "پیش‌نویس دستورالعمل ساماندهی دستفروشان", datetime(2026, 12, 8, 20, 29, 59, tzinfo=UTC)
    )
    await notifier.consultation_opened("e-9", notice)
    await notifier.consultation_opened("e-9", notice)
    assert sms.sent == []  # recorded; the delivery watch sends
    await watch.scan()

    assert sorted(to for to, _ in sms.sent) == ["+989121234567", "+989141234567"]
    text = sms.sent[0][1]
    assert "«پیش‌نویس دستورالعمل ساماندهی دستفروشان»" in text
    assert "۱۷ آذر ۱۴۰۵، ساعت ۲۳:۵۹" in text
    assert all(MOBILE not in key for key in repository.records)
    assert {event.request_id for event in repository.events()} == {None}
