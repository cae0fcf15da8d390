"""When an SMS may go out: not during the night in Tehran, unless it is urgent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
TEHRAN = "Asia/Tehran"


def is_quiet(local: time, *, start: time = QUIET_START, end: time = QUIET_END) -> bool:
    """`start` is inside the window, `end` is not; `start == end` means no quiet hours at all."""
    if start < end:
        return start <= local < end
    if start > end:
        return local >= start or local < end
    return False


def next_allowed_send(
    at: datetime,
    *,
    urgent: bool,
    start: time = QUIET_START,
    end: time = QUIET_END,
    tz: str = TEHRAN,
) -> datetime:
    """`at` itself when sending is allowed, else the end of the quiet window in `tz`, as UTC."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware")
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    if urgent or not is_quiet(local.time(), start=start, end=end):
        return at
    release = datetime.combine(local.date(), end, tzinfo=zone)
    if release <= local:
        release = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return release.astimezone(UTC)
