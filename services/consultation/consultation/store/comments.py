"""Comments in the `comments` collection, keyed by receipt.

The commenter's contact sits in its own field, `contact`, which no public read projects.
"""

from __future__ import annotations

from servicekit.store import ASCENDING, Document, ReturnDocument, Store

COMMENTS = "comments"
PRIVATE: Document = {"contact": 0, "reporters": 0, "audit": 0}


class CommentRepository:
    def __init__(self, store: Store) -> None:
        self._comments = store.collection(COMMENTS)

    async def insert(self, document: Document) -> None:
        await self._comments.insert_one(document)

    async def get(self, receipt: str) -> Document | None:
        """The whole comment, contact included: for staff work, never for a public answer."""
        return await self._comments.find_one({"_id": receipt})

    async def public(self, receipt: str) -> Document | None:
        return await self._comments.find_one({"_id": receipt}, PRIVATE)

    async def published(self, draft_id: str, article_id: str | None, skip: int, limit: int) -> list[Document]:
        query: Document = {"draft_id": draft_id, "status": "published"}
        if article_id is not None:
            query["article_id"] = article_id or None
        cursor = (
            self._comments.find(query, PRIVATE).sort([("received_at", ASCENDING)]).skip(skip).limit(limit)
        )
        return [document async for document in cursor]

    async def of_draft(self, draft_id: str, statuses: list[str] | None = None) -> list[Document]:
        """Every comment on a draft in arrival order, without contacts."""
        query: Document = {"draft_id": draft_id}
        if statuses is not None:
            query["status"] = {"$in": statuses}
        cursor = self._comments.find(query, {"contact": 0}).sort(
            [("received_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [document async for document in cursor]

    async def groups(self, draft_id: str) -> list[tuple[str, str, str | None]]:
        """(receipt, text, group id) of every comment on a draft, in arrival order."""
        cursor = self._comments.find(
            {"draft_id": draft_id}, {"text_fa": 1, "group_id": 1, "received_at": 1}
        ).sort([("received_at", ASCENDING), ("_id", ASCENDING)])
        return [(d["_id"], d["text_fa"], d.get("group_id")) async for d in cursor]

    async def texts(self, draft_id: str) -> list[tuple[str, str]]:
        cursor = self._comments.find({"draft_id": draft_id}, {"text_fa": 1, "received_at": 1}).sort(
            [("received_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [(document["_id"], document["text_fa"]) async for document in cursor]

    async def counts(self, draft_id: str) -> dict[str | None, int]:
        """Published comments per article id (None: on the whole draft)."""
        pipeline: list[Document] = [
            {"$match": {"draft_id": draft_id, "status": "published"}},
            {"$group": {"_id": "$article_id", "count": {"$sum": 1}}},
        ]
        return {row["_id"]: row["count"] async for row in await self._comments.aggregate(pipeline)}

    async def count(self, draft_id: str) -> int:
        return await self._comments.count_documents({"draft_id": draft_id})

    async def contacts(self, draft_id: str) -> list[Document]:
        query: Document = {"draft_id": draft_id, "contact": {"$ne": None}}
        cursor = self._comments.find(query, {"contact": 1}).sort([("received_at", ASCENDING)])
        return [document async for document in cursor]

    async def forget_contacts(self, draft_id: str) -> int:
        """Erase every commenter's contact on a draft: once it is final, nobody will be told again."""
        result = await self._comments.update_many(
            {"draft_id": draft_id, "contact": {"$ne": None}}, {"$set": {"contact": None}}
        )
        return int(result.modified_count)

    async def moderation_queue(self, draft_id: str | None, limit: int) -> list[Document]:
        query: Document = {"status": {"$in": ["pending_review", "hidden"]}}
        if draft_id is not None:
            query["draft_id"] = draft_id
        cursor = self._comments.find(query, {"contact": 0}).sort([("received_at", ASCENDING)]).limit(limit)
        return [document async for document in cursor]

    async def apply(
        self, receipt: str, revision: int, changes: Document, audit: Document | None
    ) -> Document | None:
        """Write `changes` only if the comment is still at `revision`; None when someone else moved it."""
        update: Document = {"$set": changes, "$inc": {"revision": 1}}
        if audit is not None:
            update["$push"] = {"audit": audit}
        result: Document | None = await self._comments.find_one_and_update(
            {"_id": receipt, "revision": revision},
            update,
            projection={"contact": 0},
            return_document=ReturnDocument.AFTER,
        )
        return result

    async def set_group(self, receipt: str, group_id: str) -> None:
        await self._comments.update_one({"_id": receipt}, {"$set": {"group_id": group_id}})
