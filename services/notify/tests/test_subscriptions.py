from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contracts import Channel, ConsultationFinalizedV1, Envelope
from notify.consumers import handlers
from notify.domain.model import REQUESTS_TOPIC, Recipient
from notify.service import ConsultationNotice, Notifier
from notify.staff import StaffAlerts
from notify.watch import RetryWatch

from .conftest import FakeRepository, FakeSms
from .test_api import token

pytestmark = pytest.mark.unit

NOTICE = ConsultationNotice(
    "ساماندهی پارکینگ", datetime(2026, 12, 8, 20, 29, 59, tzinfo=UTC), category="ترافیک", districts=("2",)
)


async def test_fan_out_follows_categories_and_districts(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, watch: RetryWatch
) -> None:
    await repository.subscribe("consultations", "+989120000001")
    await repository.subscribe("consultations", "+989120000002", categories=("ترافیک",))
    await repository.subscribe("consultations", "+989120000003", categories=("فضای سبز",))
    await repository.subscribe("consultations", "+989120000004", districts=("2", "3"))
    await repository.subscribe("consultations", "+989120000005", districts=("5",))
    await notifier.consultation_opened("e-1", NOTICE)
    await notifier.consultation_opened("e-1", NOTICE)
    await watch.scan()
    assert sorted(to for to, _ in sms.sent) == ["+989120000001", "+989120000002", "+989120000004"]
    assert all("/v1/public/subscriptions/s" in text and "/unsubscribe" in text for _, text in sms.sent)


async def test_opted_out_contacts_hear_nothing(
    notifier: Notifier, repository: FakeRepository, sms: FakeSms, watch: RetryWatch
) -> None:
    await repository.subscribe("consultations", "+989120000001")
    repository.opt_outs.add(("+989120000001", "consultations"))
    repository.opt_outs.add(("+989141234567", REQUESTS_TOPIC))
    await notifier.consultation_opened("e-1", NOTICE)
    await notifier.request_submitted("e-2", Recipient("r-1", "1403", "+989141234567"))
    await watch.scan()
    assert sms.sent == []
    assert repository.records == {}


async def test_finalized_tells_commenters_and_subscribers(
    notifier: Notifier, staff: StaffAlerts, repository: FakeRepository, sms: FakeSms, watch: RetryWatch
) -> None:
    await repository.subscribe("consultations", "+989120000001")
    example = ConsultationFinalizedV1.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    event = ConsultationFinalizedV1.model_validate(
        example | {"commenters_to_tell": [{"receipt": "R1", "mobile": "+989120000009"}], "category": None}
    )
    envelope: Envelope[Any] = Envelope.wrap(event, producer="test", correlation_id="c")
    on = handlers(notifier, staff)["notify.consultation-finalized"]
    await on(envelope)
    await on(envelope)
    await watch.scan()
    assert sorted(to for to, _ in sms.sent) == ["+989120000001", "+989120000009"]
    assert any(event.summary_of_changes_fa in text for _, text in sms.sent)


def test_double_opt_in_and_unsubscribe(client: TestClient, repository: FakeRepository, sms: FakeSms) -> None:
    pending = client.post("/v1/public/subscriptions", json={"mobile": "09121234567", "districts": ["2"]})
    assert pending.status_code == 202
    assert pending.json()["status"] == "pending"
    subscriber_id = pending.json()["subscriber_id"]
    [(to, text)] = sms.sent
    assert to == "+989121234567"
    code = text.rsplit(" ", 1)[-1]
    assert client.get("/v1/subscriptions", headers=token_admin()).json()["items"] == []

    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(f"/v1/public/subscriptions/{subscriber_id}/confirm", json={"code": wrong})
    assert refused.status_code == 400
    confirmed = client.post(f"/v1/public/subscriptions/{subscriber_id}/confirm", json={"code": code})
    assert confirmed.json()["status"] == "confirmed"
    assert len(client.get("/v1/subscriptions", headers=token_admin()).json()["items"]) == 1

    gone = client.get(f"/v1/public/subscriptions/{subscriber_id}/unsubscribe")
    assert gone.json()["status"] == "unsubscribed"
    assert client.get("/v1/subscriptions", headers=token_admin()).json()["items"] == []
    assert client.get("/v1/public/subscriptions/nope/unsubscribe").status_code == 404


def test_a_subscription_needs_exactly_one_contact(client: TestClient) -> None:
    both = {"mobile": "09121234567", "email": "a@example.org"}
    assert client.post("/v1/public/subscriptions", json=both).status_code == 422
    assert client.post("/v1/public/subscriptions", json={}).status_code == 422


def test_staff_set_an_opt_out(client: TestClient, repository: FakeRepository) -> None:
    body = {"contact": "۰۹۱۲۱۲۳۴۵۶۷", "topic": "requests", "opted_out": True}
    assert client.put("/v1/preferences", json=body, headers=token_admin()).status_code == 200
    assert ("+989121234567", "requests") in repository.opt_outs
    assert client.put("/v1/preferences", json=body).status_code == 401


def token_admin() -> dict[str, str]:
    from servicekit.auth import Role

    return token(Role.ADMIN)


def test_email_subscribers_are_reached_by_email() -> None:
    from notify.domain.model import Subscription

    subscriber = Subscription("consultations", None, "s1", datetime.now(UTC), email="a@example.org")
    assert (subscriber.channel, subscriber.contact) == (Channel.EMAIL, "a@example.org")
