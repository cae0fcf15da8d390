"""Form bodies as Open311 clients send them: URL-encoded (the spec) or multipart."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from urllib.parse import parse_qsl

from fastapi import Request

from intake.api.open311.formats import Open311Error

URLENCODED, MULTIPART = "application/x-www-form-urlencoded", "multipart/form-data"
MAX_FIELDS = 500


def parse_urlencoded(body: bytes) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise Open311Error(400, "the form is not valid UTF-8 URL-encoded text") from error
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _field(part: EmailMessage) -> tuple[str, str] | None:
    """A named text field; uploaded files are not taken (send a media_url)."""
    name = part.get_param("name", header="content-disposition")
    if not name or part.get_filename() is not None:
        return None
    payload = part.get_payload(decode=True)
    charset = part.get_content_charset() or "utf-8"
    return collapse_rfc2231_value(name), bytes(payload or b"").decode(charset)


def parse_multipart(content_type: str, body: bytes) -> dict[str, list[str]]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise Open311Error(400, "the multipart form could not be read")
    fields: dict[str, list[str]] = {}
    try:
        for part in message.iter_parts():
            field = _field(part) if isinstance(part, EmailMessage) else None
            if field is not None:
                fields.setdefault(field[0], []).append(field[1])
    except (LookupError, UnicodeDecodeError) as error:
        raise Open311Error(400, "the multipart form could not be read") from error
    if len(fields) > MAX_FIELDS:
        raise Open311Error(400, "too many form fields")
    return fields


async def read_form(request: Request) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == URLENCODED:
        return parse_urlencoded(await request.body())
    if media_type == MULTIPART:
        return parse_multipart(content_type, await request.body())
    raise Open311Error(400, f"send the fields as {URLENCODED} (or {MULTIPART})")
