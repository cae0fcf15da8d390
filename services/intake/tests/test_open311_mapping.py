from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import Channel
from intake.domain.catalogue import AttributeDefinition, ServiceDefinition
from intake.domain.open311 import (
    OPEN311_STATUS,
    UPDATE_STATUS,
    UPDATE_STATUSES,
    BadInput,
    citizen_from_form,
    citizen_update,
    date_window,
    new_request,
    request_entry,
    service_definition,
    service_entry,
    status_updates,
    w3c,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)
SERVICE = ServiceDefinition(
    service_code="ARD-901",
    name_fa="درخت افتاده",
    name_en="Fallen tree",
    group="خدمات شهری",
    keywords=["درخت", "tree"],
    attributes=[
        AttributeDefinition(
            code="size",
            datatype="singlevaluelist",
            description_fa="اندازه",
            required=True,
            order=2,
            values={"small": "کوچک", "large": "بزرگ"},
        ),
        AttributeDefinition(code="count", datatype="number", description_fa="تعداد", order=1),
        AttributeDefinition(
            code="hazards",
            datatype="multivaluelist",
            description_fa="خطرها",
            order=3,
            values={"road": "راه بسته", "wire": "سیم برق"},
        ),
    ],
)


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "_id": "140312345678",
        "status": "routed",
        "service_name_fa": "روشنایی معابر",
        "service_code": "ARD-101",
        "description": "چراغ خاموش است",
        "unit_name_fa": "معاونت خدمات شهری منطقه یک",
        "requested_at": NOW,
        "updated_at": NOW + timedelta(minutes=5),
        "expected_at": None,
        "address": None,
        "location": {"lat": 38.2498, "long": 48.2933},
        "media_url": None,
        "citizen": {"name": "مریم رضایی", "mobile": "+989141234567", "national_id": "0499370899"},
        "timeline": [
            {"status": "submitted", "note_fa": "ثبت شد", "at": NOW, "event_id": None},
            {"status": "routed", "note_fa": "ارجاع شد", "at": NOW + timedelta(minutes=5), "event_id": "e-1"},
        ],
    }
    return base | changes


def test_every_internal_status_maps_to_open_or_closed_and_to_the_extension() -> None:
    assert {OPEN311_STATUS[s] for s in ("submitted", "routed", "in_progress", "on_hold", "reopened")} == {
        "open"
    }
    assert {OPEN311_STATUS[s] for s in ("resolved", "rejected", "closed")} == {"closed"}
    assert set(UPDATE_STATUS.values()) <= UPDATE_STATUSES
    assert UPDATE_STATUS["resolved"] == "FIXED"
    assert UPDATE_STATUS["routed"] == "OPEN"
    assert UPDATE_STATUS["reopened"] == "OPEN" and "REOPEN" in UPDATE_STATUSES


def test_times_are_tehran_with_an_explicit_offset() -> None:
    assert w3c(NOW + timedelta(hours=3, minutes=30)) == "2026-11-24T15:15:00+03:30"
    assert w3c(datetime(2026, 11, 24, 8, 15, tzinfo=UTC)) == "2026-11-24T11:45:00+03:30"
    assert w3c(None) is None


def test_the_date_window_defaults_to_ninety_days_and_refuses_more() -> None:
    assert date_window(None, None, NOW) == (NOW - timedelta(days=90), NOW)
    since, until = date_window("2026-11-01T00:00:00+03:30", "2026-11-24T11:45:00Z", NOW)
    assert until == datetime(2026, 11, 24, 11, 45, tzinfo=UTC)
    assert since == datetime(2026, 10, 31, 20, 30, tzinfo=UTC)
    assert date_window("2026-11-01T00:00:00 03:30", None, NOW)[0] == since
    with pytest.raises(BadInput, match="90 days"):
        date_window("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", NOW)
    with pytest.raises(BadInput):
        date_window("yesterday", None, NOW)
    assert date_window("2026-11-01T00:00:00", None, NOW)[0] == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(BadInput, match="after"):
        date_window("2026-11-24T00:00:00Z", "2026-11-01T00:00:00Z", NOW)


def test_services_and_definitions() -> None:
    entry = service_entry(SERVICE)
    assert entry["service_name"] == "درخت افتاده" and entry["metadata"] is True
    assert entry["keywords"] == "درخت,tree" and entry["type"] == "realtime"
    attributes = service_definition(SERVICE)["attributes"]
    assert [a["code"] for a in attributes] == ["count", "size", "hazards"]
    assert attributes[1]["values"] == [{"key": "small", "name": "کوچک"}, {"key": "large", "name": "بزرگ"}]
    assert attributes[1]["required"] is True and attributes[1]["variable"] is True


def test_a_request_shows_no_personal_data() -> None:
    entry = request_entry(record(expected_at=NOW + timedelta(days=3)))
    assert entry["status"] == "open" and entry["status_notes"] == "ارجاع شد"
    assert entry["agency_responsible"] == "معاونت خدمات شهری منطقه یک"
    assert entry["expected_datetime"] == "2026-11-27T11:45:00+03:30"
    assert entry["updated_datetime"] == "2026-11-24T11:50:00+03:30"
    assert (entry["lat"], entry["long"]) == (38.2498, 48.2933)
    shown = str(entry)
    assert "مریم" not in shown and "0499370899" not in shown and "9141234567" not in shown


def test_status_updates_come_from_timeline_steps_with_an_event() -> None:
    updates = status_updates(record(), NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert updates == [
        {
            "update_id": "e-1",
            "service_request_id": "140312345678",
            "status": "OPEN",
            "updated_datetime": "2026-11-24T11:50:00+03:30",
            "description": "ارجاع شد",
            "media_url": None,
        }
    ]
    assert status_updates(record(), NOW + timedelta(hours=1), NOW + timedelta(days=1)) == []


def test_a_form_becomes_a_new_request_with_typed_attributes() -> None:
    fields = {
        "attribute[size]": ["large"],
        "attribute[count]": ["۳"],
        "attribute[hazards]": ["road", "wire"],
        "lat": ["38.25"],
        "long": ["48.29"],
        "description": ["درخت افتاده\r\nراه بسته است"],
        "first_name": ["مريم"],
        "last_name": ["رضایی"],
        "phone": ["0914 123 4567"],
        "email": ["not-an-email"],
    }
    new = new_request(SERVICE, fields)
    assert new.attributes == {"size": "large", "count": 3, "hazards": ["road", "wire"]}
    assert new.description == "درخت افتاده\nراه بسته است"
    assert new.citizen.name == "مریم رضایی" and new.citizen.national_id is None
    assert new.citizen.mobile == "+989141234567" and new.citizen.email is None
    assert new.location is not None and new.location.lat == 38.25


def test_missing_or_bad_location_is_bad_input() -> None:
    with pytest.raises(BadInput, match="location"):
        new_request(SERVICE, {"description": ["x"]})
    for lat in ("north", "91", "nan"):
        with pytest.raises(BadInput, match="lat"):
            new_request(SERVICE, {"lat": [lat], "long": ["48"]})
    assert new_request(SERVICE, {"address_id": ["A-7"]}).address == "address_id: A-7"
    assert new_request(SERVICE, {"address_string": ["خیابان امام"]}).description == "درخت افتاده"


def test_a_citizen_without_name_or_contact() -> None:
    citizen = citizen_from_form({"phone": ["021 1234 5678"], "email": ["a@example.ir"]})
    assert citizen.name == "شهروند" and citizen.mobile is None
    assert citizen.email == "a@example.ir" and citizen.preferred_channel is Channel.EMAIL
    assert citizen_from_form({}).preferred_channel is Channel.NONE


def test_a_citizen_update_keeps_no_name_or_contact() -> None:
    fields = {
        "update_id": ["u-1"],
        "status": ["open"],
        "description": ["هنوز\r\nخاموش"],
        "first_name": ["علی"],
        "email": ["ali@example.ir"],
    }
    entry = citizen_update(fields, NOW)
    assert entry == {
        "update_id": "u-1",
        "status": "OPEN",
        "description": "هنوز\nخاموش",
        "media_url": None,
        "at": NOW,
    }
    with pytest.raises(BadInput, match="status"):
        citizen_update(fields | {"status": ["DONE"]}, NOW)
    with pytest.raises(BadInput, match="update_id"):
        citizen_update({"status": ["OPEN"]}, NOW)
