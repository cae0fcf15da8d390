"""Dates as people here read them: Asia/Tehran time, Solar Hijri calendar, Persian digits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import jdatetime
from persiantools.digits import en_to_fa

TEHRAN = ZoneInfo("Asia/Tehran")


def jalali_datetime_fa(moment: datetime) -> str:
    """E.g. `۱۷ آذر ۱۴۰۵، ساعت ۲۳:۵۹` for 2026-12-08T20:29:59Z."""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN), locale="fa_IR")
    text: str = local.strftime("%-d %B %Y، ساعت %H:%M")
    return str(en_to_fa(text))


def jalali_date_fa(day: date) -> str:
    """E.g. `۳ آذر ۱۴۰۵` for 2026-11-24."""
    text: str = jdatetime.date.fromgregorian(date=day, locale="fa_IR").strftime("%-d %B %Y")
    return str(en_to_fa(text))
