"""Fallback to e-mail, office webhooks and the erasure plan, with fakes."""

import json
from datetime import UTC, datetime

import pytest

from contracts import Channel, RequestStatus
from notify.dispatch import Dispatcher
from notify.domain.model import DeliveryStatus, Office, Recipient
from notify.ports import PermanentFailure
from notify.service import Notifier, Referral, StatusChange

from .conftest import FakeRepository, FakeSms

pytestmark = pytest.mark.unit

MOBILE = "+989141234567"


@pytest.fixture
def mail(dispatcher: Dispatcher) -> FakeSms:
    box = FakeSms()
    dispatcher._senders = {**dispatcher._senders, Channel.EMAIL: box}  # type: ignore[dict-item]
    return box


async def test_a_permanently_refused_sms_falls_back_to_email(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, mail: FakeSms
) -> None:
    sms.failures.append(PermanentFailure("number barred"))
    citizen = Recipient("r-1", "140312345678", MOBILE, email="a@example.org")
    await notifier.request_submitted("e-1", citizen)
    assert repository.records["e-1:r-1:sms"].status is DeliveryStatus.PERMANENT_FAILURE
    email = repository.records["e-1:r-1:email"]
    assert email.status is DeliveryStatus.DELIVERED
    [(to, text)] = mail.sent
    assert to == "a@example.org" and "140312345678" in text


async def test_no_fallback_without_an_email(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, mail: FakeSms
) -> None:
    sms.failures.append(PermanentFailure("number barred"))
    await notifier.request_submitted("e-1", Recipient("r-1", "1403", MOBILE))
    assert list(repository.records) == ["e-1:r-1:sms"]
    assert mail.sent == []


async def test_the_filing_office_gets_a_webhook_without_personal_data(
    notifier: Notifier, repository: FakeRepository, dispatcher: Dispatcher
) -> None:
    hooks = FakeSms()
    dispatcher._senders = {**dispatcher._senders, Channel.WEBHOOK: hooks}  # type: ignore[dict-item]
    office = Office(
        "ARD-0042", "دفتر", "active", "https://office.example/hook", "office-42", datetime.now(UTC)
    )
    await repository.save_office(office)
    await notifier.request_submitted("e-1", Recipient("r-1", "1403", MOBILE, office_code="ARD-0042"))
    await notifier.request_routed("e-2", Referral("r-1", "واحد روشنایی", "Lighting"))
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.RESOLVED, "انجام شد"))
    assert [to for to, _ in hooks.sent] == ["https://office.example/hook"] * 2
    bodies = [json.loads(text) for _, text in hooks.sent]
    assert [b["status"] for b in bodies] == ["routed", "resolved"]
    assert all(MOBILE not in text for _, text in hooks.sent)
    assert repository.records["e-2:office-ARD-0042:webhook"].secret_ref == "office-42"


async def test_contact_data_is_planned_for_erasure_when_the_request_is_finished(
    notifier: Notifier, repository: FakeRepository
) -> None:
    from datetime import timedelta

    from .conftest import NOW

    await notifier.request_submitted("e-1", Recipient("r-1", "1403", MOBILE))
    await notifier.status_changed("e-2", StatusChange("r-1", RequestStatus.RESOLVED, ""))
    assert repository.erasures["r-1"] == NOW + timedelta(days=90)
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.REOPENED, ""))
    assert repository.erasures["r-1"] is None
