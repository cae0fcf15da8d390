"""How long intake keeps a citizen's contact details."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts import RequestStatus
from intake.domain.public import holder_matches
from intake.domain.retention import contact_erase_after, without_contact

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 24, 8, tzinfo=UTC)


@pytest.mark.parametrize("status", [RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.CLOSED])
def test_a_finished_request_schedules_the_erasure(status: RequestStatus) -> None:
    assert contact_erase_after(status, AT, 365) == AT + timedelta(days=365)


@pytest.mark.parametrize(
    "status",
    [RequestStatus.ROUTED, RequestStatus.IN_PROGRESS, RequestStatus.ON_HOLD, RequestStatus.REOPENED],
)
def test_a_request_being_worked_on_keeps_its_contact(status: RequestStatus) -> None:
    assert contact_erase_after(status, AT, 365) is None


def test_erasure_keeps_the_record_and_the_last_four_digits_for_tracking() -> None:
    citizen = {
        "name": "مریم رضایی",
        "national_id": "0499370899",
        "mobile": "+989141234567",
        "email": "m@example.ir",
        "language": "fa",
    }
    erased = without_contact(citizen)
    assert erased == {
        "name": "مریم رضایی",
        "national_id": "0499370899",
        "language": "fa",
        "mobile": None,
        "email": None,
        "mobile_last4": "4567",
    }
    assert holder_matches({"citizen": erased}, "۴۵۶۷")
    assert not holder_matches({"citizen": erased}, "4568")
    assert not holder_matches({"citizen": without_contact({"name": "x", "email": "m@example.ir"})}, "0000")
