"""Routing's events about units and their cases' SLA, translated for the staff alerts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts import (
    Envelope,
    RequestDeadlineChangedV1,
    RequestEscalatedV1,
    RequestSlaWarningV1,
    UnitUpdatedV1,
)
from notify.domain.staff import staff_unit
from notify.staff import Escalation, SlaWarning, StaffAlerts

Handler = Callable[[Envelope[Any]], Awaitable[None]]


def staff_handlers(staff: StaffAlerts) -> dict[str, Handler]:
    async def on_unit_updated(envelope: Envelope[Any]) -> None:
        event: UnitUpdatedV1 = envelope.payload
        unit = staff_unit(
            event.unit_id,
            event.name_fa,
            event.contact_email,
            event.contact_phone,
            event.active,
            event.updated_at,
        )
        await staff.unit_updated(unit)

    async def on_escalated(envelope: Envelope[Any]) -> None:
        event: RequestEscalatedV1 = envelope.payload
        escalation = Escalation(
            event.request_id,
            event.tracking_code,
            event.unit_id,
            event.escalated_to_unit_id,
            event.level,
            event.due_at,
            event.escalated_at,
        )
        await staff.escalated(str(envelope.event_id), escalation)

    async def on_sla_warning(envelope: Envelope[Any]) -> None:
        event: RequestSlaWarningV1 = envelope.payload
        warning = SlaWarning(event.request_id, event.tracking_code, event.unit_id, event.share, event.due_at)
        await staff.sla_warning(str(envelope.event_id), warning)

    async def on_deadline_changed(envelope: Envelope[Any]) -> None:
        event: RequestDeadlineChangedV1 = envelope.payload
        await staff.case_moved(event.request_id, event.unit_id, event.due_at, event.changed_at)

    return {
        "notify.unit-updated": on_unit_updated,
        "notify.request-escalated": on_escalated,
        "notify.request-sla-warning": on_sla_warning,
        "notify.request-deadline-changed": on_deadline_changed,
    }
