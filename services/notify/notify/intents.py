"""An intent (who hears what about which event, on which channel) rendered into a delivery record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from contracts import Channel, Language
from notify.domain import placeholders, quiet_hours, templates
from notify.domain.model import Delivery, Office, Recipient
from notify.ports import TemplateSource

OFFICE_TEMPLATES = {
    "request.routed.v1": "office.request_routed",
    "request.status_changed.v1": "office.status",
}


@dataclass(frozen=True)
class Intent:
    event_type: str
    event_id: str
    recipient_key: str
    channel: Channel
    to: str
    language: Language
    values: Mapping[str, str]
    request_id: str | None = None
    tracking_code: str | None = None
    urgent: bool = False
    footer: str | None = None
    fallback_email: str | None = None
    secret_ref: str | None = None


async def render(
    intent: Intent,
    source: TemplateSource,
    now: datetime,
    quiet: tuple[time, time] = (quiet_hours.QUIET_START, quiet_hours.QUIET_END),
) -> Delivery:
    """`quiet` is the (start, end) of the nightly window, Tehran time, in which SMS waits."""
    if intent.channel is Channel.WEBHOOK:
        body, subject, name = intent.values["body"], None, OFFICE_TEMPLATES[intent.event_type]
    else:
        text = await source.newest(intent.event_type, intent.channel, intent.language)
        text = text or templates.default_text(intent.event_type, intent.language)
        body = templates.tidy(placeholders.render(text.body, intent.values))
        if intent.footer:
            body = f"{body}\n{intent.footer}"
        subject = placeholders.render(text.subject, intent.values) if text.subject else None
        name = templates.TEMPLATE_NAMES[intent.event_type]
    send_at = now
    if intent.channel is Channel.SMS:
        start, end = quiet
        send_at = quiet_hours.next_allowed_send(now, urgent=intent.urgent, start=start, end=end)
    return Delivery.new(
        source_event_id=intent.event_id,
        recipient_key=intent.recipient_key,
        channel=intent.channel,
        request_id=intent.request_id,
        template=name,
        to=intent.to,
        text=body,
        now=now,
        tracking_code=intent.tracking_code,
        subject=subject,
        send_at=send_at,
        fallback_email=intent.fallback_email,
        event_type=intent.event_type,
        language=intent.language,
        values=intent.values,
        secret_ref=intent.secret_ref,
    )


def office_intent(
    event_type: str, event_id: str, recipient: Recipient, office: Office | None, facts: Mapping[str, Any]
) -> Intent | None:
    """The webhook to the office that filed the request, if it gave a callback URL; no personal data."""
    if office is None or not office.callback_url:
        return None
    payload = {
        "event_type": event_type,
        "event_id": event_id,
        "request_id": recipient.request_id,
        "tracking_code": recipient.tracking_code,
    } | dict(facts)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return Intent(
        event_type,
        event_id,
        f"office-{office.office_code}",
        Channel.WEBHOOK,
        office.callback_url,
        Language.FA,
        {"body": body},
        request_id=recipient.request_id,
        tracking_code=recipient.tracking_code,
        secret_ref=office.signing_secret_ref,
    )
