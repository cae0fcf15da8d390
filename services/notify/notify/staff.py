"""Staff alerts: a unit's contact hears when a case of theirs has used most of its SLA and when a
case breached its deadline and escalated to them, once per event, unit and channel.

The messages are delivery intents like citizens' ones (the same unique key, claim and retries).
E-mail goes at once whatever the hour; SMS keeps the quiet hours, so a breach at night reaches a
duty phone in the morning and the mailbox at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from contracts import Language, RequestStatus
from notify.domain.calendar import jalali_datetime_fa
from notify.domain.staff import (
    OverdueCase,
    StaffUnit,
    UnitNotKnownYet,
    case_link,
    number_fa,
    share_fa,
)
from notify.domain.templates import STAFF_ESCALATED, STAFF_WARNING
from notify.intents import Intent
from notify.ports import StaffDirectory

log = logging.getLogger("notify.staff")

Create = Callable[[Intent], Awaitable[None]]
CLOCK_STOPPED_FA = "متوقف تا پاسخ شهروند"


@dataclass(frozen=True)
class Escalation:
    request_id: str
    tracking_code: str
    unit_id: str
    target_unit_id: str | None
    level: int
    due_at: datetime
    escalated_at: datetime


@dataclass(frozen=True)
class SlaWarning:
    request_id: str
    tracking_code: str
    unit_id: str
    share: float
    due_at: datetime | None


class StaffAlerts:
    def __init__(self, directory: StaffDirectory, create: Create, *, console_url: str) -> None:
        self._directory = directory
        self._create = create
        self._console_url = console_url

    async def unit_updated(self, unit: StaffUnit) -> None:
        await self._directory.save_unit(unit)

    async def escalated(self, event_id: str, escalation: Escalation) -> None:
        """Keep the case as overdue (for the digest), then tell the unit it escalated to; a unit at
        the top of its chain, with nobody above it, is told itself."""
        case = OverdueCase(
            escalation.request_id, escalation.tracking_code, escalation.unit_id, escalation.due_at
        )
        await self._directory.case_overdue(case, escalation.level, escalation.escalated_at)
        target = await self._known_unit(escalation.target_unit_id or escalation.unit_id)
        breached = await self._directory.unit(escalation.unit_id)
        values = {
            "tracking_code": escalation.tracking_code,
            "unit_name": breached.name_fa if breached else escalation.unit_id,
            "target_name": target.name_fa,
            "level": number_fa(escalation.level),
            "due_at": jalali_datetime_fa(escalation.due_at),
            "case_link": case_link(self._console_url, escalation.request_id),
        }
        await self._tell(target, STAFF_ESCALATED, event_id, values, escalation)

    async def sla_warning(self, event_id: str, warning: SlaWarning) -> None:
        unit = await self._known_unit(warning.unit_id)
        values = {
            "tracking_code": warning.tracking_code,
            "unit_name": unit.name_fa,
            "share": share_fa(warning.share),
            "due_at": jalali_datetime_fa(warning.due_at) if warning.due_at else CLOCK_STOPPED_FA,
            "case_link": case_link(self._console_url, warning.request_id),
        }
        await self._tell(unit, STAFF_WARNING, event_id, values, warning)

    async def case_moved(
        self, request_id: str, unit_id: str | None, due_at: datetime | None, at: datetime
    ) -> None:
        """A move to another unit or a corrected deadline: the digest lists the case where it is."""
        await self._directory.case_moved(request_id, unit_id, due_at, at)

    async def status_changed(self, request_id: str, status: RequestStatus, at: datetime) -> None:
        await self._directory.case_status(request_id, status, at)

    async def _known_unit(self, unit_id: str) -> StaffUnit:
        unit = await self._directory.unit(unit_id)
        if unit is None:
            raise UnitNotKnownYet(unit_id)
        return unit

    async def _tell(
        self,
        unit: StaffUnit,
        template: str,
        event_id: str,
        values: Mapping[str, str],
        about: Escalation | SlaWarning,
    ) -> None:
        if not unit.active:
            log.warning("unit %s is retired: %s of %s not sent", unit.unit_id, template, about.tracking_code)
            return
        addresses = unit.addresses()
        if not addresses:
            log.warning(
                "unit %s has no contact: %s of %s not sent", unit.unit_id, template, about.tracking_code
            )
        for channel, address in addresses:
            intent = Intent(
                template,
                event_id,
                unit.recipient_key,
                channel,
                address,
                Language.FA,
                values,
                request_id=about.request_id,
                tracking_code=about.tracking_code,
            )
            await self._create(intent)
