"""Every read and write of notify's database goes through `MongoRepository`."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

from contracts import Channel, EventPayload
from notify.domain.model import (
    RETRYABLE,
    Delivery,
    DeliveryStatus,
    Office,
    Recipient,
    Subscription,
)
from notify.ports import NOTIFICATIONS, DeliveryQuery, ReportWindow, Transition
from notify.store.documents import (
    delivery_document,
    delivery_from,
    entry_document,
    recipient_fields,
    recipient_from,
)
from notify.store.subscriptions import SUBSCRIPTION_INDEXES, SubscriptionStore
from servicekit.outbox import envelopes, push
from servicekit.store import ASCENDING, Document, DuplicateKeyError, IndexSpec, ReturnDocument, Store

RECIPIENTS = "recipients"
OFFICES = "offices"
FANOUTS = "fanouts"
DESCENDING = -1

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(NOTIFICATIONS, [("notification_id", ASCENDING)], unique=True, name="notification_id"),
    IndexSpec(NOTIFICATIONS, [("request_id", ASCENDING), ("created_at", DESCENDING)], name="by_request"),
    IndexSpec(NOTIFICATIONS, [("created_at", DESCENDING)], name="by_created"),
    IndexSpec(NOTIFICATIONS, [("status", ASCENDING), ("created_at", ASCENDING)], name="by_status"),
    IndexSpec(NOTIFICATIONS, [("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="by_due"),
    IndexSpec(RECIPIENTS, [("tracking_code", ASCENDING)], name="by_tracking_code"),
    IndexSpec(NOTIFICATIONS, [("tracking_code", ASCENDING)], name="by_tracking_code"),
    IndexSpec(NOTIFICATIONS, [("to", ASCENDING), ("created_at", DESCENDING)], name="by_recipient"),
    # SMS waiting for the gateway's delivery report, oldest send first (`awaiting_report`)
    IndexSpec(
        NOTIFICATIONS,
        [("status", ASCENDING), ("channel", ASCENDING), ("finished_at", ASCENDING)],
        name="by_report_due",
    ),
    *SUBSCRIPTION_INDEXES,
)


UNKNOWN_REPORT = "unknown"  # the gateway no longer knows the message: it is not asked again


def _report_waiting(now: datetime, window: ReportWindow) -> Document:
    """Still without a final receipt, not given up, and not asked within `window.every`."""
    return {
        "receipt": None,
        "receipt_lookup": {"$ne": UNKNOWN_REPORT},
        "$or": [{"receipt_checked_at": None}, {"receipt_checked_at": {"$lte": now - window.every}}],
    }


def utc_now() -> datetime:
    """Milliseconds, as the store keeps them, so a fresh write reads back equal."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class MongoRepository:
    def __init__(self, store: Store) -> None:
        self._recipients = store.collection(RECIPIENTS)
        self._offices = store.collection(OFFICES)
        self.subscription_store = SubscriptionStore(store)
        self._notifications = store.collection(NOTIFICATIONS)
        self._fanouts = store.collection(FANOUTS)

    async def save_recipient(self, recipient: Recipient) -> None:
        now = utc_now()
        await self._recipients.update_one(
            {"_id": recipient.request_id},
            {"$set": recipient_fields(recipient) | {"updated_at": now}, "$setOnInsert": {"created_at": now}},
            upsert=True,
        )

    async def assign_unit(self, request_id: str, unit_id: str) -> None:
        await self._recipients.update_one({"_id": request_id}, {"$set": {"unit_id": unit_id}})

    async def units_of(self, request_ids: Sequence[str]) -> dict[str, str]:
        """The unit in charge of each request that has one."""
        cursor = self._recipients.find({"_id": {"$in": list(set(request_ids))}}, {"unit_id": 1})
        return {document["_id"]: document["unit_id"] async for document in cursor if document.get("unit_id")}

    async def schedule_erasure(self, request_id: str, at: datetime | None) -> None:
        await self._recipients.update_one({"_id": request_id}, {"$set": {"erase_after": at}})

    async def recipient(self, request_id: str) -> Recipient | None:
        document = await self._recipients.find_one({"_id": request_id})
        return recipient_from(document) if document else None

    async def subscribers_page(self, topic: str, after: str | None, limit: int) -> list[Subscription]:
        return await self.subscription_store.subscribers_page(topic, after, limit)

    async def opted_out(self, contact: str, topic: str) -> bool:
        return await self.subscription_store.opted_out(contact, topic)

    async def opted_out_among(self, contacts: Sequence[str], topic: str) -> set[str]:
        return await self.subscription_store.opted_out_among(contacts, topic)

    async def fanout_progress(self, event_id: str) -> str | None:
        document = await self._fanouts.find_one({"_id": event_id})
        return document["after"] if document else None

    async def save_fanout_progress(self, event_id: str, after: str) -> None:
        """Whoever saves a page had recorded every page before it, so the last writer is right too."""
        await self._fanouts.update_one(
            {"_id": event_id}, {"$set": {"after": after, "updated_at": utc_now()}}, upsert=True
        )

    async def office(self, office_code: str) -> Office | None:
        document = await self._offices.find_one({"_id": office_code})
        if document is None:
            return None
        return Office(
            office_code=office_code,
            name_fa=document.get("name_fa", ""),
            status=document.get("status", ""),
            callback_url=document.get("callback_url"),
            signing_secret_ref=document.get("signing_secret_ref"),
            updated_at=document["updated_at"],
        )

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

    async def add_delivery(self, delivery: Delivery) -> bool:
        try:
            await self._notifications.insert_one(delivery_document(delivery))
        except DuplicateKeyError:
            return False
        return True

    async def delivery(self, delivery_id: str) -> Delivery | None:
        document = await self._notifications.find_one({"_id": delivery_id}, {"outbox": 0})
        return delivery_from(document) if document else None

    async def by_notification_id(self, notification_id: str) -> Delivery | None:
        document = await self._notifications.find_one({"notification_id": notification_id}, {"outbox": 0})
        return delivery_from(document) if document else None

    async def due(self, now: datetime, channels: Sequence[Channel], limit: int) -> list[Delivery]:
        wanted = [str(channel) for channel in channels]
        waiting = {"status": {"$in": [str(s) for s in RETRYABLE]}, "next_attempt_at": {"$lte": now}}
        abandoned = {"status": str(DeliveryStatus.SENDING), "lease_until": {"$lte": now}}
        found: list[Delivery] = []
        for query in (waiting, abandoned):
            cursor = self._notifications.find(query | {"channel": {"$in": wanted}}, {"outbox": 0})
            found += [delivery_from(document) async for document in cursor.limit(limit)]
        return found

    async def transition(
        self, delivery_id: str, change: Transition, events: Sequence[EventPayload] = ()
    ) -> Delivery | None:
        update: dict[str, object] = {
            "$set": change.fields | {"status": str(change.entry.status)},
            "$push": {"history": entry_document(change.entry)},
        }
        if events:
            update["$push"] = {"history": entry_document(change.entry)} | push(envelopes("notify", *events))
        document = await self._notifications.find_one_and_update(
            {"_id": delivery_id, "status": str(change.expected), "attempts": change.attempts},
            update,
            projection={"outbox": 0},
            return_document=ReturnDocument.AFTER,
        )
        return delivery_from(document) if document else None

    async def deliveries(self, wanted: DeliveryQuery) -> list[Delivery]:
        """Newest first; every criterion given must hold."""
        fields = {"request_id": wanted.request_id, "tracking_code": wanted.tracking_code, "to": wanted.to}
        query = {name: value for name, value in fields.items() if value is not None}
        cursor = self._notifications.find(query, {"outbox": 0}).sort("created_at", DESCENDING)
        cursor = cursor.skip(wanted.skip).limit(wanted.limit)
        return [delivery_from(document) async for document in cursor]

    async def awaiting_report(self, now: datetime, window: ReportWindow, limit: int) -> list[Delivery]:
        query = _report_waiting(now, window) | {
            "status": str(DeliveryStatus.DELIVERED),
            "channel": str(Channel.SMS),
            "provider_message_id": {"$ne": None},
            "finished_at": {"$gte": now - window.horizon, "$lte": now - window.settle},
        }
        cursor = self._notifications.find(query, {"outbox": 0}).sort("finished_at", ASCENDING)
        return [delivery_from(document) async for document in cursor.limit(limit)]

    async def claim_report(self, delivery_id: str, now: datetime, window: ReportWindow) -> bool:
        claimed = await self._notifications.find_one_and_update(
            {"_id": delivery_id, **_report_waiting(now, window)},
            {"$set": {"receipt_checked_at": now}, "$inc": {"receipt_checks": 1}},
            {"_id": 1},
        )
        return claimed is not None

    async def note_report(self, delivery_id: str, outcome: str, provider_status: str) -> None:
        answer = {"receipt_lookup": outcome, "receipt_provider_status": provider_status}
        await self._notifications.update_one({"_id": delivery_id}, {"$set": answer})
