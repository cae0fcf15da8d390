from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response
from fastapi.testclient import TestClient

from intake.api.open311.formats import (
    Document,
    Format,
    Open311Error,
    Open311Route,
    errors_document,
    render_json,
    render_xml,
    respond,
)
from intake.api.open311.forms import parse_form
from intake.domain.catalogue import AttributeDefinition, ServiceDefinition
from intake.domain.open311 import service_definition, service_entry

pytestmark = pytest.mark.unit

SERVICE = ServiceDefinition(
    service_code="ARD-901",
    name_fa="درخت افتاده",
    name_en="Fallen tree",
    group="خدمات شهری",
    attributes=[
        AttributeDefinition(
            code="size",
            datatype="singlevaluelist",
            description_fa="اندازه",
            required=True,
            values={"small": "کوچک", "large": "بزرگ"},
        )
    ],
)
REQUEST = {
    "service_request_id": "140312345678",
    "status": "open",
    "description": "خط یک\nخط دو \x01",
    "lat": 38.2498,
    "long": 48.2933,
    "address": None,
}


def no_xml_attributes(root: ET.Element) -> bool:
    return all(not element.attrib for element in root.iter())


def test_services_in_xml_have_the_spec_shape() -> None:
    root = ET.fromstring(render_xml(Document("services", [service_entry(SERVICE)])))
    assert root.tag == "services"
    assert root.find("service/service_code").text == "ARD-901"  # type: ignore[union-attr]
    assert root.find("service/service_name").text == "درخت افتاده"  # type: ignore[union-attr]
    assert root.find("service/metadata").text == "true"  # type: ignore[union-attr]
    assert no_xml_attributes(root)


def test_a_definition_in_xml_has_attributes_and_values() -> None:
    root = ET.fromstring(render_xml(Document("service_definition", service_definition(SERVICE))))
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute is not None
    assert [attribute.findtext(tag) for tag in ("variable", "code", "datatype", "required")] == [
        "true",
        "size",
        "singlevaluelist",
        "true",
    ]
    assert [(v.findtext("key"), v.findtext("name")) for v in attribute.findall("values/value")] == [
        ("small", "کوچک"),
        ("large", "بزرگ"),
    ]
    assert no_xml_attributes(root)


def test_requests_in_xml_and_json() -> None:
    document = Document("service_requests", [REQUEST])
    rendered = render_xml(document)
    assert rendered.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(rendered)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == "140312345678"  # type: ignore[union-attr]
    assert root.findtext("request/description") == "خط یک\nخط دو "
    assert root.findtext("request/lat") == "38.2498"
    address = root.find("request/address")
    assert address is not None and address.text is None
    assert json.loads(render_json(document)) == [REQUEST]


def test_errors_in_both_formats() -> None:
    document = errors_document(403, "the api_key is unknown or revoked")
    root = ET.fromstring(render_xml(document))
    assert root.tag == "errors" and root.findtext("error/code") == "403"
    assert json.loads(render_json(document)) == [
        {"code": 403, "description": "the api_key is unknown or revoked"}
    ]
    assert respond(document, "xml", 403).media_type == "text/xml; charset=utf-8"


async def test_forms_url_encoded_and_multipart() -> None:
    fields = {"attribute[hazards]": ["road", "wire"], "description": ["الف\r\nب"], "email": [""]}
    encoded = httpx.Request("POST", "http://x/", data=fields)
    assert await parse_form(encoded.headers["content-type"], encoded.read()) == fields
    multipart = httpx.Request("POST", "http://x/", data=fields, files={"media": ("a.jpg", b"\xff\xd8")})
    assert await parse_form(multipart.headers["content-type"], multipart.read()) == fields
    with pytest.raises(Open311Error):
        await parse_form("application/json", b'{"service_code": "ARD-101"}')


def test_the_route_answers_open311_errors_never_a_422() -> None:
    router = APIRouter(route_class=Open311Route)

    @router.get("/things/{code}.{fmt}")
    async def thing(code: str, fmt: Format) -> Response:
        if code == "missing":
            raise Open311Error(404, "no thing")
        return respond(Document("services", []), fmt)

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/things/a.xml").text.endswith("<services />")
    unknown_format = client.get("/things/a.html")
    assert unknown_format.status_code == 404 and unknown_format.json()[0]["code"] == 404
    missing = client.get("/things/missing.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("error/description") == "no thing"
