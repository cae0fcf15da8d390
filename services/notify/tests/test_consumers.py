from typing import Any

import pytest

from contracts import (
    ConsultationOpenedV1,
    Envelope,
    EventPayload,
    RequestRoutedV1,
    RequestStatusChangedV1,
    RequestSubmittedV1,
)
from contracts.topology import queues_of
from notify.consumers import handlers
from notify.service import Notifier
from notify.staff import StaffAlerts
from notify.watch import RetryWatch

from .conftest import FakeRepository, FakeSms

pytestmark = pytest.mark.unit


def envelope_of(model: type[EventPayload]) -> Envelope[Any]:
    example = model.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    return Envelope.wrap(model.model_validate(example), producer="test", correlation_id="c-1")


def test_every_notify_queue_has_a_handler(notifier: Notifier, staff: StaffAlerts) -> None:
    assert set(handlers(notifier, staff)) == {spec.name for spec in queues_of("notify")}


async def test_handlers_translate_the_request_events(
    notifier: Notifier, staff: StaffAlerts, repository: FakeRepository, sms: FakeSms
) -> None:
    on = handlers(notifier, staff)
    await on["notify.request-submitted"](envelope_of(RequestSubmittedV1))
    await on["notify.request-routed"](envelope_of(RequestRoutedV1))
    await on["notify.request-status-changed"](envelope_of(RequestStatusChangedV1))

    recipient = repository.recipients["5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a"]
    assert (recipient.tracking_code, recipient.mobile) == ("140312345678", "+989141234567")
    assert [to for to, _ in sms.sent] == ["+989141234567"] * 3
    assert "واحد روشنایی معابر منطقه یک" in sms.sent[1][1]
    assert "کارشناس روشنایی برای بازدید اعزام شد." in sms.sent[2][1]


async def test_consultation_handler_reaches_subscribers(
    notifier: Notifier, staff: StaffAlerts, repository: FakeRepository, sms: FakeSms, watch: RetryWatch
) -> None:
    await repository.subscribe("consultations", "+989121234567")
    await handlers(notifier, staff)["notify.consultation-opened"](envelope_of(ConsultationOpenedV1))
    await watch.scan()
    [(to, text)] = sms.sent
    assert to == "+989121234567"
    assert "۱۷ آذر ۱۴۰۵" in text
