"""Routing's store: units, rules, and cases (one per request, `_id` = request id)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from routing.domain.rules import RoutingRule, Unit
from servicekit.outbox import push
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, ReturnDocument, Store

UNITS, RULES, CASES = "units", "rules", "cases"

INDEXES = (
    IndexSpec(CASES, [("tracking_code", ASCENDING)], unique=True),
    IndexSpec(CASES, [("unit_id", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)]),
)


class CaseExists(Exception):
    pass


class RoutingRepository:
    def __init__(self, store: Store) -> None:
        self._units = store.collection(UNITS)
        self._rules = store.collection(RULES)
        self._cases = store.collection(CASES)

    async def save_unit(self, unit: Unit) -> None:
        await self._units.replace_one({"_id": unit.unit_id}, unit.model_dump(), upsert=True)

    async def unit(self, unit_id: str) -> Unit | None:
        document = await self._units.find_one({"_id": unit_id}, {"_id": 0})
        return Unit.model_validate(document) if document else None

    async def units(self) -> list[Unit]:
        return [Unit.model_validate(d) async for d in self._units.find({}, {"_id": 0}).sort("unit_id")]

    async def save_rule(self, rule: RoutingRule) -> None:
        await self._rules.replace_one({"_id": rule.rule_id}, rule.model_dump(), upsert=True)

    async def rules(self) -> list[RoutingRule]:
        return [RoutingRule.model_validate(d) async for d in self._rules.find({}, {"_id": 0}).sort("rule_id")]

    async def insert_case(self, case: Document, events: list[dict[str, Any]]) -> None:
        try:
            await self._cases.insert_one({**case, "outbox": events})
        except DuplicateKeyError as error:
            raise CaseExists(case["_id"]) from error

    async def case(self, request_id: str) -> Document | None:
        return await self._cases.find_one({"_id": request_id}, {"outbox": 0})

    async def transition(
        self, request_id: str, expected: str, wanted: str, step: Document, events: list[dict[str, Any]]
    ) -> Document | None:
        """Move a case from `expected` to `wanted`; None when someone else moved it first."""
        result: Document | None = await self._cases.find_one_and_update(
            {"_id": request_id, "status": expected},
            {
                "$set": {"status": wanted, "updated_at": datetime.now(UTC)},
                "$push": {"history": step, **push(events)},
            },
            projection={"outbox": 0},
            return_document=ReturnDocument.AFTER,
        )
        return result

    async def queue(self, unit_ids: list[str] | None, limit: int) -> list[Document]:
        query: Document = {"status": {"$nin": ["closed", "resolved", "rejected"]}}
        if unit_ids is not None:
            query["unit_id"] = {"$in": unit_ids}
        cursor = self._cases.find(query, {"outbox": 0}).sort("received_at", ASCENDING).limit(limit)
        return [document async for document in cursor]
