"""Intake's store: catalogue, offices with their keys, and requests with their timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intake.domain.catalogue import ServiceDefinition
from intake.domain.fees import DiscountRule
from intake.domain.geo import cell_of, cells_in
from intake.domain.offices import Office
from servicekit.cache import Recent
from servicekit.outbox import push
from servicekit.store import (
    ASCENDING,
    DESCENDING,
    Document,
    DuplicateKeyError,
    IndexSpec,
    ReturnDocument,
    Store,
)

SERVICES, OFFICES, API_KEYS, REQUESTS = "services", "offices", "api_keys", "requests"
# open requests by service and grid cell, looked up by `_id`: the duplicate check never scans
NEARBY = "open_nearby"
REFERENCE_TTL_SECONDS = 10.0

DISCOUNT_RULES = "discount_rules"
# what Open311 reads may show, and only of services marked public: no citizen, no keys, no outbox
OPEN311_FIELDS = {
    field: 1
    for field in (
        "status",
        "timeline",
        "service_name_fa",
        "service_code",
        "description",
        "unit_name_fa",
        "requested_at",
        "updated_at",
        "expected_at",
        "address",
        "location",
        "media_url",
    )
}
OPEN311_LIMIT = 1000
OPEN_STATUSES = ("submitted", "routed", "in_progress", "on_hold", "reopened")

INDEXES = (
    IndexSpec(REQUESTS, [("request_id", ASCENDING)], unique=True),
    IndexSpec(REQUESTS, [("idempotency_key", ASCENDING)], unique=True),
    IndexSpec(REQUESTS, [("token", ASCENDING)], unique=True),
    IndexSpec(
        REQUESTS, [("service_code", ASCENDING), ("location.lat", ASCENDING), ("location.long", ASCENDING)]
    ),
    IndexSpec(REQUESTS, [("office_code", ASCENDING), ("requested_at", ASCENDING)]),
    IndexSpec(API_KEYS, [("office_code", ASCENDING)]),
    IndexSpec(REQUESTS, [("requested_at", ASCENDING)]),
    IndexSpec(REQUESTS, [("timeline.at", ASCENDING)]),
    IndexSpec(REQUESTS, [("erase_contact_after", ASCENDING)]),
)


def _cell_id(service_code: str, cell: tuple[int, int]) -> str:
    return f"{service_code}:{cell[0]}:{cell[1]}"


class TrackingCodeTaken(Exception):
    pass


class IdempotencyKeyTaken(Exception):
    pass


class IntakeRepository:
    def __init__(self, store: Store) -> None:
        self._services = store.collection(SERVICES)
        self._offices = store.collection(OFFICES)
        self._keys = store.collection(API_KEYS)
        self._requests = store.collection(REQUESTS)
        self._nearby = store.collection(NEARBY)
        # read on every filing, changed rarely (see servicekit.cache)
        self._recent_services: Recent[ServiceDefinition | None] = Recent(REFERENCE_TTL_SECONDS)
        self._recent_rules: Recent[list[DiscountRule]] = Recent(REFERENCE_TTL_SECONDS)
        self._discounts = store.collection(DISCOUNT_RULES)

    async def save_service(self, service: ServiceDefinition) -> None:
        document = service.model_dump(mode="python")
        await self._services.replace_one({"_id": service.service_code}, document, upsert=True)
        self._recent_services.forget()

    async def service(self, code: str) -> ServiceDefinition | None:
        async def load() -> ServiceDefinition | None:
            document = await self._services.find_one({"_id": code}, {"_id": 0})
            return ServiceDefinition.model_validate(document) if document else None

        return await self._recent_services.get(code, load)

    async def services(self) -> list[ServiceDefinition]:
        cursor = self._services.find({}, {"_id": 0}).sort("service_code", ASCENDING)
        return [ServiceDefinition.model_validate(document) async for document in cursor]

    async def save_office(self, office: Office, events: list[dict[str, Any]]) -> None:
        """The office and the event announcing the change, in one document write."""
        await self._offices.update_one(
            {"_id": office.code},
            {"$set": office.model_dump(mode="json"), "$push": push(events)},
            upsert=True,
        )

    async def office(self, code: str) -> Office | None:
        document = await self._offices.find_one({"_id": code}, {"_id": 0, "outbox": 0})
        return Office.model_validate(document) if document else None

    async def add_api_key(self, office_code: str, key_id: str, digest: str) -> None:
        await self._keys.insert_one(
            {
                "_id": digest,
                "key_id": key_id,
                "office_code": office_code,
                "created_at": datetime.now(UTC),
                "revoked_at": None,
            }
        )

    async def office_for_key(self, digest: str) -> str | None:
        document = await self._keys.find_one({"_id": digest, "revoked_at": None})
        return str(document["office_code"]) if document else None

    async def api_keys(self, office_code: str) -> list[Document]:
        cursor = self._keys.find({"office_code": office_code}, {"_id": 0})
        return [document async for document in cursor]

    async def revoke_api_key(self, office_code: str, key_id: str) -> bool:
        result = await self._keys.update_one(
            {"office_code": office_code, "key_id": key_id, "revoked_at": None},
            {"$set": {"revoked_at": datetime.now(UTC)}},
        )
        return result.modified_count == 1

    async def insert_request(self, record: Document, events: list[dict[str, Any]]) -> None:
        """The request and its events, in one document write."""
        try:
            await self._requests.insert_one({**record, "outbox": events})
        except DuplicateKeyError as error:
            if await self.request_by_idempotency_key(record["idempotency_key"]):
                raise IdempotencyKeyTaken(record["idempotency_key"]) from error
            raise TrackingCodeTaken(record["_id"]) from error

    async def request_by_idempotency_key(self, key: str) -> Document | None:
        return await self._requests.find_one({"idempotency_key": key}, {"outbox": 0})

    async def open_requests_near(
        self, service_code: str, box: tuple[float, float, float, float]
    ) -> list[Document]:
        """Open requests for the service inside the box (at most 50), from the grid cells it covers."""
        min_lat, max_lat, min_long, max_long = box
        ids = [_cell_id(service_code, cell) for cell in cells_in(box)]
        found: list[Document] = []
        async for cell in self._nearby.find({"_id": {"$in": ids}}):
            for code, (lat, long) in (cell.get("open") or {}).items():
                if min_lat <= lat <= max_lat and min_long <= long <= max_long:
                    found.append({"_id": code, "location": {"lat": lat, "long": long}})
        return sorted(found, key=lambda document: str(document["_id"]))[:50]

    async def mark_open(self, record: Document) -> None:
        """List a located request in its grid cell while it is open (filed or reopened)."""
        if location := record.get("location"):
            await self._nearby.update_one(
                {"_id": _cell_id(record["service_code"], cell_of(location["lat"], location["long"]))},
                {"$set": {f"open.{record['_id']}": [location["lat"], location["long"]]}},
                upsert=True,
            )

    async def mark_finished(self, record: Document) -> None:
        if location := record.get("location"):
            await self._nearby.update_one(
                {"_id": _cell_id(record["service_code"], cell_of(location["lat"], location["long"]))},
                {"$unset": {f"open.{record['_id']}": ""}},
            )

    async def save_discount_rule(self, rule: DiscountRule) -> None:
        await self._discounts.replace_one({"_id": rule.rule_id}, rule.model_dump(), upsert=True)
        self._recent_rules.forget()

    async def discount_rules(self) -> list[DiscountRule]:
        async def load() -> list[DiscountRule]:
            cursor = self._discounts.find({}, {"_id": 0}).sort("rule_id", ASCENDING)
            return [DiscountRule.model_validate(document) async for document in cursor]

        return await self._recent_rules.get("all", load)

    async def request(self, tracking_code: str) -> Document | None:
        return await self._requests.find_one({"_id": tracking_code}, {"outbox": 0})

    async def append_timeline(
        self,
        tracking_code: str,
        entry: Document,
        *,
        status: str,
        unit_name_fa: str | None = None,
        erase_contact_after: datetime | None = None,
    ) -> Document | None:
        """Add one status step unless this event already added it; the request (its service and
        location), or None if nothing changed.

        The contact's erasure is scheduled with the status that allows it, and called off by any
        other status (a reopened request needs its citizen again)."""
        update: Document = {
            "$push": {"timeline": entry},
            "$set": {"status": status, "updated_at": entry["at"]},
        }
        if erase_contact_after:
            update["$set"]["erase_contact_after"] = erase_contact_after
        else:
            update["$unset"] = {"erase_contact_after": ""}
        if unit_name_fa:
            update["$set"]["unit_name_fa"] = unit_name_fa
        result: Document | None = await self._requests.find_one_and_update(
            {"_id": tracking_code, "timeline.event_id": {"$ne": entry["event_id"]}},
            update,
            projection={"service_code": 1, "location": 1},
            return_document=ReturnDocument.AFTER,
        )
        return result

    async def set_expected_at(self, tracking_code: str, expected_at: datetime, as_of: datetime) -> bool:
        """When the request is expected to be dealt with, as routing said at `as_of`, unless it
        said so later already (events of different queues arrive in any order); False when
        nothing changed (no such request, or a later or the same word is there)."""
        result = await self._requests.update_one(
            {
                "_id": tracking_code,
                "$or": [{"expected_at_as_of": None}, {"expected_at_as_of": {"$lt": as_of}}],
            },
            {"$set": {"expected_at": expected_at, "expected_at_as_of": as_of}},
        )
        return bool(result.matched_count)

    async def contacts_due(self, now: datetime, limit: int = 500) -> list[Document]:
        cursor = self._requests.find(
            {"erase_contact_after": {"$lte": now}, "contact_erased_at": {"$exists": False}},
            {"citizen": 1, "erase_contact_after": 1},
        ).limit(limit)
        return [document async for document in cursor]

    async def erase_contact(self, record: Document, citizen: Document, now: datetime) -> bool:
        """Replace the citizen with its erased form, unless the request moved meanwhile."""
        result = await self._requests.update_one(
            {
                "_id": record["_id"],
                "erase_contact_after": record["erase_contact_after"],
                "contact_erased_at": {"$exists": False},
            },
            {"$set": {"citizen": citizen, "contact_erased_at": now}},
        )
        return bool(result.modified_count)

    async def append_escalation(self, tracking_code: str, entry: Document) -> None:
        """An escalation joins the timeline without changing the request's status."""
        await self._requests.update_one(
            {"_id": tracking_code, "timeline.event_id": {"$ne": entry["event_id"]}},
            {"$push": {"timeline": entry}, "$set": {"updated_at": entry["at"]}},
        )

    async def append_notification(self, tracking_code: str, entry: Document) -> None:
        await self._requests.update_one(
            {"_id": tracking_code, "notifications.event_id": {"$ne": entry["event_id"]}},
            {"$push": {"notifications": entry}},
        )

    async def tracking_code_of(self, request_id: str) -> str | None:
        document = await self._requests.find_one({"request_id": request_id}, {"_id": 1})
        return str(document["_id"]) if document else None

    async def open311_requests_by_code(self, tracking_codes: list[str]) -> list[Document]:
        cursor = self._requests.find({"_id": {"$in": tracking_codes}, "open311_public": True}, OPEN311_FIELDS)
        found = {document["_id"]: document async for document in cursor}
        return [found[code] for code in dict.fromkeys(tracking_codes) if code in found]

    async def open311_requests_between(
        self,
        since: datetime,
        until: datetime,
        *,
        service_code: str | None = None,
        statuses: list[str] | None = None,
    ) -> list[Document]:
        """Requests filed in [since, until], newest first."""
        query: Document = {"requested_at": {"$gte": since, "$lte": until}, "open311_public": True}
        if service_code:
            query["service_code"] = service_code
        if statuses:
            query["status"] = {"$in": statuses}
        cursor = self._requests.find(query, OPEN311_FIELDS).sort("requested_at", DESCENDING)
        return [document async for document in cursor.limit(OPEN311_LIMIT)]

    async def open311_requests_changed_between(self, since: datetime, until: datetime) -> list[Document]:
        """Requests with a timeline step in [since, until]; the steps themselves are picked by the caller."""
        query = {"timeline": {"$elemMatch": {"at": {"$gte": since, "$lte": until}}}, "open311_public": True}
        cursor = self._requests.find(query, {"_id": 1, "timeline": 1}).sort("updated_at", DESCENDING)
        return [document async for document in cursor.limit(OPEN311_LIMIT)]

    async def tracking_code_of_token(self, token: str) -> str | None:
        document = await self._requests.find_one({"token": token}, {"_id": 1})
        return str(document["_id"]) if document else None

    async def add_open311_update(self, tracking_code: str, office_code: str, entry: Document) -> bool | None:
        """True when added, False when this update_id is already there, None when the office has no such request."""
        added = await self._requests.find_one_and_update(
            {
                "_id": tracking_code,
                "office_code": office_code,
                "updates.update_id": {"$ne": entry["update_id"]},
            },
            {"$push": {"updates": entry}},
            projection={"_id": 1},
        )
        if added is not None:
            return True
        return (
            False
            if await self._requests.find_one({"_id": tracking_code, "office_code": office_code}, {"_id": 1})
            else None
        )
