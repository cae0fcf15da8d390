"""The printable receipt an office hands the citizen."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from intake.jalali import jalali_date, jalali_datetime, persian_digits, rials

templates = Environment(loader=PackageLoader("intake"), autoescape=select_autoescape(["html"]))
templates.filters.update(
    jalali_date=jalali_date, jalali_datetime=jalali_datetime, fa=persian_digits, rials=rials
)


def render_receipt(record: dict[str, Any], office_name_fa: str) -> str:
    return templates.get_template("receipt.html").render(request=record, office_name_fa=office_name_fa)
