"""Dates as people here read them: Solar Hijri calendar, local time, Persian digits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime
from persiantools.digits import en_to_fa


def _local_jalali(moment: datetime, tz: str) -> jdatetime.datetime:
    return jdatetime.datetime.fromgregorian(datetime=moment.astimezone(ZoneInfo(tz)))


def jalali_date(moment: datetime, tz: str) -> str:
    """E.g. "۱۴۰۵/۰۹/۱۷" for 2026-12-08 in Tehran."""
    text: str = en_to_fa(_local_jalali(moment, tz).strftime("%Y/%m/%d"))
    return text


def jalali_datetime(moment: datetime, tz: str) -> str:
    """E.g. "۱۴۰۵/۰۹/۱۷ ۲۳:۵۹"."""
    text: str = en_to_fa(_local_jalali(moment, tz).strftime("%Y/%m/%d %H:%M"))
    return text
