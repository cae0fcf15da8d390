"""Open311 GeoReport v2 (and mySociety's service request updates) in Pishkhan's terms.

Pure mappings between the spec's fields and intake's catalogue and request records.
Reads show no personal data: never the citizen's name, national ID, mobile or email.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import EmailStr, TypeAdapter, ValidationError

from contracts import Channel, GeoPoint, RequestCategory, RequestStatus
from intake.domain.catalogue import AttributeDefinition, ServiceDefinition
from intake.domain.identity import InvalidIdentity, mobile_e164
from intake.domain.persian import ascii_digits, normalize_text
from intake.domain.requests import Citizen, NewRequest
from servicekit.logs import mask_personal_data

Form = Mapping[str, list[str]]

TEHRAN = ZoneInfo("Asia/Tehran")
MAX_WINDOW = timedelta(days=90)
CITIZEN_FALLBACK_NAME = "شهروند"
MAX_UPDATE_ID = 100
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 500
MAX_MEDIA_URL = 2000

OPEN311_STATUS: dict[str, str] = {
    RequestStatus.SUBMITTED: "open",
    RequestStatus.ROUTED: "open",
    "accepted": "open",
    RequestStatus.IN_PROGRESS: "open",
    RequestStatus.ON_HOLD: "open",
    RequestStatus.REOPENED: "open",
    RequestStatus.RESOLVED: "closed",
    RequestStatus.REJECTED: "closed",
    RequestStatus.CLOSED: "closed",
}

# FixMyStreet counts INTERNAL_REFERRAL among its closed states, so a routed request stays OPEN there.
# It maps only the spec's statuses onto its states (REOPEN is one it sends, never one it reads),
# so a reopened request is OPEN again.
UPDATE_STATUS: dict[str, str] = {
    RequestStatus.SUBMITTED: "OPEN",
    RequestStatus.ROUTED: "OPEN",
    "accepted": "ACTION_SCHEDULED",
    RequestStatus.IN_PROGRESS: "IN_PROGRESS",
    RequestStatus.ON_HOLD: "INVESTIGATING",
    RequestStatus.RESOLVED: "FIXED",
    RequestStatus.REJECTED: "NO_FURTHER_ACTION",
    RequestStatus.CLOSED: "CLOSED",
    RequestStatus.REOPENED: "OPEN",
}

_OTHER_UPDATE_STATUSES = "DUPLICATE NOT_COUNCILS_RESPONSIBILITY INTERNAL_REFERRAL FOR_TRIAGE CANCELLED REOPEN"
UPDATE_STATUSES = frozenset(UPDATE_STATUS.values()) | frozenset(_OTHER_UPDATE_STATUSES.split(" "))

DATATYPE_HINTS = {
    "number": "یک عدد، مثلاً 3 یا 2.5",
    "datetime": "تاریخ و ساعت ISO 8601 با اختلاف ساعت، مثلاً 2026-11-24T11:45:00+03:30",
    "singlevaluelist": "یکی از کلیدهای فهرست",
    "multivaluelist": "یک یا چند کلید از فهرست (کلید تکراری)",
}

LIST_DATATYPES = frozenset({"singlevaluelist", "multivaluelist"})

_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\]]+)\](?:\[\])?")
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


class BadInput(ValueError):
    """Input an Open311 client must correct (answered with 400)."""


def w3c(moment: datetime | None) -> str | None:
    """W3C date and time with an explicit offset, in Tehran time."""
    return None if moment is None else moment.astimezone(TEHRAN).isoformat(timespec="seconds")


def parse_instant(raw: str, name: str) -> datetime:
    """A W3C date and time; one without an offset is UTC.

    FixMyStreet formats a floating time (e.g. a --start-date given by hand) with no offset and
    compares it with UTC times, so UTC is what such a time means to the client.
    """
    # an unescaped "+" in a query string arrives as a space
    text = _SPACED_OFFSET.sub(r"+\1", raw.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadInput(f"{name} is not an ISO 8601 date and time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def date_window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The asked period, by default the last 90 days; at most 90 days long."""
    until = parse_instant(end, "end_date") if end else now
    since = parse_instant(start, "start_date") if start else until - MAX_WINDOW
    if since > until:
        raise BadInput("start_date is after end_date")
    if until - since > MAX_WINDOW:
        raise BadInput("start_date and end_date may be at most 90 days apart")
    return since, until


def service_entry(service: ServiceDefinition) -> dict[str, Any]:
    return {
        "service_code": service.service_code,
        "service_name": service.name_fa,
        "description": service.description_fa or service.name_en,
        "metadata": bool(service.attributes),
        "type": service.georeport_type,
        "keywords": ",".join(service.keywords),
        "group": service.group,
    }


def attribute_entry(attribute: AttributeDefinition) -> dict[str, Any]:
    """The spec's attribute; `values` only for the list datatypes (an empty one reads as nothing)."""
    entry: dict[str, Any] = {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": DATATYPE_HINTS.get(attribute.datatype),
        "order": attribute.order,
        "description": attribute.description_fa,
    }
    if attribute.datatype in LIST_DATATYPES or attribute.values:
        entry["values"] = [{"key": key, "name": name} for key, name in attribute.values.items()]
    return entry


def service_definition(service: ServiceDefinition) -> dict[str, Any]:
    ordered = sorted(service.attributes, key=lambda attribute: attribute.order)
    return {"service_code": service.service_code, "attributes": [attribute_entry(a) for a in ordered]}


def _masked(text: str | None) -> str | None:
    """A number or address a citizen typed into the free text is not published with it."""
    return None if text is None else mask_personal_data(text)


def request_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    location = record.get("location") or {}
    timeline = record.get("timeline") or []
    return {
        "service_request_id": record["_id"],
        "status": OPEN311_STATUS.get(record["status"], "open"),
        "status_notes": timeline[-1].get("note_fa") if timeline else None,
        "service_name": record["service_name_fa"],
        "service_code": record["service_code"],
        "description": _masked(record.get("description")),
        "agency_responsible": record.get("unit_name_fa"),
        "service_notice": None,
        "requested_datetime": w3c(record["requested_at"]),
        "updated_datetime": w3c(record.get("updated_at") or record["requested_at"]),
        "expected_datetime": w3c(record.get("expected_at")),
        "address": _masked(record.get("address")),
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("long"),
        "media_url": record.get("media_url"),
    }


def status_updates(record: Mapping[str, Any], since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Each timeline step caused by an event is one update."""
    return [
        {
            "update_id": step["event_id"],
            "service_request_id": record["_id"],
            "status": UPDATE_STATUS.get(step["status"], "OPEN"),
            "updated_datetime": w3c(step["at"]),
            "description": step.get("note_fa"),
            "media_url": None,
        }
        for step in record.get("timeline") or []
        if step.get("event_id") and since <= step["at"] <= until
    ]


def first(form: Form, name: str) -> str | None:
    values = form.get(name) or []
    value = values[0].strip() if values else ""
    return value or None


def plain_text(raw: str | None) -> str:
    """CRLF and lone CR become LF; the text itself is kept."""
    return (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _number(text: str) -> int | float | str:
    digits = ascii_digits(text)
    for kind in (int, float):
        try:
            number = kind(digits)
        except ValueError:
            continue
        if number == number and abs(number) != float("inf"):
            return number
    return text  # the catalogue's check refuses it


def _typed(attribute: AttributeDefinition | None, values: list[str]) -> Any:
    if attribute is not None and attribute.datatype == "multivaluelist":
        return values
    if len(values) != 1:
        return values
    if attribute is not None and attribute.datatype == "number":
        return _number(values[0])
    return values[0]


def attributes_from_form(service: ServiceDefinition, form: Form) -> dict[str, Any]:
    """`attribute[code]` fields (repeated keys for a multivaluelist), typed per the definition.

    Codes the service does not define are left out rather than refused: a client that fetched the
    definition before an attribute was removed, or that adds its own (easting, closest_address…),
    would otherwise have its request refused every time it retried.
    """
    raw: dict[str, list[str]] = {}
    for key, values in form.items():
        if match := _ATTRIBUTE_KEY.fullmatch(key):
            raw.setdefault(match.group(1), []).extend(v.strip() for v in values if v.strip())
    known = {attribute.code: attribute for attribute in service.attributes}
    return {code: _typed(known[code], values) for code, values in raw.items() if values and code in known}


def _mobile(phone: str | None) -> str | None:
    try:
        return mobile_e164(phone) if phone else None
    except InvalidIdentity:
        return None


def _email(email: str | None) -> str | None:
    try:
        return _EMAIL.validate_python(email) if email else None
    except ValidationError:
        return None


def citizen_from_form(form: Form) -> Citizen:
    name = normalize_text(
        " ".join(part for part in (first(form, "first_name"), first(form, "last_name")) if part)
    )
    mobile, email = _mobile(first(form, "phone")), _email(first(form, "email"))
    channel = Channel.SMS if mobile else Channel.EMAIL if email else Channel.NONE
    return Citizen(
        name=name[:100] if len(name) >= 2 else CITIZEN_FALLBACK_NAME,
        mobile=mobile,
        email=email,
        preferred_channel=channel,
    )


def location_from_form(form: Form) -> GeoPoint | None:
    lat, long = first(form, "lat"), first(form, "long")
    if lat is None and long is None:
        return None
    if lat is None or long is None:
        raise BadInput("lat and long go together")
    try:
        return GeoPoint(lat=float(ascii_digits(lat)), long=float(ascii_digits(long)))
    except (ValueError, ValidationError) as error:
        raise BadInput("lat and long must be decimal degrees (WGS84)") from error


def _validation_summary(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors())


def _clipped(text: str) -> str:
    """At most MAX_DESCRIPTION characters (normalised first, as the record keeps it)."""
    text = normalize_text(text)
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1].rstrip() + "…"


def new_request(service: ServiceDefinition, form: Form) -> NewRequest:
    """The request as the native API would receive it; an address_id is kept as the address."""
    location = location_from_form(form)
    address_id = first(form, "address_id")
    address = first(form, "address_string") or (f"address_id: {address_id}" if address_id else None)
    address = address[:MAX_ADDRESS] if address else None
    media_url = first(form, "media_url")
    if location is None and address is None:
        raise BadInput("a location is required: lat and long, address_string or address_id")
    try:
        return NewRequest(
            service_code=service.service_code,
            category=RequestCategory.REQUEST,
            description=_clipped(plain_text(first(form, "description"))) or service.name_fa,
            attributes=attributes_from_form(service, form),
            location=location,
            address=address,
            media_url=media_url if media_url and len(media_url) <= MAX_MEDIA_URL else None,
            citizen=citizen_from_form(form),
        )
    except ValidationError as error:
        raise BadInput(_validation_summary(error)) from error


def citizen_update(form: Form, now: datetime) -> dict[str, Any]:
    """A follow-up the citizen posted; who wrote it is not kept."""
    update_id = first(form, "update_id")
    if update_id is None or len(update_id) > MAX_UPDATE_ID:
        raise BadInput(f"update_id is required (at most {MAX_UPDATE_ID} characters)")
    status = (first(form, "status") or "").upper()
    if status not in UPDATE_STATUSES:
        raise BadInput(f"status must be one of {', '.join(sorted(UPDATE_STATUSES))}")
    # what cannot be kept is shortened or left out, never refused: the client would retry for ever
    description = _clipped(plain_text(first(form, "description")))
    media_url = first(form, "media_url")
    if media_url and len(media_url) > MAX_MEDIA_URL:
        media_url = None
    return {
        "update_id": update_id,
        "status": status,
        "description": description,
        "media_url": media_url,
        "at": now,
    }
