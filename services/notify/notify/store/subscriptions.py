"""Subscriptions (double opt-in) and per-recipient opt-outs."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from contracts import Language
from notify.domain.model import Subscription, SubscriptionStatus, subscription_id
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, ReturnDocument, Store

SUBSCRIPTIONS = "subscriptions"
PREFERENCES = "preferences"
MAX_TRIES = 5
RESEND_AFTER = timedelta(minutes=1)

SUBSCRIPTION_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SUBSCRIPTIONS, [("topic", ASCENDING), ("created_at", ASCENDING)], name="by_topic"),
    IndexSpec(SUBSCRIPTIONS, [("subscriber_id", ASCENDING)], unique=True, name="subscriber_id"),
)


def code_digest(subscriber_id: str, code: str) -> str:
    return hashlib.sha256(f"{subscriber_id}:{code}".encode()).hexdigest()


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def subscription_from(document: Document) -> Subscription:
    return Subscription(
        topic=document["topic"],
        mobile=document.get("mobile"),
        email=document.get("email"),
        subscriber_id=document["subscriber_id"],
        created_at=document["created_at"],
        categories=tuple(document.get("categories", ())),
        districts=tuple(document.get("districts", ())),
        status=SubscriptionStatus(document.get("status", SubscriptionStatus.CONFIRMED)),
        language=Language(document.get("language", Language.FA)),
    )


class SubscriptionStore:
    def __init__(self, store: Store) -> None:
        self._subscriptions = store.collection(SUBSCRIPTIONS)
        self._preferences = store.collection(PREFERENCES)

    async def subscribe(self, wanted: Subscription, code: str | None = None) -> Subscription:
        """Idempotent per topic and contact. A pending one gets `code`; a confirmed one stays confirmed."""
        existing = await self._subscriptions.find_one({"_id": wanted.id})
        if existing is not None and subscription_from(existing).status is SubscriptionStatus.CONFIRMED:
            return subscription_from(existing)
        subscriber_id = existing["subscriber_id"] if existing else str(uuid.uuid4())
        fields: Document = {
            "topic": wanted.topic,
            "mobile": wanted.mobile,
            "email": wanted.email,
            "categories": list(wanted.categories),
            "districts": list(wanted.districts),
            "language": str(wanted.language),
            "status": str(wanted.status),
            "code_digest": code_digest(subscriber_id, code) if code else None,
        }
        insert = {"subscriber_id": subscriber_id, "created_at": _now()}
        with contextlib.suppress(DuplicateKeyError):  # a concurrent first subscription won the insert
            await self._subscriptions.update_one(
                {"_id": wanted.id}, {"$set": fields, "$setOnInsert": insert}, upsert=True
            )
        stored = await self._subscriptions.find_one({"_id": wanted.id})
        assert stored is not None
        return subscription_from(stored)

    async def subscribe_pending(self, wanted: Subscription, code: str) -> tuple[Subscription, bool]:
        """Like `subscribe`, but at most one code a minute per contact, so the form can't flood a phone.

        The flag tells whether `code` is now the one to send.
        """
        existing = await self._subscriptions.find_one({"_id": wanted.id})
        last = existing.get("code_sent_at") if existing else None
        if existing is not None and last is not None and last > _now() - RESEND_AFTER:
            return subscription_from(existing), False
        stored = await self.subscribe(wanted, code)
        if stored.status is not SubscriptionStatus.PENDING:
            return stored, False
        await self._subscriptions.update_one(
            {"_id": wanted.id}, {"$set": {"code_sent_at": _now(), "code_failures": 0}}
        )
        return stored, True

    async def confirm(self, subscriber_id: str, code: str) -> Subscription | None:
        pending = {"subscriber_id": subscriber_id, "status": str(SubscriptionStatus.PENDING)}
        document = await self._subscriptions.find_one_and_update(
            pending | {"code_digest": code_digest(subscriber_id, code), "code_failures": {"$lt": MAX_TRIES}},
            {"$set": {"status": str(SubscriptionStatus.CONFIRMED), "code_digest": None}},
            return_document=ReturnDocument.AFTER,
        )
        if document is None:  # a wrong guess counts; after MAX_TRIES only a new code helps
            await self._subscriptions.update_one(pending, {"$inc": {"code_failures": 1}})
            return None
        return subscription_from(document)

    async def unsubscribe(self, subscriber_id: str) -> bool:
        result = await self._subscriptions.update_one(
            {"subscriber_id": subscriber_id}, {"$set": {"status": str(SubscriptionStatus.UNSUBSCRIBED)}}
        )
        return result.matched_count == 1

    async def unsubscribe_contact(self, topic: str, contact: str) -> bool:
        return await self.unsubscribe_by_id(subscription_id(topic, contact))

    async def unsubscribe_by_id(self, key: str) -> bool:
        result = await self._subscriptions.update_one(
            {"_id": key}, {"$set": {"status": str(SubscriptionStatus.UNSUBSCRIBED)}}
        )
        return result.matched_count == 1

    async def subscriptions(self, topic: str, limit: int) -> list[Subscription]:
        cursor = self._subscriptions.find(_confirmed(topic)).sort("created_at", ASCENDING).limit(limit)
        return [subscription_from(document) async for document in cursor]

    async def subscribers_page(self, topic: str, after: str | None, limit: int) -> list[Subscription]:
        """Keyed by `_id` (topic and contact), the one index every store builds."""
        query = _confirmed(topic) | ({"_id": {"$gt": after}} if after is not None else {})
        cursor = self._subscriptions.find(query).sort("_id", ASCENDING).limit(limit)
        return [subscription_from(document) async for document in cursor]

    async def set_opt_out(self, contact: str, topic: str, opted_out: bool) -> None:
        change = "$addToSet" if opted_out else "$pull"
        await self._preferences.update_one({"_id": contact}, {change: {"opted_out": topic}}, upsert=True)

    async def opted_out(self, contact: str, topic: str) -> bool:
        document = await self._preferences.find_one({"_id": contact})
        return bool(document) and topic in document.get("opted_out", [])  # type: ignore[union-attr]

    async def opted_out_among(self, contacts: Sequence[str], topic: str) -> set[str]:
        cursor = self._preferences.find({"_id": {"$in": list(contacts)}}, {"opted_out": 1})
        return {document["_id"] async for document in cursor if topic in document.get("opted_out", [])}


def _confirmed(topic: str) -> Document:
    return {"topic": topic, "status": {"$in": [str(SubscriptionStatus.CONFIRMED), None]}}
