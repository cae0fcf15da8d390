"""Municipal units as notify knows them, and what their staff are told: a warning when a case has
used most of its SLA, an escalation when one breached it, and a daily digest of overdue cases.

Staff read Persian; every message links to the case in the staff console.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from persiantools.digits import en_to_fa

from contracts import Channel, RequestStatus
from notify.domain.phones import InvalidMobile, normalise_email, normalise_mobile

TEHRAN = ZoneInfo("Asia/Tehran")
FINISHED = frozenset({RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.CLOSED})


class UnitNotKnownYet(Exception):
    """An alert for a unit whose `unit.updated` has not arrived yet."""

    def __init__(self, unit_id: str) -> None:
        super().__init__(f"no unit {unit_id} recorded yet")
        self.unit_id = unit_id


@dataclass(frozen=True)
class StaffUnit:
    """A unit's name and organisational contact channels, as routing last told them."""

    unit_id: str
    name_fa: str
    email: str | None
    mobile: str | None
    active: bool
    updated_at: datetime

    @property
    def recipient_key(self) -> str:
        return f"unit-{self.unit_id}"

    def addresses(
        self, channels: Sequence[Channel] = (Channel.EMAIL, Channel.SMS)
    ) -> list[tuple[Channel, str]]:
        """Where the unit is reached, by each of `channels` it has an address for."""
        by_channel = {Channel.EMAIL: self.email, Channel.SMS: self.mobile}
        return [(channel, address) for channel in channels if (address := by_channel.get(channel))]


def staff_unit(
    unit_id: str,
    name_fa: str,
    contact_email: str | None,
    contact_phone: str | None,
    active: bool,
    updated_at: datetime,
) -> StaffUnit:
    """A unit's contact as typed by an admin: the e-mail in lower case, the phone only if it is a
    mobile (a desk's landline such as 137 takes no SMS)."""
    email = normalise_email(contact_email) if contact_email and "@" in contact_email else None
    return StaffUnit(unit_id, name_fa, email, _mobile_or_none(contact_phone), active, updated_at)


def _mobile_or_none(phone: str | None) -> str | None:
    if not phone:
        return None
    try:
        return normalise_mobile(phone)
    except InvalidMobile:
        return None


@dataclass(frozen=True)
class OverdueCase:
    """A case past its deadline, as its latest escalation, move or deadline change said."""

    request_id: str
    tracking_code: str
    unit_id: str
    due_at: datetime
    service_code: str | None = None


def case_link(console_url: str, request_id: str) -> str:
    return f"{console_url.rstrip('/')}/cases/{request_id}"


def share_fa(share: float) -> str:
    """0.75 → ۷۵٪"""
    return str(en_to_fa(f"{round(share * 100)}٪"))


def number_fa(number: int) -> str:
    return str(en_to_fa(str(number)))


def how_overdue_fa(due_at: datetime, now: datetime) -> str:
    """Calendar time since the deadline, in whole days and hours: «۲ روز و ۳ ساعت»."""
    late = max(now - due_at, timedelta())
    days, hours = late.days, late.seconds // 3600
    parts = [f"{number_fa(days)} روز"] if days else []
    parts += [f"{number_fa(hours)} ساعت"] if hours else []
    return " و ".join(parts) or "کمتر از یک ساعت"


def digest_day(now: datetime, hour: int) -> date | None:
    """The Tehran day whose digest is due at `now`: today from `hour` on, none before it."""
    local = now.astimezone(TEHRAN)
    return local.date() if local.hour >= hour else None


def digest_moment(day: date, hour: int) -> datetime:
    """The digest of `day` lists what was overdue at this moment, whenever it is sent that day."""
    return datetime.combine(day, time(hour), tzinfo=TEHRAN)


def digest_lines(cases: Sequence[OverdueCase], now: datetime, console_url: str) -> str:
    """One line per case, the longest overdue first: tracking code, service, how overdue, link."""
    lines = []
    for case in sorted(cases, key=lambda c: (c.due_at, c.tracking_code)):
        service = f"خدمت {case.service_code}" if case.service_code else "خدمت نامشخص"
        late = how_overdue_fa(case.due_at, now)
        lines.append(
            f"• {case.tracking_code} — {service} — {late} تأخیر — {case_link(console_url, case.request_id)}"
        )
    return "\n".join(lines)
