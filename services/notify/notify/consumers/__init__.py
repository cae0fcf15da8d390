"""Events in: each handler translates one event and hands it to the notifier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts import (
    Envelope,
    OfficeUpdatedV1,
    RequestRoutedV1,
    RequestStatusChangedV1,
    RequestSubmittedV1,
)
from notify.consumers.consultations import consultation_handlers
from notify.consumers.staff import staff_handlers
from notify.domain.model import Office, Recipient, RecipientNotKnownYet
from notify.domain.phones import normalise_email
from notify.domain.staff import UnitNotKnownYet
from notify.service import Notifier, Referral, StatusChange
from notify.staff import StaffAlerts
from servicekit.bus import Bus
from servicekit.delivery import NotYet
from servicekit.inbox import Inbox

Handler = Callable[[Envelope[Any]], Awaitable[None]]


def handlers(service: Notifier, staff: StaffAlerts) -> dict[str, Handler]:
    async def on_request_submitted(envelope: Envelope[Any]) -> None:
        event: RequestSubmittedV1 = envelope.payload
        contact = event.contact
        recipient = Recipient(
            request_id=event.request_id,
            tracking_code=event.tracking_code,
            mobile=contact.mobile,
            email=normalise_email(contact.email) if contact.email else None,
            channel=contact.channel,
            language=contact.language,
            office_code=event.office_code,
            service_code=event.service_code,
        )
        await service.request_submitted(str(envelope.event_id), recipient)

    async def on_request_routed(envelope: Envelope[Any]) -> None:
        event: RequestRoutedV1 = envelope.payload
        await staff.case_moved(event.request_id, event.unit_id, event.due_at, event.routed_at)
        referral = Referral(
            event.request_id,
            unit_name_fa=event.unit_name_fa,
            unit_name_en=event.unit_name_en,
            unit_id=event.unit_id,
        )
        await service.request_routed(str(envelope.event_id), referral)

    async def on_request_status_changed(envelope: Envelope[Any]) -> None:
        event: RequestStatusChangedV1 = envelope.payload
        await staff.status_changed(event.request_id, event.status, event.changed_at)
        change = StatusChange(
            event.request_id, status=event.status, note_fa=event.note_fa, unit_id=event.unit_id
        )
        await service.status_changed(str(envelope.event_id), change)

    async def on_office_updated(envelope: Envelope[Any]) -> None:
        event: OfficeUpdatedV1 = envelope.payload
        office = Office(
            office_code=event.office_code,
            name_fa=event.name_fa,
            status=event.status,
            callback_url=event.callback_url,
            signing_secret_ref=event.signing_secret_ref,
            updated_at=event.updated_at,
        )
        await service.office_updated(office)

    return (
        {
            "notify.office-updated": on_office_updated,
            "notify.request-submitted": on_request_submitted,
            "notify.request-routed": on_request_routed,
            "notify.request-status-changed": on_request_status_changed,
        }
        | consultation_handlers(service)
        | staff_handlers(staff)
    )


def register_consumers(bus: Bus, inbox: Inbox, service: Notifier, staff: StaffAlerts) -> None:
    for queue_name, handler in handlers(service, staff).items():
        bus.consume(queue_name, inbox.once(queue_name, _waiting_for_submission(handler)))


def _waiting_for_submission(handler: Handler) -> Handler:
    """A request's later events can overtake its submission (another queue, a slow or restarted
    consumer), and an alert the news of its unit: the bus retries those longer before giving up
    on them."""

    async def handle(envelope: Envelope[Any]) -> None:
        try:
            await handler(envelope)
        except (RecipientNotKnownYet, UnitNotKnownYet) as error:
            raise NotYet(f"{type(error).__name__}: {error}") from error

    return handle
