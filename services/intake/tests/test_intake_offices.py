from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from intake.domain.offices import Office, OfficeRefused, OfficeStatus, check_may_file

TODAY = date(2026, 11, 24)


def office(**changes: Any) -> Office:
    values: dict[str, Any] = {
        "code": "ARD-E-017",
        "name_fa": "دفتر خدمات الکترونیک ۱۷",
        "district": "1",
        "licence_number": "L-17",
        "licence_valid_until": TODAY + timedelta(days=30),
    }
    return Office(**(values | changes))


def refusal(candidate: Office, service_code: str = "ARD-101") -> str:
    with pytest.raises(OfficeRefused) as caught:
        check_may_file(candidate, service_code, TODAY)
    return caught.value.code


def test_active_licensed_office_may_file_any_service_when_unrestricted() -> None:
    check_may_file(office(), "ARD-101", TODAY)
    check_may_file(office(), "ANY-999", TODAY)


def test_licence_valid_until_today_is_still_valid() -> None:
    check_may_file(office(licence_valid_until=TODAY), "ARD-101", TODAY)


def test_licence_in_the_past_is_refused() -> None:
    assert refusal(office(licence_valid_until=TODAY - timedelta(days=1))) == "licence_expired"


def test_suspended_office_is_refused() -> None:
    assert refusal(office(status=OfficeStatus.SUSPENDED)) == "office_suspended"


def test_expired_status_is_refused_even_with_a_future_licence_date() -> None:
    assert refusal(office(status=OfficeStatus.EXPIRED)) == "licence_expired"


def test_service_outside_the_office_list_is_refused() -> None:
    restricted = office(services=["ARD-101", "ARD-102"])
    check_may_file(restricted, "ARD-102", TODAY)
    assert refusal(restricted, "ARD-103") == "service_not_licensed"


def test_empty_service_list_allows_nothing() -> None:
    assert refusal(office(services=[])) == "service_not_licensed"
