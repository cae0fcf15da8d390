from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from contracts import Channel, Language, RequestStatus, RequestSubmittedV1
from intake.domain.catalogue import ServiceDefinition
from intake.domain.fees import FeeBreakdown
from intake.domain.offices import Office
from intake.domain.requests import Filing, NewRequest, file_request

NATIONAL_ID = "0012345679"  # 0*10+0*9+1*8+2*7+3*6+4*5+5*4+6*3+7*2 = 112, 112 % 11 = 2, check 11-2 = 9
NAME = "علی رضایی"
NOW = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)
SERVICE = ServiceDefinition(service_code="ARD-101", name_fa="روشنایی معابر", name_en="Lighting", group="g")
OFFICE = Office(
    code="ARD-E-017",
    name_fa="دفتر ۱۷",
    district="4",
    licence_number="L-17",
    licence_valid_until=date(2027, 1, 1),
)


def payload(**changes: Any) -> dict[str, Any]:
    citizen = {"name": NAME, "national_id": NATIONAL_ID, "mobile": "09141234567", "email": "ali@example.ir"}
    return {"service_code": "ARD-101", "description": "چراغ خاموش است", "citizen": citizen} | changes


def filed(new: NewRequest) -> tuple[dict[str, Any], RequestSubmittedV1]:
    filing = Filing(
        new=new,
        service=SERVICE,
        office=OFFICE,
        fee=FeeBreakdown(base_rials=0, total_rials=0),
        idempotency_key="k-1",
        body_hash="h-1",
        channel="api",
        possible_duplicates=[],
    )
    return file_request(filing, tracking_code="140312345678", now=NOW)


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        NewRequest.model_validate(payload(priority="high"))
    citizen = payload()["citizen"] | {"father_name": "حسن"}
    with pytest.raises(ValidationError):
        NewRequest.model_validate(payload(citizen=citizen))


def test_description_up_to_4000_characters() -> None:
    assert len(NewRequest.model_validate(payload(description="ب" * 4000)).description) == 4000
    with pytest.raises(ValidationError):
        NewRequest.model_validate(payload(description="ب" * 4001))


def test_arabic_letters_are_normalised() -> None:
    new = NewRequest.model_validate(
        payload(
            description=" چراغ كوچه ي ما ",
            address="خيابان كاشاني",
            citizen=payload()["citizen"] | {"name": "علي"},
        )
    )
    assert new.description == "چراغ کوچه ی ما"
    assert new.address == "خیابان کاشانی"
    assert new.citizen.name == "علی"


def test_citizen_identity_is_normalised_and_checked() -> None:
    citizen = payload()["citizen"] | {"national_id": "۰۰۱۲۳۴۵۶۷۹", "mobile": "+98 914 123 4567"}
    new = NewRequest.model_validate(payload(citizen=citizen))
    assert new.citizen.national_id == NATIONAL_ID
    assert new.citizen.mobile == "+989141234567"
    with pytest.raises(ValidationError) as caught:
        NewRequest.model_validate(payload(citizen=citizen | {"national_id": "0012345678"}))
    assert [error["loc"] for error in caught.value.errors()] == [("citizen", "national_id")]


def test_file_request_builds_the_record_and_its_event() -> None:
    new = NewRequest.model_validate(payload(attributes={"pole_count": 3}))
    record, event = filed(new)
    assert record["_id"] == "140312345678" == event.tracking_code
    assert record["request_id"] == event.request_id
    assert record["district"] == "4" == event.district
    assert record["office_code"] == "ARD-E-017" == event.office_code
    assert record["status"] == RequestStatus.SUBMITTED
    assert [entry["status"] for entry in record["timeline"]] == ["submitted"]
    assert record["citizen"]["national_id"] == NATIONAL_ID
    assert event.submitted_at == NOW
    assert event.attributes == {"pole_count": 3}


def test_own_district_wins_over_the_office_district() -> None:
    new = NewRequest.model_validate(payload(district="9"))
    record, event = filed(new)
    assert record["district"] == "9" == event.district


def test_event_contact_carries_no_identity() -> None:
    new = NewRequest.model_validate(payload())
    _, event = filed(new)
    contact = event.contact.model_dump(mode="json")
    assert set(contact) == {"mobile", "email", "channel", "language"}
    assert contact == {
        "mobile": "+989141234567",
        "email": "ali@example.ir",
        "channel": "sms",
        "language": "fa",
    }
    assert event.contact.channel is Channel.SMS and event.contact.language is Language.FA
    wire = event.model_dump_json()
    assert NATIONAL_ID not in wire
    assert NAME not in wire
    assert "national_id" not in wire and '"name"' not in wire
