"""Provider receipts, daily counts and the contact-retention job, over notify's own collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts import EventPayload, NotificationFailedV1
from notify.domain.model import DeliveryStatus, StatusEntry, needs_contact
from notify.domain.phones import mask
from notify.ports import NOTIFICATIONS
from notify.store.documents import LEGACY_STATUS, delivery_from, entry_document
from notify.store.repository import RECIPIENTS
from servicekit.outbox import Outbox, envelopes, push
from servicekit.store import Document, Store

TEHRAN = "Asia/Tehran"
FINAL_RECEIPTS = {"delivered": DeliveryStatus.DELIVERED, "failed": DeliveryStatus.PERMANENT_FAILURE}


class Operations:
    def __init__(self, store: Store, outbox: Outbox | None = None) -> None:
        self._outbox = outbox
        self._notifications = store.collection(NOTIFICATIONS)
        self._recipients = store.collection(RECIPIENTS)

    async def receipt(self, reference: str, outcome: str, at: datetime) -> bool:
        """Record a provider's receipt once; False for a repeat or an unknown reference."""
        key = f"{reference}:{outcome}"
        entry = StatusEntry(FINAL_RECEIPTS.get(outcome, DeliveryStatus.DELIVERED), at, f"receipt: {outcome}")
        query: Document = {
            "$or": [{"notification_id": reference}, {"provider_message_id": reference}],
            "receipts": {"$ne": key},
        }
        update: dict[str, Any] = {
            "$push": {"receipts": key, "history": entry_document(entry)},
            "$set": {"receipt": outcome, "receipt_at": at},
        }
        if outcome == "failed":
            return await self._failed_receipt(query, update, at)
        return await self._notifications.find_one_and_update(query, update, {"_id": 1}) is not None

    async def _failed_receipt(self, query: Document, update: dict[str, Any], at: datetime) -> bool:
        document = await self._notifications.find_one(query, {"outbox": 0})
        if document is None:
            return False
        delivery = delivery_from(document)
        event: EventPayload = NotificationFailedV1(
            notification_id=delivery.notification_id,
            source_event_id=delivery.source_event_id,
            request_id=delivery.request_id,
            tracking_code=delivery.tracking_code,
            channel=delivery.channel,
            template=delivery.template,
            reason="the provider reported the message undelivered",
            attempts=max(delivery.attempts, 1),
            failed_at=at,
        )
        update["$set"] |= {"status": str(DeliveryStatus.PERMANENT_FAILURE)}
        update["$push"] |= push(envelopes("notify", event))
        query = query | {"_id": delivery.id, "status": document["status"]}
        if await self._notifications.find_one_and_update(query, update, {"_id": 1}) is None:
            return False
        if self._outbox is not None:
            await self._outbox.relay(NOTIFICATIONS, delivery.id)
        return True

    async def daily_counts(self, since: datetime) -> list[dict[str, Any]]:
        pipeline: list[Document] = [
            {"$match": {"created_at": {"$gte": since}}},
            {
                "$group": {
                    "_id": {
                        "day": {
                            "$dateToString": {"format": "%Y-%m-%d", "date": "$created_at", "timezone": TEHRAN}
                        },
                        "channel": "$channel",
                        "status": "$status",
                    },
                    "count": {"$sum": 1},
                    "segments": {"$sum": "$segments"},
                }
            },
        ]
        rows = [row async for row in await self._notifications.aggregate(pipeline)]
        counts = [row["_id"] | {"count": row["count"], "segments": row["segments"]} for row in rows]
        return sorted(counts, key=lambda c: (c["day"], c["channel"], c["status"]))

    async def erase_due(self, now: datetime) -> int:
        """Forget the contact data of requests closed long enough ago; returns how many were finished.

        A request with a delivery that may still be sent keeps its contact data: a later pass erases it.
        """
        erased = 0
        cursor = self._recipients.find({"erase_after": {"$lte": now}, "erased": {"$ne": True}}, {"_id": 1})
        async for document in cursor:
            erased += await self._erase(document["_id"], now)
        return erased

    async def _erase(self, request_id: str, now: datetime) -> int:
        if any(_needs_contact(sent) for sent in await self._sent(request_id)):
            return 0
        contact = {"mobile": None, "email": None, "erased_at": now}
        await self._recipients.update_one({"_id": request_id}, {"$set": contact})
        for sent in await self._sent(request_id):
            await self._mask(sent)
        if any(not sent.get("contact_erased") for sent in await self._sent(request_id)):
            return 0  # recorded meanwhile from the contact read before: it keeps it until it is sent
        await self._recipients.update_one({"_id": request_id}, {"$set": {"erased": True}})
        return 1

    async def _sent(self, request_id: str) -> list[Document]:
        fields = {"to": 1, "status": 1, "next_attempt_at": 1, "contact_erased": 1}
        return [sent async for sent in self._notifications.find({"request_id": request_id}, fields)]

    async def _mask(self, sent: Document) -> None:
        """Mask a delivery that will not be sent again (and only while it stays so)."""
        if sent.get("contact_erased") or _needs_contact(sent):
            return
        # an SMS keeps the citizen's e-mail for the fallback: it goes with the rest
        erase = {"to": mask(sent["to"]), "fallback_email": None, "contact_erased": True}
        await self._notifications.update_one({"_id": sent["_id"], "status": sent["status"]}, {"$set": erase})


def _needs_contact(sent: Document) -> bool:
    status = DeliveryStatus(LEGACY_STATUS.get(str(sent["status"]), str(sent["status"])))
    return needs_contact(status, sent.get("next_attempt_at"))
