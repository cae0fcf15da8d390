"""Every read and write of notify's database goes through `MongoRepository`."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from contracts import EventPayload
from notify.domain.model import Delivery, DeliveryStatus, Office, Recipient, Subscription, subscription_id
from notify.ports import NOTIFICATIONS
from notify.store.documents import (
    delivery_document,
    delivery_from,
    recipient_fields,
    recipient_from,
    subscription_from,
)
from servicekit.outbox import envelopes, push
from servicekit.store import ASCENDING, DuplicateKeyError, IndexSpec, ReturnDocument, Store

RECIPIENTS = "recipients"
OFFICES = "offices"
SUBSCRIPTIONS = "subscriptions"
DESCENDING = -1
MAX_SUBSCRIBERS = 100_000

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(NOTIFICATIONS, [("notification_id", ASCENDING)], unique=True, name="notification_id"),
    IndexSpec(NOTIFICATIONS, [("request_id", ASCENDING), ("created_at", DESCENDING)], name="by_request"),
    IndexSpec(NOTIFICATIONS, [("created_at", DESCENDING)], name="by_created"),
    IndexSpec(NOTIFICATIONS, [("status", ASCENDING), ("created_at", ASCENDING)], name="by_status"),
    IndexSpec(RECIPIENTS, [("tracking_code", ASCENDING)], name="by_tracking_code"),
    IndexSpec(SUBSCRIPTIONS, [("topic", ASCENDING), ("created_at", ASCENDING)], name="by_topic"),
    IndexSpec(SUBSCRIPTIONS, [("subscriber_id", ASCENDING)], unique=True, name="subscriber_id"),
)


def utc_now() -> datetime:
    """Milliseconds, as the store keeps them, so a fresh write reads back equal."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class MongoRepository:
    def __init__(self, store: Store) -> None:
        self._recipients = store.collection(RECIPIENTS)
        self._offices = store.collection(OFFICES)
        self._subscriptions = store.collection(SUBSCRIPTIONS)
        self._notifications = store.collection(NOTIFICATIONS)

    async def save_recipient(self, recipient: Recipient) -> None:
        now = utc_now()
        await self._recipients.update_one(
            {"_id": recipient.request_id},
            {"$set": recipient_fields(recipient) | {"updated_at": now}, "$setOnInsert": {"created_at": now}},
            upsert=True,
        )

    async def recipient(self, request_id: str) -> Recipient | None:
        document = await self._recipients.find_one({"_id": request_id})
        return recipient_from(document) if document else None

    async def subscribe(self, topic: str, mobile: str) -> Subscription:
        """Idempotent: subscribing the same number twice keeps the first subscription."""
        document = {
            "_id": subscription_id(topic, mobile),
            "topic": topic,
            "mobile": mobile,
            "subscriber_id": str(uuid.uuid4()),
            "created_at": utc_now(),
        }
        try:
            await self._subscriptions.insert_one(document)
        except DuplicateKeyError:
            existing = await self._subscriptions.find_one({"_id": document["_id"]})
            if existing is None:
                raise
            document = existing
        return subscription_from(document)

    async def subscriptions(self, topic: str, limit: int) -> list[Subscription]:
        cursor = self._subscriptions.find({"topic": topic}).sort("created_at", ASCENDING).limit(limit)
        return [subscription_from(document) async for document in cursor]

    async def subscribers(self, topic: str) -> list[Subscription]:
        return await self.subscriptions(topic, MAX_SUBSCRIBERS)

    async def save_office(self, office: Office) -> None:
        fields = {
            "name_fa": office.name_fa,
            "status": office.status,
            "callback_url": office.callback_url,
            "signing_secret_ref": office.signing_secret_ref,
            "updated_at": office.updated_at,
        }
        with contextlib.suppress(DuplicateKeyError):  # a newer update is already stored
            await self._offices.update_one(
                {"_id": office.office_code, "updated_at": {"$lt": office.updated_at}},
                {"$set": fields},
                upsert=True,
            )

    async def add_delivery(self, delivery: Delivery) -> Delivery | None:
        try:
            await self._notifications.insert_one(delivery_document(delivery))
        except DuplicateKeyError:
            existing = await self._notifications.find_one({"_id": delivery.id})
            if existing is None:
                raise
            return delivery_from(existing)
        return None

    async def claim_attempt(self, delivery_id: str, seen_attempts: int) -> Delivery | None:
        document = await self._notifications.find_one_and_update(
            {"_id": delivery_id, "status": str(DeliveryStatus.PENDING), "attempts": seen_attempts},
            {"$inc": {"attempts": 1}},
            projection={"outbox": 0},
            return_document=ReturnDocument.AFTER,
        )
        return delivery_from(document) if document else None

    async def finish(self, delivery: Delivery, events: Sequence[EventPayload]) -> bool:
        document = await self._notifications.find_one_and_update(
            {"_id": delivery.id, "status": str(DeliveryStatus.PENDING)},
            {
                "$set": {
                    "status": str(delivery.status),
                    "provider_message_id": delivery.provider_message_id,
                    "reason": delivery.reason,
                    "finished_at": delivery.finished_at,
                },
                "$push": push(envelopes("notify", *events)),
            },
            projection={"_id": 1},
        )
        return document is not None

    async def deliveries(self, request_id: str | None, limit: int) -> list[Delivery]:
        query = {} if request_id is None else {"request_id": request_id}
        cursor = self._notifications.find(query, {"outbox": 0}).sort("created_at", DESCENDING).limit(limit)
        return [delivery_from(document) async for document in cursor]
