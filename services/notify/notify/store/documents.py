"""Domain objects to and from their stored documents."""

from __future__ import annotations

from contracts import Channel, Language
from notify.domain.model import Delivery, DeliveryStatus, Recipient, Subscription
from servicekit.store import Document


def recipient_fields(recipient: Recipient) -> Document:
    return {
        "tracking_code": recipient.tracking_code,
        "mobile": recipient.mobile,
        "email": recipient.email,
        "channel": str(recipient.channel),
        "language": str(recipient.language),
    }


def recipient_from(document: Document) -> Recipient:
    return Recipient(
        request_id=document["_id"],
        tracking_code=document["tracking_code"],
        mobile=document.get("mobile"),
        email=document.get("email"),
        channel=Channel(document.get("channel", Channel.SMS)),
        language=Language(document.get("language", Language.FA)),
    )


def subscription_from(document: Document) -> Subscription:
    return Subscription(
        topic=document["topic"],
        mobile=document["mobile"],
        subscriber_id=document["subscriber_id"],
        created_at=document["created_at"],
    )


def delivery_document(delivery: Delivery) -> Document:
    return {
        "_id": delivery.id,
        "notification_id": delivery.notification_id,
        "source_event_id": delivery.source_event_id,
        "request_id": delivery.request_id,
        "tracking_code": delivery.tracking_code,
        "channel": str(delivery.channel),
        "template": delivery.template,
        "to": delivery.to,
        "text": delivery.text,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "provider_message_id": delivery.provider_message_id,
        "reason": delivery.reason,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
    }


def delivery_from(document: Document) -> Delivery:
    return Delivery(
        id=document["_id"],
        notification_id=document["notification_id"],
        source_event_id=document["source_event_id"],
        request_id=document.get("request_id"),
        tracking_code=document.get("tracking_code"),
        channel=Channel(document["channel"]),
        template=document["template"],
        to=document["to"],
        text=document["text"],
        created_at=document["created_at"],
        status=DeliveryStatus(document["status"]),
        attempts=document.get("attempts", 0),
        provider_message_id=document.get("provider_message_id"),
        reason=document.get("reason"),
        finished_at=document.get("finished_at"),
    )
