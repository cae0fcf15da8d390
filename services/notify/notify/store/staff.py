"""Units and their overdue cases, as notify learns them from routing's events, and the day marks of
the overdue digest.

Events of one case arrive on several queues in any order, so every fact is kept with the moment
routing stated it and a write only lands over an older one. A case is overdue from an escalation
until a later finishing status (resolved, rejected, closed); a finishing status that overtakes
the escalation is kept (a small marker) so the late escalation cannot bring the case back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, datetime

from contracts import RequestStatus
from notify.domain.staff import FINISHED, OverdueCase, StaffUnit
from notify.store.repository import RECIPIENTS, utc_now
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, Store

UNITS = "units"
OVERDUE = "overdue_cases"
DIGESTS = "digests"

STAFF_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(OVERDUE, [("overdue", ASCENDING), ("due_at", ASCENDING)], name="overdue_by_due"),
)


def _older(field: str, moment: datetime) -> Document:
    """The stored `field` is missing or earlier than `moment`."""
    return {"$or": [{field: None}, {field: {"$lt": moment}}]}


def _unit_from(document: Document) -> StaffUnit:
    return StaffUnit(
        unit_id=document["_id"],
        name_fa=document.get("name_fa", ""),
        email=document.get("email"),
        mobile=document.get("mobile"),
        active=document.get("active", True),
        updated_at=document["updated_at"],
    )


class StaffStore:
    def __init__(self, store: Store) -> None:
        self._units = store.collection(UNITS)
        self._overdue = store.collection(OVERDUE)
        self._digests = store.collection(DIGESTS)
        self._recipients = store.collection(RECIPIENTS)

    async def save_unit(self, unit: StaffUnit) -> None:
        fields = {
            "name_fa": unit.name_fa,
            "email": unit.email,
            "mobile": unit.mobile,
            "active": unit.active,
            "updated_at": unit.updated_at,
        }
        with contextlib.suppress(DuplicateKeyError):  # a newer update is already stored
            await self._units.update_one(
                {"_id": unit.unit_id, "updated_at": {"$lt": unit.updated_at}}, {"$set": fields}, upsert=True
            )

    async def unit(self, unit_id: str) -> StaffUnit | None:
        document = await self._units.find_one({"_id": unit_id})
        return _unit_from(document) if document else None

    async def units(self, unit_ids: Sequence[str]) -> dict[str, StaffUnit]:
        cursor = self._units.find({"_id": {"$in": list(unit_ids)}})
        return {document["_id"]: _unit_from(document) async for document in cursor}

    async def case_overdue(self, case: OverdueCase, level: int, at: datetime) -> None:
        """An escalation at `at`: the case is overdue unless it finished later."""
        try:
            await self._overdue.insert_one(
                {
                    "_id": case.request_id,
                    "tracking_code": case.tracking_code,
                    "unit_id": case.unit_id,
                    "due_at": case.due_at,
                    "placed_at": at,
                    "escalated_at": at,
                    "level": level,
                    "finished_at": None,
                    "status": None,
                    "status_at": None,
                    "overdue": True,
                }
            )
            return
        except DuplicateKeyError:
            pass
        await self._overdue.update_one(
            {"_id": case.request_id, "$and": [_older("escalated_at", at), _older("finished_at", at)]},
            {
                "$set": {
                    "escalated_at": at,
                    "level": level,
                    "overdue": True,
                    "tracking_code": case.tracking_code,
                }
            },
        )
        await self.case_moved(case.request_id, case.unit_id, case.due_at, at)

    async def case_moved(
        self, request_id: str, unit_id: str | None, due_at: datetime | None, at: datetime
    ) -> None:
        """Where an overdue case stands as of `at` (a move to another unit, a new deadline); a case
        never escalated is not kept."""
        fields: Document = {"due_at": due_at, "placed_at": at}
        if unit_id is not None:
            fields["unit_id"] = unit_id
        await self._overdue.update_one({"_id": request_id, **_older("placed_at", at)}, {"$set": fields})

    async def case_status(self, request_id: str, status: RequestStatus, at: datetime) -> None:
        if status in FINISHED:
            await self._finished(request_id, status, at)
        await self._overdue.update_one(
            {"_id": request_id, **_older("status_at", at)}, {"$set": {"status": str(status), "status_at": at}}
        )

    async def _finished(self, request_id: str, status: RequestStatus, at: datetime) -> None:
        marker = {"_id": request_id, "finished_at": at, "status": str(status), "status_at": at}
        try:
            await self._overdue.insert_one(
                marker | {"escalated_at": None, "placed_at": None, "overdue": False}
            )
            return
        except DuplicateKeyError:
            pass
        await self._overdue.update_one(
            {"_id": request_id, **_older("finished_at", at)}, {"$set": {"finished_at": at}}
        )
        await self._overdue.update_one(
            {"_id": request_id, "escalated_at": {"$lte": at}}, {"$set": {"overdue": False}}
        )

    async def overdue_at(self, moment: datetime) -> list[OverdueCase]:
        """Cases overdue at `moment` and not waiting for the citizen (their clock is stopped)."""
        query = {"overdue": True, "due_at": {"$lt": moment}, "status": {"$ne": str(RequestStatus.ON_HOLD)}}
        documents = [document async for document in self._overdue.find(query)]
        services = await self._service_codes([document["_id"] for document in documents])
        return [
            OverdueCase(d["_id"], d["tracking_code"], d["unit_id"], d["due_at"], services.get(d["_id"]))
            for d in documents
        ]

    async def _service_codes(self, request_ids: list[str]) -> dict[str, str]:
        cursor = self._recipients.find({"_id": {"$in": request_ids}}, {"service_code": 1})
        return {d["_id"]: d["service_code"] async for d in cursor if d.get("service_code")}

    async def digest_done(self, day: date) -> bool:
        return await self._digests.find_one({"_id": day.isoformat()}) is not None

    async def mark_digest_done(self, day: date) -> None:
        with contextlib.suppress(DuplicateKeyError):  # another replica marked it at the same moment
            await self._digests.insert_one({"_id": day.isoformat(), "done_at": utc_now()})
