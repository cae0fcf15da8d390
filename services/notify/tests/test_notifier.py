from datetime import UTC, datetime

import pytest

from contracts import Channel, Language, NotificationDeliveredV1, NotificationFailedV1, RequestStatus
from notify.domain.model import Delivery, DeliveryStatus, Recipient, RecipientNotKnownYet
from notify.ports import NOTIFICATIONS
from notify.providers.sms import SmsRejected
from notify.service import ConsultationNotice, Notifier, Referral, StatusChange

from .conftest import NOW, FakeOutbox, FakeRepository, FakeSms

pytestmark = pytest.mark.unit

MOBILE = "+989141234567"
CITIZEN = Recipient(request_id="r-1", tracking_code="140312345678", mobile=MOBILE)
ROUTED = Referral(
    "r-1", unit_name_fa="واحد روشنایی معابر منطقه یک", unit_name_en="District 1 Street Lighting"
)


async def test_submission_records_the_recipient_and_sends_the_tracking_code(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox
) -> None:
    await notifier.request_submitted("e-1", CITIZEN)

    assert repository.recipients["r-1"] == CITIZEN
    [(to, text)] = sms.sent
    assert to == MOBILE
    assert "140312345678" in text
    assert "https://pishkhan.example/track?code=140312345678" in text
    delivery = repository.records["e-1:r-1"]
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    [event] = repository.events()
    assert isinstance(event, NotificationDeliveredV1)
    assert (event.source_event_id, event.request_id, event.template) == ("e-1", "r-1", "request.received")
    assert event.notification_id == delivery.notification_id
    assert outbox.relayed == [(NOTIFICATIONS, "e-1:r-1")]


async def test_an_event_handled_twice_is_delivered_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_routed("e-2", ROUTED)
    await notifier.request_routed("e-2", ROUTED)

    assert len(sms.sent) == 2
    assert sorted(repository.records) == ["e-1:r-1", "e-2:r-1"]
    assert len(repository.events()) == 2


async def test_routed_before_submitted_asks_for_a_retry(notifier: Notifier, sms: FakeSms) -> None:
    with pytest.raises(RecipientNotKnownYet):
        await notifier.request_routed("e-2", ROUTED)
    assert sms.sent == []

    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_routed("e-2", ROUTED)
    assert "به واحد روشنایی معابر منطقه یک ارجاع شد" in sms.sent[-1][1]


async def test_status_change_before_submitted_asks_for_a_retry(notifier: Notifier) -> None:
    with pytest.raises(RecipientNotKnownYet):
        await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.IN_PROGRESS, "اعزام شد"))


async def test_english_speakers_get_english(notifier: Notifier, sms: FakeSms) -> None:
    english = Recipient(request_id="r-1", tracking_code="140312345678", mobile=MOBILE, language=Language.EN)
    await notifier.request_submitted("e-1", english)
    await notifier.request_routed("e-2", ROUTED)
    assert sms.sent[0][1].startswith("Your request was filed")
    assert "referred to District 1 Street Lighting" in sms.sent[1][1]


async def test_status_change_carries_the_persian_note(notifier: Notifier, sms: FakeSms) -> None:
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.IN_PROGRESS, "کارشناس اعزام شد."))
    text = sms.sent[-1][1]
    assert "در حال رسیدگی" in text
    assert "کارشناس اعزام شد." in text


async def test_a_status_already_announced_by_its_own_event_sends_nothing(
    notifier: Notifier, sms: FakeSms
) -> None:
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.ROUTED, ""))
    assert len(sms.sent) == 1


async def test_citizens_without_sms_get_none(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    await notifier.request_submitted("e-1", Recipient("r-1", "140312345678", MOBILE, channel=Channel.NONE))
    await notifier.request_submitted("e-2", Recipient("r-2", "140312345679", mobile=None))
    assert sms.sent == []
    assert set(repository.recipients) == {"r-1", "r-2"}


async def test_a_delivery_left_pending_by_a_crash_is_finished_on_redelivery(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    await repository.save_recipient(CITIZEN)
    left = Delivery.sms(
        source_event_id="e-2",
        recipient_key="r-1",
        request_id="r-1",
        template="request.routed",
        to=MOBILE,
        text="stored text",
        now=NOW,
    )
    await repository.add_delivery(left)

    await notifier.request_routed("e-2", ROUTED)

    assert sms.sent == [(MOBILE, "stored text")]
    assert repository.records["e-2:r-1"].status is DeliveryStatus.DELIVERED


async def test_a_rejected_number_is_recorded_as_failed_without_retry(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, outbox: FakeOutbox
) -> None:
    sms.failures.append(SmsRejected("number is barred"))
    await notifier.request_submitted("e-1", CITIZEN)

    delivery = repository.records["e-1:r-1"]
    assert (delivery.status, delivery.reason) == (DeliveryStatus.FAILED, "number is barred")
    [event] = repository.events()
    assert isinstance(event, NotificationFailedV1)
    assert (event.reason, event.attempts) == ("number is barred", 1)
    assert outbox.relayed == [(NOTIFICATIONS, "e-1:r-1")]


async def test_gateway_trouble_is_retried_then_recorded_as_failed_at_the_last_attempt(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    sms.failures.extend([TimeoutError("gateway slow")] * 3)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            await notifier.request_submitted("e-1", CITIZEN)
        assert repository.records["e-1:r-1"].status is DeliveryStatus.PENDING
        assert repository.events() == []

    await notifier.request_submitted("e-1", CITIZEN)

    [event] = repository.events()
    assert isinstance(event, NotificationFailedV1)
    assert event.attempts == 3
    assert "TimeoutError" in event.reason
    assert MOBILE not in event.reason


async def test_gateway_trouble_then_success_sends_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    sms.failures.append(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_submitted("e-1", CITIZEN)
    await notifier.request_submitted("e-1", CITIZEN)
    assert len(sms.sent) == 1
    assert repository.records["e-1:r-1"].attempts == 2


async def test_consultation_reaches_each_subscriber_once(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms
) -> None:
    await repository.subscribe("consultations", "+989141234567")
    await repository.subscribe("consultations", "+989121234567")
    notice = ConsultationNotice(
        "پیش‌نویس دستورالعمل ساماندهی دستفروشان", datetime(2026, 12, 8, 20, 29, 59, tzinfo=UTC)
    )

    await notifier.consultation_opened("e-9", notice)
    await notifier.consultation_opened("e-9", notice)

    assert sorted(to for to, _ in sms.sent) == ["+989121234567", "+989141234567"]
    text = sms.sent[0][1]
    assert "«پیش‌نویس دستورالعمل ساماندهی دستفروشان»" in text
    assert "۱۷ آذر ۱۴۰۵، ساعت ۲۳:۵۹" in text
    assert all(MOBILE not in key for key in repository.records)
    assert {event.request_id for event in repository.events()} == {None}
