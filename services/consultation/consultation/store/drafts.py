"""Drafts in the `drafts` collection; events they cause ride in the same document (outbox)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from consultation.domain import Draft, DraftStatus, new_draft_id
from contracts import ConsultationOpenedV1, EventPayload
from servicekit.outbox import OUTBOX_FIELD, envelopes, push
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, ReturnDocument, Store

PRODUCER = "consultation"
DRAFTS = "drafts"
DESCENDING = -1
ID_ATTEMPTS = 5
WITHOUT_OUTBOX: Document = {OUTBOX_FIELD: 0}

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(DRAFTS, [("status", ASCENDING), ("created_at", ASCENDING)], name="drafts_by_status"),
    IndexSpec(DRAFTS, [("created_at", ASCENDING)], name="drafts_by_creation"),
)


def stored_instant(moment: datetime) -> datetime:
    """A UTC time cut to the milliseconds a BSON date keeps, so events and reads agree."""
    utc = moment.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _utc(value: Any) -> datetime | None:
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def to_document(draft: Draft) -> Document:
    document = dataclasses.asdict(draft)
    document["_id"] = document.pop("id")
    document["status"] = draft.status.value
    for name in ("created_at", "updated_at", "opens_at", "closes_at"):
        if document[name] is not None:
            document[name] = stored_instant(document[name])
    return document


def to_draft(document: Document) -> Draft:
    return Draft(
        id=document["_id"],
        status=DraftStatus(document["status"]),
        version=document["version"],
        title_fa=document["title_fa"],
        summary_fa=document["summary_fa"],
        body_fa=document["body_fa"],
        title_en=document.get("title_en"),
        created_by=document["created_by"],
        created_at=document["created_at"].astimezone(UTC),
        updated_at=document["updated_at"].astimezone(UTC),
        opens_at=_utc(document.get("opens_at")),
        closes_at=_utc(document.get("closes_at")),
    )


class DraftRepository:
    def __init__(self, store: Store) -> None:
        self._drafts = store.collection(DRAFTS)

    async def insert(self, draft: Draft) -> Draft:
        """Store a new draft, drawing a fresh id if its id is already taken."""
        for _ in range(ID_ATTEMPTS):
            document = to_document(draft)
            try:
                await self._drafts.insert_one(document)
            except DuplicateKeyError:
                draft = dataclasses.replace(draft, id=new_draft_id())
                continue
            return to_draft(document)
        raise RuntimeError(f"no free draft id after {ID_ATTEMPTS} attempts")

    async def get(self, draft_id: str) -> Draft | None:
        document = await self._drafts.find_one({"_id": draft_id}, WITHOUT_OUTBOX)
        return None if document is None else to_draft(document)

    async def search(self, status: DraftStatus | None, limit: int) -> list[Draft]:
        query: Document = {} if status is None else {"status": status.value}
        cursor = self._drafts.find(query, WITHOUT_OUTBOX).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [to_draft(document) async for document in cursor]

    async def open(
        self, draft: Draft, opens_at: datetime, closes_at: datetime, now: datetime
    ) -> Draft | None:
        """Open `draft` for comment and stage `consultation.opened.v1`; None if it is no longer a draft."""
        opens_at, closes_at = stored_instant(opens_at), stored_instant(closes_at)
        opened = ConsultationOpenedV1(
            draft_id=draft.id,
            version=draft.version,
            title_fa=draft.title_fa,
            summary_fa=draft.summary_fa,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        changes = {"opens_at": opens_at, "closes_at": closes_at, "updated_at": stored_instant(now)}
        return await self._transition(draft.id, DraftStatus.DRAFT, DraftStatus.OPEN, changes, [opened])

    async def _transition(
        self,
        draft_id: str,
        expected: DraftStatus,
        target: DraftStatus,
        changes: Document,
        events: Sequence[EventPayload],
    ) -> Draft | None:
        """One conditional write: the new state and its events, or nothing if the state moved on."""
        update: Document = {"$set": {"status": target.value, **changes}}
        if events:
            update["$push"] = push(envelopes(PRODUCER, *events))
        document = await self._drafts.find_one_and_update(
            {"_id": draft_id, "status": expected.value},
            update,
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else to_draft(document)
