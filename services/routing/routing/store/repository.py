"""Routing's store: units, rules, districts, calendars, and cases (`_id` = request id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from routing.domain.calendar import WorkingCalendar
from routing.domain.cases import OPEN
from routing.domain.rules import District, RoutingRule, Unit
from servicekit.outbox import push
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, ReturnDocument, Store

UNITS, RULES, DISTRICTS, CALENDARS, CASES = "units", "rules", "districts", "calendars", "cases"
OPEN_STATUSES = sorted(str(status) for status in OPEN)

INDEXES = (
    IndexSpec(CASES, [("tracking_code", ASCENDING)], unique=True),
    IndexSpec(CASES, [("unit_id", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)]),
    IndexSpec(CASES, [("status", ASCENDING), ("due_at", ASCENDING)]),
    IndexSpec(CASES, [("status", ASCENDING), ("watch_at", ASCENDING)]),
    IndexSpec(CASES, [("submitted_at", ASCENDING)]),
    IndexSpec(CASES, [("calendar_id", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)]),
)
# what the store keeps about a calendar beside the calendar itself
CALENDAR_STATE = ("revision", "recomputed", "lease_token", "lease_until")
CALENDAR_FIELDS = {"_id": 0, **dict.fromkeys(CALENDAR_STATE, 0)}
# what the store keeps about a unit beside the unit itself: when it was saved, its staged events
UNIT_FIELDS = {"_id": 0, "updated_at": 0, "outbox": 0}


class CaseExists(Exception):
    pass


@dataclass(frozen=True)
class StoredCalendar:
    """A calendar with its revision (raised by every save) and the last revision whose open cases
    were recomputed."""

    calendar: WorkingCalendar
    revision: int
    recomputed: int

    @property
    def recompute_due(self) -> bool:
        return self.revision > self.recomputed


def _calendar_of(document: Document) -> WorkingCalendar:
    if "official_holidays_added" not in document:
        # stored before the years added were recorded: the years it has holidays in were seeded
        years = {int(holiday["date"][:4]) for holiday in document.get("holidays", [])}
        document = {**document, "official_holidays_added": sorted(years)}
    return WorkingCalendar.model_validate(document)


def _stored_calendar_of(document: Document) -> StoredCalendar:
    state = {field: document.pop(field, None) for field in CALENDAR_STATE}
    return StoredCalendar(_calendar_of(document), state["revision"] or 0, state["recomputed"] or 0)


class RoutingRepository:
    def __init__(self, store: Store) -> None:
        self._units = store.collection(UNITS)
        self._rules = store.collection(RULES)
        self._districts = store.collection(DISTRICTS)
        self._calendars = store.collection(CALENDARS)
        self._cases = store.collection(CASES)

    async def save_unit(self, unit: Unit, updated_at: datetime, events: list[dict[str, Any]]) -> None:
        """Store the unit as saved, its `unit.updated` staged in the same write."""
        await self._units.update_one(
            {"_id": unit.unit_id},
            {"$set": unit.model_dump() | {"updated_at": updated_at}, "$push": push(events)},
            upsert=True,
        )

    async def units_never_announced(self) -> list[Unit]:
        cursor = self._units.find({"updated_at": {"$exists": False}}, UNIT_FIELDS)
        return [Unit.model_validate(document) async for document in cursor]

    async def announce_unit(self, unit_id: str, updated_at: datetime, events: list[dict[str, Any]]) -> bool:
        """Stage the first `unit.updated` of a unit stored before saves were told; False when
        another process (or a save) did first."""
        result = await self._units.update_one(
            {"_id": unit_id, "updated_at": {"$exists": False}},
            {"$set": {"updated_at": updated_at}, "$push": push(events)},
        )
        return bool(result.matched_count)

    async def unit(self, unit_id: str) -> Unit | None:
        document = await self._units.find_one({"_id": unit_id}, UNIT_FIELDS)
        return Unit.model_validate(document) if document else None

    async def units(self) -> list[Unit]:
        return [Unit.model_validate(d) async for d in self._units.find({}, UNIT_FIELDS).sort("unit_id")]

    async def save_rule(self, rule: RoutingRule) -> None:
        await self._rules.replace_one({"_id": rule.rule_id}, rule.model_dump(mode="json"), upsert=True)

    async def rules(self) -> list[RoutingRule]:
        return [RoutingRule.model_validate(d) async for d in self._rules.find({}, {"_id": 0}).sort("rule_id")]

    async def save_district(self, district: District) -> None:
        await self._districts.replace_one({"_id": district.district}, district.model_dump(), upsert=True)

    async def districts(self) -> list[District]:
        cursor = self._districts.find({}, {"_id": 0}).sort("district")
        return [District.model_validate(d) async for d in cursor]

    async def calendar(self, calendar_id: str) -> WorkingCalendar | None:
        document = await self._calendars.find_one({"_id": calendar_id}, CALENDAR_FIELDS)
        return _calendar_of(document) if document else None

    async def calendars(self) -> list[WorkingCalendar]:
        cursor = self._calendars.find({}, CALENDAR_FIELDS).sort("calendar_id")
        return [_calendar_of(document) async for document in cursor]

    async def stored_calendar(self, calendar_id: str) -> StoredCalendar | None:
        document = await self._calendars.find_one({"_id": calendar_id}, {"_id": 0})
        return _stored_calendar_of(document) if document else None

    async def stored_calendars(self) -> list[StoredCalendar]:
        cursor = self._calendars.find({}, {"_id": 0}).sort("calendar_id")
        return [_stored_calendar_of(document) async for document in cursor]

    async def add_calendar_if_missing(self, calendar: WorkingCalendar) -> bool:
        try:
            await self._calendars.insert_one(
                {
                    "_id": calendar.calendar_id,
                    **calendar.model_dump(mode="json"),
                    "revision": 0,
                    "recomputed": 0,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def save_calendar(self, calendar: WorkingCalendar, revision: int | None) -> bool:
        """Store a calendar over the revision read (None: a new one), raising its revision, so its
        open cases are due a recompute; False when it changed meanwhile."""
        document = calendar.model_dump(mode="json")
        if revision is None:
            try:
                await self._calendars.insert_one(
                    {"_id": calendar.calendar_id, **document, "revision": 1, "recomputed": 0}
                )
            except DuplicateKeyError:
                return False
            return True
        expected: Document = {"revision": revision} if revision else {"revision": {"$in": [0, None]}}
        result = await self._calendars.update_one(
            {"_id": calendar.calendar_id, **expected}, {"$set": document, "$inc": {"revision": 1}}
        )
        return bool(result.matched_count)

    async def claim_recompute(
        self, calendar_id: str, token: str, now: datetime, until: datetime
    ) -> StoredCalendar | None:
        """Take the calendar's recompute for this process (`token`) until `until`, unless another
        process holds it."""
        document = await self._calendars.find_one_and_update(
            {
                "_id": calendar_id,
                "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}, {"lease_token": token}],
            },
            {"$set": {"lease_token": token, "lease_until": until}},
            projection={"_id": 0},
            return_document=ReturnDocument.AFTER,
        )
        return _stored_calendar_of(document) if document else None

    async def renew_recompute(self, calendar_id: str, token: str, until: datetime) -> bool:
        result = await self._calendars.update_one(
            {"_id": calendar_id, "lease_token": token}, {"$set": {"lease_until": until}}
        )
        return bool(result.matched_count)

    async def finish_recompute(self, calendar_id: str, token: str, revision: int) -> None:
        """Record `revision` recomputed (a later one stays due) and let the lease go."""
        await self._calendars.update_one(
            {"_id": calendar_id, "lease_token": token},
            {"$max": {"recomputed": revision}, "$set": {"lease_token": None, "lease_until": None}},
        )

    async def open_cases_on_calendar(
        self, calendar_id: str, *, besides: list[str] | None, after: str | None, limit: int
    ) -> list[Document]:
        """One page of the open cases a calendar governs, by `_id` from `after`.

        `besides`: for the default calendar, the other calendars' ids; its cases are those on
        none of them (no calendar, the default's id, or a calendar that does not exist)."""
        query: Document = {"status": {"$in": OPEN_STATUSES}, "unit_id": {"$ne": None}}
        query["calendar_id"] = {"$nin": besides} if besides is not None else calendar_id
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._cases.find(query, {"outbox": 0, "history": 0}).sort("_id", ASCENDING).limit(limit)
        return [document async for document in cursor]

    async def reschedule(
        self, case: Document, changes: Document, audit: Document | None, events: list[dict[str, Any]]
    ) -> bool:
        """Set a case's deadline and next watch, unless it changed since it was read (its version,
        status or `watch_at`). A moved deadline is a new version with its audit entry and events."""
        update: Document = {"$set": changes}
        if audit is not None:
            update |= {"$inc": {"version": 1}, "$push": {"history": audit, **push(events)}}
        result = await self._cases.update_one(
            {
                "_id": case["_id"],
                "version": case.get("version", 0),
                "status": case["status"],
                "watch_at": case.get("watch_at"),
            },
            update,
        )
        return bool(result.matched_count)

    async def insert_case(self, case: Document, events: list[dict[str, Any]]) -> None:
        try:
            await self._cases.insert_one({**case, "outbox": events})
        except DuplicateKeyError as error:
            raise CaseExists(case["_id"]) from error

    async def case(self, request_id: str) -> Document | None:
        return await self._cases.find_one({"_id": request_id}, {"outbox": 0})

    async def apply(
        self,
        request_id: str,
        expected: Document,
        changes: Document,
        audit: Document,
        events: list[dict[str, Any]],
    ) -> Document | None:
        """Apply `changes` only if the case still matches `expected`; None when it no longer does."""
        result: Document | None = await self._cases.find_one_and_update(
            {"_id": request_id, **expected},
            {"$set": changes, "$inc": {"version": 1}, "$push": {"history": audit, **push(events)}},
            projection={"outbox": 0},
            return_document=ReturnDocument.AFTER,
        )
        return result

    async def queue(
        self,
        unit_ids: list[str] | None,
        *,
        statuses: list[str] | None,
        service_code: str | None,
        overdue_at: datetime | None,
        skip: int,
        limit: int,
    ) -> list[Document]:
        query: Document = {"status": {"$in": statuses or OPEN_STATUSES}}
        if unit_ids is not None:
            query["$or"] = [{"unit_id": {"$in": unit_ids}}, {"escalated_to": {"$in": unit_ids}}]
        if service_code:
            query["service_code"] = service_code
        if overdue_at is not None:
            query["due_at"] = {"$lt": overdue_at}
        cursor = (
            self._cases.find(query, {"outbox": 0, "history": 0, "sla": 0})
            .sort([("due_at", ASCENDING), ("received_at", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [document async for document in cursor]

    async def cases_to_watch(self, now: datetime) -> list[Document]:
        """Open cases the SLA watch must look at now (a case stored without `watch_at`, too)."""
        due = [{"watch_at": {"$lte": now}}, {"watch_at": {"$exists": False}}]
        cursor = self._cases.find({"status": {"$in": OPEN_STATUSES}, "$or": due}, {"outbox": 0, "history": 0})
        return [document async for document in cursor]

    async def set_watch(self, case: Document, version: int, watch_at: datetime | None) -> None:
        """When the watch looks at the case next, unless it has changed since it was read (its
        version, or its `watch_at` moved by a new calendar)."""
        await self._cases.update_one(
            {"_id": case["_id"], "version": version, "watch_at": case.get("watch_at")},
            {"$set": {"watch_at": watch_at}},
        )

    async def count_overdue(self, now: datetime) -> int:
        return await self._cases.count_documents({"status": {"$in": OPEN_STATUSES}, "due_at": {"$lt": now}})

    async def cases_submitted_between(self, start: datetime, end: datetime) -> list[Document]:
        cursor = self._cases.find(
            {"submitted_at": {"$gte": start, "$lt": end}},
            {
                "unit_id": 1,
                "service_code": 1,
                "status": 1,
                "due_at": 1,
                "resolved_at": 1,
                "submitted_at": 1,
                "received_at": 1,
            },
        )
        return [document async for document in cursor]
