"""Contact data outlives every message that may still need it."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts import RequestStatus
from notify.dispatch import Dispatcher
from notify.domain.model import Delivery, DeliveryStatus, Recipient, needs_contact
from notify.service import Notifier, StatusChange

from .conftest import NOW, TRACKING_URL, Clock, FakeRepository, FakeTemplates

pytestmark = pytest.mark.unit

LATER = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class OrderedRepository(FakeRepository):
    """Notes the order in which messages are recorded and erasures planned."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def add_delivery(self, delivery: Delivery) -> bool:
        self.calls.append(f"record {delivery.template}")
        return await super().add_delivery(delivery)

    async def schedule_erasure(self, request_id: str, at: datetime | None) -> None:
        self.calls.append("plan erasure" if at else "keep contact")
        await super().schedule_erasure(request_id, at)


@pytest.mark.parametrize(
    ("status", "next_attempt_at", "needed"),
    [
        (DeliveryStatus.CREATED, LATER, True),  # waiting, e.g. for the end of quiet hours
        (DeliveryStatus.SENDING, None, True),
        (DeliveryStatus.TEMPORARY_FAILURE, LATER, True),  # another attempt is scheduled
        (DeliveryStatus.TEMPORARY_FAILURE, None, False),  # given up
        (DeliveryStatus.DELIVERED, None, False),
        (DeliveryStatus.PERMANENT_FAILURE, None, False),
        (DeliveryStatus.TECHNICAL_FAILURE, None, False),
    ],
)
def test_a_delivery_needs_the_contact_while_it_may_still_be_sent(
    status: DeliveryStatus, next_attempt_at: datetime | None, needed: bool
) -> None:
    assert needs_contact(status, next_attempt_at) is needed


@pytest.mark.parametrize("status", [RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.CLOSED])
async def test_the_closing_message_is_recorded_before_the_erasure_is_planned(
    status: RequestStatus, dispatcher: Dispatcher, clock: Clock
) -> None:
    repository = OrderedRepository()
    dispatcher._repository = repository
    notifier = Notifier(repository, dispatcher, FakeTemplates(), tracking_url=TRACKING_URL, clock=clock)
    await notifier.request_submitted("e-1", Recipient("r-1", "1403", "+989141234567"))
    repository.calls.clear()
    await notifier.status_changed("e-2", StatusChange("r-1", status, "انجام شد"))
    assert repository.calls == ["record request.status_changed", "plan erasure"]
    assert repository.erasures["r-1"] == NOW + timedelta(days=90)


async def test_a_status_told_elsewhere_still_plans_the_erasure(
    notifier: Notifier, repository: FakeRepository
) -> None:
    await notifier.request_submitted("e-1", Recipient("r-1", "1403", "+989141234567"))
    await notifier.status_changed("e-2", StatusChange("r-1", RequestStatus.CLOSED, ""))
    await notifier.status_changed("e-3", StatusChange("r-1", RequestStatus.ROUTED, ""))
    assert repository.erasures["r-1"] is None  # routed again: the request is open, the contact stays
