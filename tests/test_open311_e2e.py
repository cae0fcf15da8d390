"""Open311 GeoReport v2 as FixMyStreet's client uses it (XML), and in JSON, against the running system."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import System, eventually, file_request, read_request

pytestmark = pytest.mark.e2e

CODE = "ARD-951"
SERVICE = {
    "service_code": CODE,
    "name_fa": "درخت افتاده",
    "name_en": "Fallen tree",
    "group": "خدمات شهری",
    "keywords": ["درخت"],
    "location_required": True,
    "open311_public": True,
    "attributes": [
        {
            "code": "size",
            "datatype": "singlevaluelist",
            "description_fa": "اندازه درخت",
            "required": True,
            "order": 1,
            "values": {"small": "کوچک", "large": "بزرگ"},
        },
        {
            "code": "hazards",
            "datatype": "multivaluelist",
            "description_fa": "خطرها",
            "order": 2,
            "values": {"road": "راه بسته", "wire": "سیم برق"},
        },
        {"code": "count", "datatype": "number", "description_fa": "تعداد", "order": 3},
    ],
}


def base(system: System) -> str:
    return f"{system.url('intake')}/open311/v2"


def get(system: System, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{base(system)}/{path}", params={"jurisdiction_id": "ardabil", **params}, timeout=10)


def post(system: System, path: str, fields: list[tuple[str, str]]) -> httpx.Response:
    body = httpx.QueryParams(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return httpx.post(f"{base(system)}/{path}", content=str(body).encode(), headers=headers, timeout=10)


@pytest.fixture(scope="module")
def service(system: System) -> str:
    url = f"{system.url('intake')}/v1/services/{CODE}"
    httpx.put(url, json=SERVICE, headers=system.staff(), timeout=10).raise_for_status()
    return CODE


def filing(system: System, marker: str, api_key: str | None = None) -> list[tuple[str, str]]:
    return [
        ("api_key", api_key or system.api_key),
        ("jurisdiction_id", "ardabil"),
        ("service_code", CODE),
        ("attribute[size]", "large"),
        ("attribute[hazards]", "road"),
        ("attribute[hazards]", "wire"),
        ("attribute[count]", "3"),
        ("lat", "38.2498"),
        ("long", "48.2933"),
        ("description", f"درخت افتاده {marker}\r\nراه بسته است"),
        ("first_name", "مریم"),
        ("last_name", "رضایی"),
        ("phone", "09141234567"),
        ("email", "maryam@example.ir"),
    ]


def test_catalogue_in_json_and_xml(system: System, service: str) -> None:
    listed = {entry["service_code"]: entry for entry in get(system, "services.json").json()}
    assert listed[service]["metadata"] is True and listed["ARD-101"]["metadata"] is False
    xml = get(system, "services.xml")
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    codes = [element.text for element in ET.fromstring(xml.content).findall("service/service_code")]
    assert service in codes and "ARD-101" in codes
    definition = ET.fromstring(get(system, f"services/{service}.xml").content)
    attributes = definition.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["size", "hazards", "count"]
    assert attributes[0].findtext("required") == "true"
    assert [v.findtext("key") for v in attributes[1].findall("values/value")] == ["road", "wire"]
    assert get(system, "services/ARD-101.json").json() == {"service_code": "ARD-101", "attributes": []}
    discovery = get(system, "discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")


def test_round_trip(system: System, service: str) -> None:
    marker = uuid.uuid4().hex
    started = datetime.now(UTC) - timedelta(minutes=1)
    filed_xml = post(system, "requests.xml", filing(system, marker))
    assert filed_xml.status_code == 201, filed_xml.text
    first = ET.fromstring(filed_xml.content).findtext("request/service_request_id")
    filed_json = post(system, "requests.json", filing(system, marker + "-json"))
    assert filed_json.status_code == 201, filed_json.text
    second = filed_json.json()[0]["service_request_id"]
    assert first and second

    one = get(system, f"requests/{first}.json").json()[0]
    assert one["description"] == f"درخت افتاده {marker}\nراه بسته است"
    assert (one["lat"], one["long"]) == (38.2498, 48.2933) and one["status"] == "open"
    assert one["requested_datetime"].endswith("+03:30")
    assert "مریم" not in str(one) and "09141234567" not in str(one) and "maryam" not in str(one)
    as_xml = ET.fromstring(get(system, f"requests/{first}.xml").content)
    assert as_xml.findtext("request/service_code") == service

    both = get(system, "requests.xml", service_request_id=f"{first},{second}")
    assert [e.text for e in ET.fromstring(both.content).findall("request/service_request_id")] == [
        first,
        second,
    ]
    window = {
        "start_date": started.isoformat(),
        "end_date": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
    }
    found = get(system, "requests.json", service_code=service, status="open", **window).json()
    assert {first, second} <= {entry["service_request_id"] for entry in found}
    assert get(system, "requests.json", service_code=service, status="closed", **window).json() == []

    def routed() -> dict[str, Any] | None:
        entry: dict[str, Any] = get(system, f"requests/{first}.json").json()[0]
        return entry if entry["agency_responsible"] else None

    entry = eventually(routed)
    assert entry["status"] == "open" and entry["expected_datetime"]
    updates = ET.fromstring(get(system, "servicerequestupdates.xml", **window).content)
    mine = [u for u in updates.findall("request_update") if u.findtext("service_request_id") == first]
    assert [u.findtext("status") for u in mine] == ["OPEN"] and mine[0].findtext("update_id")

    update = [
        ("api_key", system.api_key),
        ("update_id", f"fms-{marker}"),
        ("service_request_id", first),
        ("status", "OPEN"),
        ("updated_datetime", datetime.now(UTC).isoformat()),
        ("description", "هنوز\r\nراه بسته است"),
        ("first_name", "مریم"),
        ("last_name", "رضایی"),
        ("email", "maryam@example.ir"),
    ]
    answers = [post(system, "servicerequestupdates.xml", update) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 200]
    assert ET.fromstring(answers[0].content).findtext("request_update/update_id") == f"fms-{marker}"
    stored = read_request(system, first)["updates"]
    assert isinstance(stored, list) and len(stored) == 1
    assert stored[0]["description"] == "هنوز\nراه بسته است" and "مریم" not in str(stored)


def test_errors_are_open311_errors(system: System, service: str) -> None:
    bad_key = post(system, "requests.xml", filing(system, "x", api_key="pk_nope_nope"))
    assert bad_key.status_code == 403
    assert ET.fromstring(bad_key.content).findtext("error/code") == "403"
    assert post(system, "requests.json", filing(system, "x", api_key="pk_nope")).json()[0]["code"] == 403
    unknown = [(k, "ARD-000" if k == "service_code" else v) for k, v in filing(system, "x")]
    assert post(system, "requests.json", unknown).status_code == 400
    no_size = [(k, v) for k, v in filing(system, "x") if k != "attribute[size]"]
    assert post(system, "requests.xml", no_size).status_code == 400
    no_place = [(k, v) for k, v in filing(system, "x") if k not in {"lat", "long"}]
    assert post(system, "requests.json", no_place).status_code == 400
    too_long = get(system, "requests.xml", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z")
    assert too_long.status_code == 400 and ET.fromstring(too_long.content).tag == "errors"
    assert get(system, "requests/140312345678.json").status_code == 404
    assert get(system, "services/ARD-000.xml").status_code == 404
    assert get(system, "tokens/no-such-token.json").status_code == 404
    assert get(system, "services.html").status_code == 404
    assert get(system, "requests.json", status="maybe").json()[0]["code"] == 400


def w3cdtf(moment: datetime) -> str:
    """How FixMyStreet formats start_date and end_date: UTC, whole seconds, a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_fixmystreet_client_bodies(system: System, service: str) -> None:
    marker = uuid.uuid4().hex
    started = datetime.now(UTC) - timedelta(minutes=1)
    # the fields Open311.pm posts for a report, extra attributes of its own included
    report = [
        ("description", f"درخت افتاده\n\n{marker}\n\nhttps://fms.example/report/42\n"),
        ("service_code", service),
        ("first_name", "Maryam"),
        ("last_name", ""),
        ("email", "maryam@example.ir"),
        ("lat", "38.249801"),
        ("long", "48.293302"),
        ("attribute[size]", "small"),
        ("attribute[hazards]", ""),
        ("attribute[count]", ""),
        ("attribute[closest_address]", "خیابان امام"),
        ("jurisdiction_id", "ardabil"),
        ("api_key", system.api_key),
    ]
    filed = post(system, "requests.xml", report)
    assert filed.status_code == 201, filed.text
    code = ET.fromstring(filed.content).findtext("request/service_request_id")
    assert code

    window = {"start_date": w3cdtf(started), "end_date": w3cdtf(datetime.now(UTC) + timedelta(minutes=1))}
    listed = get(system, "servicerequestupdates.xml", api_key=system.api_key, **window)
    assert listed.status_code == 200 and ET.fromstring(listed.content).tag == "service_request_updates"
    requests = get(system, "requests.xml", **window)
    assert code in [e.text for e in ET.fromstring(requests.content).findall("request/service_request_id")]

    # the fields Open311.pm posts for a comment (extended statuses, reopening)
    update = [
        ("updated_datetime", w3cdtf(datetime.now(UTC))),
        ("service_request_id", code),
        ("status", "REOPEN"),
        ("description", "هنوز افتاده است"),
        ("last_name", "-"),
        ("first_name", "Maryam"),
        ("email", "maryam@example.ir"),
        ("update_id", "7"),
        ("jurisdiction_id", "ardabil"),
        ("api_key", system.api_key),
    ]
    answer = post(system, "servicerequestupdates.xml", update)
    assert answer.status_code == 201, answer.text
    assert ET.fromstring(answer.content).findtext("request_update/update_id") == "7"


def test_only_public_services_are_read_back_and_typed_numbers_are_masked(system: System) -> None:
    base = f"{system.url('intake')}/open311/v2"
    permit = file_request(system, service_code="ARD-201", category="request", location=None)
    hidden = httpx.get(f"{base}/requests/{permit['tracking_code']}.json", timeout=10)
    assert hidden.status_code == 404, "a building permit is not a public report"
    listed = httpx.get(f"{base}/requests.json", params={"service_code": "ARD-201"}, timeout=10)
    assert listed.status_code == 200 and listed.json() == []

    typed = "تیر برق افتاده؛ با من تماس بگیرید 09141239876 یا m.rezaei@example.ir"
    lamp = file_request(system, description=typed)
    shown = httpx.get(f"{base}/requests/{lamp['tracking_code']}.json", timeout=10).json()[0]
    assert "09141239876" not in shown["description"] and "m.rezaei@example.ir" not in shown["description"]
    assert shown["description"].startswith("تیر برق افتاده")
