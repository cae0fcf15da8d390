"""Form bodies as Open311 clients send them: URL-encoded (the spec) or multipart.

Parsed by Starlette's form parsers (python-multipart underneath); repeated keys are kept,
because a multi-value list attribute arrives as `attribute[code]` several times.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import Headers
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from intake.api.open311.formats import Open311Error

URLENCODED, MULTIPART = "application/x-www-form-urlencoded", "multipart/form-data"
MAX_FIELDS = 500


async def parse_form(content_type: str, body: bytes) -> dict[str, list[str]]:
    """Text fields by name; uploaded files are not taken (clients send a media_url)."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in (URLENCODED, MULTIPART):
        raise Open311Error(400, f"send the fields as {URLENCODED} (or {MULTIPART})")

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    headers = Headers({"content-type": content_type})
    parser = (
        FormParser(headers, stream())
        if media_type == URLENCODED
        else MultiPartParser(headers, stream(), max_files=20, max_fields=MAX_FIELDS)
    )
    try:
        form = await parser.parse()
    except (MultiPartException, MultipartParseError, UnicodeDecodeError, ValueError) as error:
        raise Open311Error(400, "the form could not be read") from error
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    if len(fields) > MAX_FIELDS:
        raise Open311Error(400, "too many form fields")
    return fields


async def read_form(request: Request) -> dict[str, list[str]]:
    return await parse_form(request.headers.get("content-type", ""), await request.body())
