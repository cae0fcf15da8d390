"""One neutral answer, two renderings: the spec's JSON and its attribute-free XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

Format = Literal["json", "xml"]
MEDIA_TYPES: dict[str, str] = {"json": "application/json", "xml": "text/xml; charset=utf-8"}

# the XML element of each item in a list, by the element that holds the list
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Document:
    root: str
    body: list[Any] | dict[str, Any]


class Open311Error(Exception):
    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def render_json(document: Document) -> bytes:
    return json.dumps(document.body, ensure_ascii=False).encode()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, list):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif value is not None:
        element.text = _text(value)


def render_xml(document: Document) -> bytes:
    root = ET.Element(document.root)
    _fill(root, document.body)
    rendered: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return rendered


RENDERERS: dict[str, Callable[[Document], bytes]] = {"json": render_json, "xml": render_xml}


def respond(
    document: Document, fmt: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(RENDERERS[fmt](document), status_code, headers, media_type=MEDIA_TYPES[fmt])


def errors_document(status: int, description: str) -> Document:
    return Document("errors", [{"code": status, "description": description}])


def format_of(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"


class Open311Route(APIRoute):
    """Every failure of an Open311 call is answered as the spec's errors list, never a problem document."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            fmt = format_of(request.url.path)
            try:
                return await handler(request)
            except Open311Error as error:
                document, status, headers = (
                    errors_document(error.status, error.description),
                    error.status,
                    error.headers,
                )
            except RequestValidationError:
                known = request.url.path.rsplit(".", 1)[-1] in MEDIA_TYPES
                status = 400 if known else 404
                description = "the request is not valid" if known else "unknown format: use .json or .xml"
                document, headers = errors_document(status, description), {}
            return respond(document, fmt, status, headers)

        return answer
