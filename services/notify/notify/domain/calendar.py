"""Dates as people here read them: Asia/Tehran time, Solar Hijri calendar, Persian digits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime
from persiantools.digits import en_to_fa

TEHRAN = ZoneInfo("Asia/Tehran")


def jalali_datetime_fa(moment: datetime) -> str:
    """E.g. `۱۷ آذر ۱۴۰۵، ساعت ۲۳:۵۹` for 2026-12-08T20:29:59Z."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN), locale="fa_IR")
    text: str = local.strftime("%-d %B %Y، ساعت %H:%M")
    return str(en_to_fa(text))
