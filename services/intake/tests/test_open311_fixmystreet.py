"""What FixMyStreet's Open311 client sends and how it reads the answers (XML only).

`simple` reads XML the way the client's XML::Simple set-up does: the root element is dropped,
`service`, `attribute`, `value`, `request`, `error` and `request_update` are always lists, a
wrapper that holds only such a list (e.g. `attributes`) becomes the list, and an empty element
is undef (None). It is checked first against XML shaped like the client's own test fixtures.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from intake.api.open311.formats import Document, errors_document, render_xml
from intake.api.open311.forms import URLENCODED, parse_form
from intake.domain.catalogue import AttributeDefinition, ServiceDefinition, check_attributes
from intake.domain.open311 import (
    MAX_DESCRIPTION,
    UPDATE_STATUS,
    UPDATE_STATUSES,
    citizen_update,
    date_window,
    new_request,
    service_definition,
    service_entry,
    status_updates,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)
GROUP_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
}
FORCE_ARRAY = frozenset(GROUP_TAGS.values())

# the client's map_state, and the states it lets an update set
STATE_MAP = {
    "fixed": "fixed - council",
    "not councils responsibility": "not responsible",
    "no further action": "unable to fix",
    "open": "confirmed",
    "closed": "fixed - council",
}
VISIBLE_STATES = {
    "confirmed",
    "investigating",
    "in progress",
    "action scheduled",
    "fixed - council",
    "unable to fix",
    "not responsible",
    "duplicate",
    "internal referral",
    "closed",
}


def _collapse(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        text = element.text or ""
        return text if text.strip() else None
    result: dict[str, Any] = {}
    for child in children:
        value = _collapse(child)
        if child.tag in FORCE_ARRAY:
            result.setdefault(child.tag, []).append(value)
        elif child.tag in result:
            previous = result[child.tag]
            result[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[child.tag] = value
    for wrapper, item in GROUP_TAGS.items():
        inner = result.get(wrapper)
        if isinstance(inner, dict) and set(inner) == {item}:
            result[wrapper] = inner[item]
    return result


def simple(xml: bytes | str) -> Any:
    return _collapse(ET.fromstring(xml))


def map_state(status: str) -> str:
    state = status.lower().replace("_", " ")
    return STATE_MAP.get(state, state)


def w3c_to_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, "the client reads a time without an offset as its own local time"
    return moment.astimezone(UTC)


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
        AttributeDefinition(code="note", datatype="string", description_fa="توضیح", order=3),
    ],
)


def test_the_reader_matches_the_clients_fixtures() -> None:
    definition = simple(
        """<?xml version="1.0" encoding="utf-8"?>
    <service_definition>
        <service_code>100</service_code>
        <attributes>
            <attribute>
                <variable>true</variable>
                <code>type</code>
                <datatype>string</datatype>
                <required>true</required>
                <datatype_description>Type of bin</datatype_description>
                <order>1</order>
                <description>Type of bin</description>
            </attribute>
        </attributes>
    </service_definition>"""
    )
    assert definition["attributes"] == [
        {
            "variable": "true",
            "code": "type",
            "datatype": "string",
            "required": "true",
            "datatype_description": "Type of bin",
            "order": "1",
            "description": "Type of bin",
        }
    ]
    updates = simple(
        """<?xml version="1.0" encoding="utf-8"?>
<service_requests_updates>
<request_update>
<update_id>638344</update_id>
<service_request_id>1</service_request_id>
<status>open</status>
<description>This is a note</description>
<updated_datetime />
</request_update>
</service_requests_updates>"""
    )
    assert updates["request_update"] == [
        {
            "update_id": "638344",
            "service_request_id": "1",
            "status": "open",
            "description": "This is a note",
            "updated_datetime": None,
        }
    ]
    filed = simple(
        '<?xml version="1.0" encoding="utf-8"?><service_requests><request>'
        "<service_request_id>248</service_request_id></request></service_requests>"
    )
    assert filed["request"][0]["service_request_id"] == "248"


def test_the_catalogue_reads_as_the_client_expects() -> None:
    listed = simple(render_xml(Document("services", [service_entry(SERVICE)])))
    service = listed["service"][0]
    assert service["service_code"] == "ARD-901" and service["service_name"] == "درخت افتاده"
    assert service["metadata"].lower() == "true" and service["group"] == "خدمات شهری"
    assert [word.strip() for word in service["keywords"].split(",")] == ["درخت", "tree"]

    definition = simple(render_xml(Document("service_definition", service_definition(SERVICE))))
    attributes = definition["attributes"]
    assert isinstance(attributes, list)
    # the client sorts numerically on order and strips a colon from each description
    assert [a["code"] for a in sorted(attributes, key=lambda a: int(a["order"]))] == ["count", "size", "note"]
    assert all(a["variable"] == "true" and a["description"] for a in attributes)
    by_code = {a["code"]: a for a in attributes}
    assert by_code["size"]["required"] == "true" and by_code["count"]["required"] == "false"
    assert by_code["size"]["values"] == [{"key": "small", "name": "کوچک"}, {"key": "large", "name": "بزرگ"}]
    assert "values" not in by_code["note"] and "values" not in by_code["count"]


def fixmystreet_request(**changes: str | list[str]) -> dict[str, list[str]]:
    """The body Open311.pm posts to requests.xml (default cobrand, always_send_latlong)."""
    fields: dict[str, str | list[str]] = {
        "description": "درخت افتاده\n\nدرخت روی پیاده‌رو افتاده است\n\nhttps://fms.example/report/42\n",
        "service_code": "ARD-901",
        "first_name": "Maryam",
        "last_name": "",
        "email": "maryam@example.ir",
        "lat": "38.249801",
        "long": "48.293302",
        "media_url": "https://fms.example/photo/42.0.full.jpeg",
        "attribute[size]": "large",
        "attribute[count]": "3",
        "attribute[note]": "",
        "jurisdiction_id": "ardabil",
        "api_key": "pk_office_key",
    }
    fields.update(changes)
    body = httpx.Request("POST", "http://intake/open311/v2/requests.xml", data=fields).read()
    return asyncio.run(parse_form(URLENCODED, body))


def test_the_clients_request_body_files_a_request() -> None:
    new = new_request(SERVICE, fixmystreet_request())
    assert new.attributes == {"size": "large", "count": 3}
    check_attributes(SERVICE, new.attributes)
    assert new.description.startswith("درخت افتاده\n\n") and new.description.endswith("/report/42")
    assert new.location is not None and (new.location.lat, new.location.long) == (38.249801, 48.293302)
    assert new.media_url == "https://fms.example/photo/42.0.full.jpeg"
    assert new.citizen.name == "Maryam" and new.citizen.email == "maryam@example.ir"


def test_the_clients_extra_attributes_and_long_texts_are_not_refused() -> None:
    extras = {"attribute[closest_address]": "خیابان امام", "attribute[fixmystreet_id]": "42"}
    new = new_request(SERVICE, fixmystreet_request(**extras))
    assert new.attributes == {"size": "large", "count": 3}
    long = new_request(SERVICE, fixmystreet_request(description="الف " * 3000, address_string="ب" * 900))
    assert len(long.description) == MAX_DESCRIPTION and long.description.endswith("…")
    pinned_by_postcode = fixmystreet_request(address_string="خیابان امام")
    del pinned_by_postcode["lat"], pinned_by_postcode["long"]
    assert new_request(SERVICE, pinned_by_postcode).address == "خیابان امام"


def test_the_filing_answer_and_errors_read_as_the_client_expects() -> None:
    answer = {"service_request_id": "140312345678", "service_notice": None, "account_id": None}
    filed = simple(render_xml(Document("service_requests", [answer])))
    assert filed["request"][0]["service_request_id"] == "140312345678"
    token = simple(render_xml(Document("service_requests", [{"token": "t-1", "service_request_id": "1403"}])))
    assert token["request"][0]["service_request_id"] == "1403"
    errors = simple(render_xml(errors_document(400, "unknown service_code 'X'")))
    assert errors["error"] == [{"code": "400", "description": "unknown service_code 'X'"}]


def test_status_updates_read_as_the_client_expects() -> None:
    record = {
        "_id": "140312345678",
        "timeline": [
            {"status": "submitted", "note_fa": "ثبت شد", "at": NOW, "event_id": None},
            {"status": "routed", "note_fa": "ارجاع شد", "at": NOW, "event_id": "e-1"},
            {"status": "resolved", "note_fa": "رسیدگی شد", "at": NOW, "event_id": "e-2"},
            {"status": "reopened", "note_fa": None, "at": NOW, "event_id": "e-3"},
        ],
    }
    # the client asks for the last two hours, formatted by DateTime::Format::W3CDTF in UTC
    since, until = date_window("2026-11-24T06:15:00Z", "2026-11-24T08:15:00Z", NOW)
    document = Document("service_request_updates", status_updates(record, since, until))
    updates = simple(render_xml(document))["request_update"]
    assert [u["update_id"] for u in updates] == ["e-1", "e-2", "e-3"]
    assert [map_state(u["status"]) for u in updates] == ["confirmed", "fixed - council", "confirmed"]
    assert updates[2]["description"] is None and updates[2]["media_url"] is None
    for update in updates:
        assert update["service_request_id"] == "140312345678"
        assert since <= w3c_to_utc(update["updated_datetime"]) <= until
    assert simple(render_xml(Document("service_request_updates", []))) is None


def test_every_status_sent_sets_a_state_the_client_shows() -> None:
    assert {map_state(status) for status in UPDATE_STATUS.values()} <= VISIBLE_STATES


def test_a_window_without_offset_is_utc() -> None:
    since, until = date_window("2026-11-24T06:15:00", "2026-11-24T08:15:00.250000", NOW)
    assert since == datetime(2026, 11, 24, 6, 15, tzinfo=UTC)
    assert until == datetime(2026, 11, 24, 8, 15, 0, 250000, tzinfo=UTC)


def fixmystreet_update(**changes: str) -> dict[str, list[str]]:
    """The body Open311.pm posts to servicerequestupdates.xml."""
    fields = {
        "updated_datetime": "2026-11-24T11:45:00+03:30",
        "service_request_id": "140312345678",
        "status": "OPEN",
        "description": "هنوز خاموش است",
        "last_name": "-",
        "first_name": "Maryam",
        "email": "maryam@example.ir",
        "update_id": "7",
        "jurisdiction_id": "ardabil",
        "api_key": "pk_office_key",
    }
    fields.update(changes)
    body = httpx.Request("POST", "http://intake/open311/v2/servicerequestupdates.xml", data=fields).read()
    return asyncio.run(parse_form(URLENCODED, body))


@pytest.mark.parametrize(
    "status",
    [
        "OPEN",
        "CLOSED",
        "FIXED",
        "IN_PROGRESS",
        "ACTION_SCHEDULED",
        "INVESTIGATING",
        "DUPLICATE",
        "NOT_COUNCILS_RESPONSIBILITY",
        "NO_FURTHER_ACTION",
        "INTERNAL_REFERRAL",
        "REOPEN",
    ],
)
def test_every_status_the_client_posts_is_taken(status: str) -> None:
    assert status in UPDATE_STATUSES
    assert citizen_update(fixmystreet_update(status=status), NOW)["status"] == status


def test_the_clients_update_body_and_the_answer_it_reads() -> None:
    fields = fixmystreet_update(
        media_url="https://fms.example/photo/c/7.0.full.jpeg",
        email_alerts_requested="FALSE",
        title="MS",
        description="ج" * 5000,
    )
    entry = citizen_update(fields, NOW)
    assert entry["update_id"] == "7" and entry["media_url"].endswith("7.0.full.jpeg")
    assert len(entry["description"]) == MAX_DESCRIPTION
    answer = simple(render_xml(Document("service_request_updates", [{"update_id": entry["update_id"]}])))
    assert answer["request_update"][0]["update_id"] == "7"
