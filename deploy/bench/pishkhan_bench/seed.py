"""Requests already stored, written straight into the stores in the shape the services write.

Filing 200,000 requests through the API would take longer than the measurement itself, so
the growth figures start from documents built here: intake's request (built by intake's
own `file_request`), routing's case (the fields `routing.service.Router` writes), notify's
recipient and its two deliveries (notify's own `delivery_document`). Inboxes are not
seeded: they are read by `_id` only. Nine in ten seeded requests are closed; open ones
were filed within the last day, so the SLA watch has nothing to warn about or escalate.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import MongoClient

from contracts import Channel, Language, RequestStatus
from intake.domain.catalogue import ServiceDefinition
from intake.domain.fees import price
from intake.domain.geo import cell_of
from intake.domain.offices import Office
from intake.domain.requests import Filing, NewRequest, file_request, filing_answer, timeline_entry
from intake.domain.tracking import new_tracking_code
from intake.store.repository import NEARBY
from notify.domain import placeholders, templates
from notify.domain.model import Delivery, DeliveryStatus, StatusEntry
from notify.store.documents import delivery_document
from pishkhan_bench.loadgen import request_body
from pishkhan_local import demo
from routing.domain import sla

BATCH = 2000
TEMPLATES = 500
OPEN_SHARE = 0.1
UNIT = {"unit_id": "d1-services", "name_fa": "معاونت خدمات شهری منطقه یک"}


@dataclass(frozen=True)
class Seeded:
    request: dict[str, Any]
    case: dict[str, Any]
    recipient: dict[str, Any]
    deliveries: tuple[dict[str, Any], ...]


def _services() -> dict[str, ServiceDefinition]:
    return {row[0]: ServiceDefinition.model_validate(demo.service_definition(*row)) for row in demo.SERVICES}


def _office() -> Office:
    return Office.model_validate({**demo.OFFICE, "licence_valid_until": date.today() + timedelta(days=365)})


def _moment(rng: random.Random, now: datetime, is_open: bool) -> datetime:
    age = timedelta(hours=rng.uniform(0.5, 20)) if is_open else timedelta(days=rng.uniform(2, 180))
    moment = now - age
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def build(rng: random.Random, number: int, now: datetime) -> Seeded:
    """One filed request as all three stores would hold it after it was routed and announced."""
    body = request_body(rng, number)
    new = NewRequest.model_validate(body)
    service = _services_cache[new.service_code]
    is_open = rng.random() < OPEN_SHARE
    at = _moment(rng, now, is_open)
    filing = Filing(
        new=new,
        service=service,
        office=_office_cache,
        fee=price(service.fee_rials, service.service_code, None, [], at.date()),
        idempotency_key=f"{_office_cache.code}:{uuid.uuid4()}",
        body_hash=uuid.uuid4().hex * 2,
        channel="native",
        possible_duplicates=[],
    )
    record, _event = file_request(filing, tracking_code=new_tracking_code(), now=at)
    status = "routed" if is_open else "closed"
    routed_at = at + timedelta(seconds=1)
    record["filed_response"] = filing_answer(record)
    record["timeline"].append(
        timeline_entry(
            RequestStatus(status), routed_at, event_id=str(uuid.uuid4()), unit_name_fa=UNIT["name_fa"]
        )
    )
    record.update(status=status, unit_name_fa=UNIT["name_fa"], updated_at=routed_at, outbox=[])
    case = _case(record, at, routed_at, status)
    recipient = {
        "_id": record["request_id"],
        "tracking_code": record["_id"],
        "mobile": "+98" + body["citizen"]["mobile"][1:],
        "email": None,
        "channel": "sms",
        "language": "fa",
        "office_code": record["office_code"],
        "created_at": at,
        "updated_at": at,
    }
    deliveries = tuple(
        _delivery(record, recipient["mobile"], event_type, moment)
        for event_type, moment in (("request.submitted.v1", at), ("request.routed.v1", routed_at))
    )
    return Seeded(record, case, recipient, deliveries)


def _case(record: dict[str, Any], at: datetime, routed_at: datetime, status: str) -> dict[str, Any]:
    clock = sla.start(timedelta(hours=record["sla_hours"]), routed_at)
    closed = status == "closed"
    return {
        "_id": record["request_id"],
        "tracking_code": record["_id"],
        "service_code": record["service_code"],
        "category": record["category"],
        "description": record["description"],
        "attributes": record["attributes"],
        "district": record["district"],
        "location": record["location"],
        "address": record["address"],
        "office_code": record["office_code"],
        "submitted_at": at,
        "received_at": routed_at,
        "unit_id": UNIT["unit_id"],
        "unit_name_fa": UNIT["name_fa"],
        "rule_id": f"d{record['district']}-default",
        "routing_reason": f"rule d{record['district']}-default",
        "priority": 0,
        "status": status,
        "sla": clock.model_dump(mode="json"),
        "calendar_id": "default",
        "due_at": routed_at + timedelta(days=3),
        "watch_at": None if closed else routed_at + timedelta(days=2),
        "warned": False,
        "escalation_level": 0,
        "escalated_to": None,
        "resolved_at": routed_at + timedelta(days=1) if closed else None,
        "version": 3 if closed else 0,
        "history": [
            {
                "at": routed_at,
                "by": "routing",
                "action": "route",
                "from": None,
                "to": "routed",
                "unit_id": UNIT["unit_id"],
                "reason": "bench seed",
            }
        ],
        "outbox": [],
    }


def _delivery(record: dict[str, Any], mobile: str, event_type: str, at: datetime) -> dict[str, Any]:
    values = {
        "tracking_code": record["_id"],
        "tracking_link": "",
        "unit_name": UNIT["name_fa"],
        "due_date": "",
    }
    text = templates.default_text(event_type, Language.FA)
    delivery = Delivery.new(
        source_event_id=str(uuid.uuid4()),
        recipient_key=record["request_id"],
        channel=Channel.SMS,
        request_id=record["request_id"],
        template=templates.TEMPLATE_NAMES[event_type],
        to=mobile,
        text=templates.tidy(placeholders.render(text.body, values)),
        now=at,
        tracking_code=record["_id"],
        event_type=event_type,
        values=values,
    )
    document = delivery_document(delivery)
    done = at + timedelta(milliseconds=200)
    document.update(status=str(DeliveryStatus.DELIVERED), attempts=1, finished_at=done)
    document["history"] += [
        {"status": str(entry.status), "at": entry.at, "reason": entry.reason}
        for entry in (StatusEntry(DeliveryStatus.SENDING, at), StatusEntry(DeliveryStatus.DELIVERED, done))
    ]
    return document


_services_cache = _services()
_office_cache = _office()


def clone(template: Seeded, rng: random.Random, now: datetime, code: str) -> Seeded:
    """Another request like `template` (built by the services' own code), with its own ids and times."""
    request_id = str(uuid.uuid4())
    at = _moment(rng, now, template.request["status"] != "closed")
    routed_at = at + timedelta(seconds=1)
    request = template.request | {
        "_id": code,
        "request_id": request_id,
        "token": str(uuid.uuid4()),
        "idempotency_key": f"{template.request['office_code']}:{uuid.uuid4()}",
        "requested_at": at,
        "updated_at": routed_at,
        "timeline": [
            template.request["timeline"][0] | {"at": at},
            template.request["timeline"][1] | {"at": routed_at, "event_id": str(uuid.uuid4())},
        ],
    }
    request["filed_response"] = filing_answer(request)
    case = template.case | {
        "_id": request_id,
        "tracking_code": code,
        "submitted_at": at,
        "received_at": routed_at,
        "sla": template.case["sla"] | {"started_at": routed_at.isoformat()},
        "due_at": routed_at + timedelta(days=3),
        "watch_at": template.case["watch_at"] and routed_at + timedelta(days=2),
        "resolved_at": routed_at + timedelta(days=1) if template.case["resolved_at"] else None,
        "history": [template.case["history"][0] | {"at": routed_at}],
    }
    times = {"_id": request_id, "tracking_code": code, "created_at": at, "updated_at": at}
    recipient = template.recipient | times
    deliveries = tuple(
        _clone_delivery(d, code, request_id, moment)
        for d, moment in zip(template.deliveries, (at, routed_at), strict=True)
    )
    return Seeded(request, case, recipient, deliveries)


def _clone_delivery(template: dict[str, Any], code: str, request_id: str, at: datetime) -> dict[str, Any]:
    event_id, done = str(uuid.uuid4()), at + timedelta(milliseconds=200)
    return template | {
        "_id": f"{event_id}:{request_id}:sms",
        "notification_id": str(uuid.uuid4()),
        "source_event_id": event_id,
        "request_id": request_id,
        "tracking_code": code,
        "recipient_key": request_id,
        "created_at": at,
        "next_attempt_at": at,
        "finished_at": done,
        "values": template["values"] | {"tracking_code": code},
        "history": [
            {"status": "created", "at": at, "reason": None},
            {"status": "sending", "at": at, "reason": None},
            {"status": "delivered", "at": done, "reason": None},
        ],
    }


def batches(count: int, seed: int) -> Iterator[list[Seeded]]:
    """`TEMPLATES` requests built by the services' code, then cloned with their own ids and times."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    templates = [build(rng, number, now) for number in range(min(count, TEMPLATES))]
    codes = unique_codes()
    for start in range(0, count, BATCH):
        size = min(count, start + BATCH) - start
        yield [clone(rng.choice(templates), rng, now, next(codes)) for _ in range(size)]


def unique_codes() -> Iterator[str]:
    """Tracking codes, none twice (200,000 random ones would repeat one in five runs)."""
    used: set[str] = set()
    while True:
        code = new_tracking_code()
        if code not in used:
            used.add(code)
            yield code


def _list_open_nearby(intake: Any, records: list[dict[str, Any]]) -> None:
    """What intake's `mark_open` writes for each open located request."""
    cells: dict[str, dict[str, list[float]]] = {}
    for record in records:
        if location := record.get("location"):
            key = f"{record['service_code']}:" + ":".join(
                map(str, cell_of(location["lat"], location["long"]))
            )
            cells.setdefault(key, {})[f"open.{record['_id']}"] = [location["lat"], location["long"]]
    for key, fields in cells.items():
        intake[NEARBY].update_one({"_id": key}, {"$set": fields}, upsert=True)


def seed(urls: dict[str, str], count: int, seed_number: int) -> None:
    """Write `count` more requests into intake's, routing's and notify's stores."""
    clients: dict[str, MongoClient[dict[str, Any]]] = {
        name: MongoClient(url, tz_aware=True) for name, url in urls.items()
    }
    try:
        db = {name: client.get_default_database() for name, client in clients.items()}
        for batch in batches(count, seed_number):
            db["intake"]["requests"].insert_many([s.request for s in batch], ordered=False)
            _list_open_nearby(db["intake"], [s.request for s in batch if s.request["status"] != "closed"])
            db["routing"]["cases"].insert_many([s.case for s in batch], ordered=False)
            db["notify"]["recipients"].insert_many([s.recipient for s in batch], ordered=False)
            db["notify"]["notifications"].insert_many([d for s in batch for d in s.deliveries], ordered=False)
    finally:
        for client in clients.values():
            client.close()
