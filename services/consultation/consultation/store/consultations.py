"""Consultations in the `consultations` collection: one document per draft.

The document holds the text's versions, the lifecycle state (status, revision, windows), the
audit trail, the markers of scheduled events already emitted, and the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from servicekit.outbox import OUTBOX_FIELD, push
from servicekit.store import DESCENDING, Document, ReturnDocument, Store

CONSULTATIONS = "consultations"
WITHOUT_OUTBOX: Document = {OUTBOX_FIELD: 0}


class ConsultationRepository:
    def __init__(self, store: Store) -> None:
        self._consultations = store.collection(CONSULTATIONS)

    async def insert(self, document: Document) -> None:
        await self._consultations.insert_one(document)

    async def get(self, draft_id: str) -> Document | None:
        return await self._consultations.find_one({"_id": draft_id}, WITHOUT_OUTBOX)

    async def search(self, statuses: Sequence[str] | None, limit: int = 200) -> list[Document]:
        query: Document = {} if statuses is None else {"status": {"$in": list(statuses)}}
        cursor = (
            self._consultations.find(query, WITHOUT_OUTBOX)
            .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [document async for document in cursor]

    async def final_with_contacts(self, limit: int = 100) -> list[str]:
        """Final drafts whose commenters' contacts are not erased yet (a crash left them)."""
        query: Document = {"status": "final", "contacts_erased_at": {"$exists": False}}
        cursor = self._consultations.find(query, {"_id": 1}).limit(limit)
        return [document["_id"] async for document in cursor]

    async def apply(
        self,
        draft_id: str,
        expected: Document,
        changes: Document,
        pushes: Document,
        events: Sequence[dict[str, Any]] = (),
    ) -> Document | None:
        """Write `changes` only while the document still matches `expected`; None when it no longer does."""
        update: Document = {"$set": changes}
        additions = dict(pushes)
        if events:
            additions |= push(events)
        if additions:
            update["$push"] = additions
        result: Document | None = await self._consultations.find_one_and_update(
            {"_id": draft_id, **expected},
            update,
            projection=WITHOUT_OUTBOX,
            return_document=ReturnDocument.AFTER,
        )
        return result
