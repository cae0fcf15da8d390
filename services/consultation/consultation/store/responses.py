"""Staff responses to comments or comment groups, in the `responses` collection; the latest counts."""

from __future__ import annotations

from servicekit.store import ASCENDING, Document, Store

RESPONSES = "responses"


class ResponseRepository:
    def __init__(self, store: Store) -> None:
        self._responses = store.collection(RESPONSES)

    async def insert(self, document: Document) -> None:
        await self._responses.insert_one(document)

    async def of_draft(self, draft_id: str) -> list[Document]:
        cursor = self._responses.find({"draft_id": draft_id}).sort([("at", ASCENDING), ("_id", ASCENDING)])
        return [document async for document in cursor]
