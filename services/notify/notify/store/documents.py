"""Domain objects to and from their stored documents."""

from __future__ import annotations

from contracts import Channel, Language
from notify.domain import segments
from notify.domain.model import Delivery, DeliveryStatus, Recipient, StatusEntry
from servicekit.store import Document


def recipient_fields(recipient: Recipient) -> Document:
    return {
        "tracking_code": recipient.tracking_code,
        "mobile": recipient.mobile,
        "email": recipient.email,
        "channel": str(recipient.channel),
        "language": str(recipient.language),
        "office_code": recipient.office_code,
        "service_code": recipient.service_code,
    }


def recipient_from(document: Document) -> Recipient:
    return Recipient(
        request_id=document["_id"],
        tracking_code=document["tracking_code"],
        mobile=document.get("mobile"),
        email=document.get("email"),
        channel=Channel(document.get("channel", Channel.SMS)),
        language=Language(document.get("language", Language.FA)),
        office_code=document.get("office_code"),
        service_code=document.get("service_code"),
    )


# Records written before the lifecycle had its present states.
LEGACY_STATUS: dict[str, str] = {"pending": "created", "failed": "permanent-failure"}


def entry_document(entry: StatusEntry) -> Document:
    return {"status": str(entry.status), "at": entry.at, "reason": entry.reason}


def entry_from(document: Document) -> StatusEntry:
    return StatusEntry(DeliveryStatus(document["status"]), document["at"], document.get("reason"))


def sms_cost(delivery: Delivery) -> Document:
    """An SMS record carries its encoding and parts, so what a template costs can be counted."""
    if delivery.channel is not Channel.SMS:
        return {}
    size = segments.analyse(delivery.text)
    return {"encoding": size.encoding, "segments": size.segments}


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
        "subject": delivery.subject,
        "text": delivery.text,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "provider_message_id": delivery.provider_message_id,
        "reason": delivery.reason,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
        "next_attempt_at": delivery.next_attempt_at,
        "lease_until": delivery.lease_until,
        "history": [entry_document(entry) for entry in delivery.history],
        "fallback_email": delivery.fallback_email,
        "event_type": delivery.event_type,
        "recipient_key": delivery.recipient_key,
        "language": str(delivery.language),
        "values": dict(delivery.values),
        **sms_cost(delivery),
        "secret_ref": delivery.secret_ref,
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
        status=DeliveryStatus(LEGACY_STATUS.get(str(document["status"]), str(document["status"]))),
        attempts=document.get("attempts", 0),
        provider_message_id=document.get("provider_message_id"),
        reason=document.get("reason"),
        finished_at=document.get("finished_at"),
        subject=document.get("subject"),
        next_attempt_at=document.get("next_attempt_at"),
        lease_until=document.get("lease_until"),
        history=tuple(entry_from(entry) for entry in document.get("history", [])),
        fallback_email=document.get("fallback_email"),
        event_type=document.get("event_type", ""),
        recipient_key=document.get("recipient_key", ""),
        language=Language(document.get("language", Language.FA)),
        values=document.get("values") or {},
        secret_ref=document.get("secret_ref"),
    )
