"""Dates and numbers as people here read them: Tehran time, Solar Hijri calendar, Persian digits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime
from persiantools.digits import en_to_fa

TEHRAN = ZoneInfo("Asia/Tehran")


def persian_digits(value: object) -> str:
    return str(en_to_fa(str(value)))


def jalali_date(moment: datetime) -> str:
    """`۱۴۰۵/۰۹/۰۳`"""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    return persian_digits(local.strftime("%Y/%m/%d"))


def jalali_datetime(moment: datetime) -> str:
    """`۱۴۰۵/۰۹/۰۳ ساعت ۱۵:۴۵`"""
    local = jdatetime.datetime.fromgregorian(datetime=moment.astimezone(TEHRAN))
    return persian_digits(local.strftime("%Y/%m/%d ساعت %H:%M"))


def rials(amount: int) -> str:
    """`۱٬۵۰۰٬۰۰۰ ریال`"""
    return persian_digits(f"{amount:,}".replace(",", "٬")) + " ریال"
