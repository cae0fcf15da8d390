"""Intake listens to routing (status) and notify (what the citizen was told)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts import (
    Envelope,
    NotificationDeliveredV1,
    NotificationFailedV1,
    RequestDeadlineChangedV1,
    RequestEscalatedV1,
    RequestRoutedV1,
    RequestStatus,
    RequestStatusChangedV1,
)
from intake.domain.requests import timeline_entry
from intake.domain.retention import FINISHED, contact_erase_after
from intake.store.repository import IntakeRepository
from servicekit.bus import Bus
from servicekit.inbox import Inbox


class UnknownRequest(LookupError):
    """An event for a request intake has not stored; retried, then dead-lettered."""


def register_consumers(bus: Bus, inbox: Inbox, repo: IntakeRepository, retention_days: int) -> None:
    async def on_routed(envelope: Envelope[Any]) -> None:
        event: RequestRoutedV1 = envelope.payload
        entry = timeline_entry(
            RequestStatus.ROUTED,
            event.routed_at,
            event_id=str(envelope.event_id),
            unit_name_fa=event.unit_name_fa,
            note_fa=f"درخواست شما به «{event.unit_name_fa}» ارجاع شد.",
        )
        await _append(event.tracking_code, entry, RequestStatus.ROUTED, event.unit_name_fa)
        if event.due_at is not None:
            await repo.set_expected_at(event.tracking_code, event.due_at, event.routed_at)

    async def on_deadline_changed(envelope: Envelope[Any]) -> None:
        """A corrected calendar moved the deadline: the expected date follows, nothing else (no
        timeline step, no status: the citizen is not messaged)."""
        event: RequestDeadlineChangedV1 = envelope.payload
        if not await repo.set_expected_at(event.tracking_code, event.due_at, event.changed_at):
            await _known(event.tracking_code)

    async def on_status_changed(envelope: Envelope[Any]) -> None:
        event: RequestStatusChangedV1 = envelope.payload
        entry = timeline_entry(
            event.status,
            event.changed_at,
            event_id=str(envelope.event_id),
            unit_name_fa=event.unit_name_fa,
            note_fa=event.note_fa or None,
        )
        erase_after = contact_erase_after(event.status, event.changed_at, retention_days)
        await _append(event.tracking_code, entry, event.status, event.unit_name_fa, erase_after=erase_after)

    async def on_escalated(envelope: Envelope[Any]) -> None:
        event: RequestEscalatedV1 = envelope.payload
        target = event.escalated_to_unit_name_fa or "مدیریت بالاتر"
        entry = timeline_entry(
            RequestStatus.ROUTED,
            event.escalated_at,
            event_id=str(envelope.event_id),
            unit_name_fa=event.escalated_to_unit_name_fa,
            note_fa=f"مهلت رسیدگی گذشت؛ پیگیری درخواست شما به «{target}» سپرده شد.",
        )
        entry["kind"] = "escalation"
        await repo.append_escalation(event.tracking_code, entry)

    async def on_notification(envelope: Envelope[Any]) -> None:
        event: NotificationDeliveredV1 | NotificationFailedV1 = envelope.payload
        if event.tracking_code is None:
            return  # not about a request (e.g. a consultation announcement)
        delivered = isinstance(event, NotificationDeliveredV1)
        at = event.delivered_at if isinstance(event, NotificationDeliveredV1) else event.failed_at
        await repo.append_notification(
            event.tracking_code,
            {
                "event_id": str(envelope.event_id),
                "channel": str(event.channel),
                "template": event.template,
                "outcome": "delivered" if delivered else "failed",
                "at": at,
            },
        )

    async def _append(
        tracking_code: str,
        entry: dict[str, Any],
        status: RequestStatus,
        unit: str | None,
        erase_after: datetime | None = None,
    ) -> None:
        changed = await repo.append_timeline(
            tracking_code, entry, status=str(status), unit_name_fa=unit, erase_contact_after=erase_after
        )
        if not changed:
            await _known(tracking_code)
        if changed and status in FINISHED:
            await repo.mark_finished(changed)
        elif changed and status is RequestStatus.REOPENED:
            await repo.mark_open(changed)

    async def _known(tracking_code: str) -> None:
        if await repo.request(tracking_code) is None:
            raise UnknownRequest(f"no request {tracking_code}")

    for queue_name, handler in (
        ("intake.request-routed", on_routed),
        ("intake.request-status-changed", on_status_changed),
        ("intake.request-escalated", on_escalated),
        ("intake.request-deadline-changed", on_deadline_changed),
        ("intake.notification-delivered", on_notification),
        ("intake.notification-failed", on_notification),
    ):
        bus.consume(queue_name, inbox.once(queue_name, handler))
