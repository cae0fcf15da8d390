"""The public comment window, counted in calendar days of the consultation's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consultation.domain.errors import DomainError


def comment_window(opened_at: datetime, days: int, tz: str) -> tuple[datetime, datetime]:
    """When comment opens and closes, both in UTC.

    The window closes at the end of the local calendar day `days` days after the
    opening day, so whatever the hour of opening, `days` whole local days follow it.
    """
    if opened_at.tzinfo is None or opened_at.utcoffset() is None:
        raise DomainError("the opening time must carry a time zone")
    if days < 1:
        raise DomainError("a comment window lasts at least one day")
    zone = ZoneInfo(tz)
    closing_day = opened_at.astimezone(zone).date() + timedelta(days=days)
    # fold=1: where clocks were set back at midnight, the day ends at the later 23:59:59
    closes_local = datetime.combine(closing_day, time.max, tzinfo=zone).replace(fold=1)
    return opened_at.astimezone(UTC), closes_local.astimezone(UTC)


def is_within(moment: datetime, opens_at: datetime, closes_at: datetime) -> bool:
    return opens_at <= moment <= closes_at
