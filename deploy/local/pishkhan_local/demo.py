"""Demo data: an Ardabil-like catalogue, six units in three districts, one licensed office."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

SERVICES: list[tuple[str, str, str, str, int, bool]] = [
    # code, Persian name, English name, group, fee in rials, location required
    ("ARD-101", "روشنایی معابر", "Street lighting", "خدمات شهری", 0, True),
    ("ARD-102", "جمع‌آوری پسماند", "Waste collection", "خدمات شهری", 0, True),
    ("ARD-103", "ترمیم آسفالت و چاله", "Pothole repair", "خدمات شهری", 0, True),
    ("ARD-104", "هرس و نگهداری فضای سبز", "Green space and tree care", "خدمات شهری", 0, True),
    ("ARD-105", "رفع سد معبر", "Sidewalk obstruction", "خدمات شهری", 0, True),
    ("ARD-201", "صدور پروانه ساختمانی", "Building permit", "شهرسازی", 1_500_000, False),
    ("ARD-202", "پاسخ استعلام نقل و انتقال ملک", "Property transfer inquiry", "شهرسازی", 500_000, False),
    ("ARD-203", "صدور گواهی پایان کار", "Completion certificate", "شهرسازی", 2_000_000, False),
    ("ARD-301", "پرداخت عوارض نوسازی", "Renovation dues", "درآمد", 0, False),
    ("ARD-401", "خدمات آرامستان", "Cemetery services", "خدمات شهری", 250_000, False),
]

DISTRICT_NAMES = {"1": "یک", "2": "دو", "3": "سه"}


def units() -> list[dict[str, Any]]:
    """The municipality, a district office per district, two departments each, and triage."""
    result: list[dict[str, Any]] = [
        {
            "unit_id": "municipality",
            "name_fa": "شهرداری اردبیل",
            "name_en": "Ardabil Municipality",
            "kind": "municipality",
            "contact_phone": "137",
        },
        {
            "unit_id": "triage",
            "name_fa": "میز بررسی و ارجاع سامانه ۱۳۷",
            "name_en": "137 triage desk",
            "parent_unit_id": "municipality",
            "escalates_to": "municipality",
        },
    ]
    for district, name in DISTRICT_NAMES.items():
        office = f"d{district}-office"
        result.append(
            {
                "unit_id": office,
                "name_fa": f"شهرداری منطقه {name}",
                "name_en": f"District {district}",
                "kind": "district_office",
                "district": district,
                "parent_unit_id": "municipality",
                "escalates_to": "municipality",
            }
        )
        for unit_id, name_fa, name_en in (
            (
                f"d{district}-services",
                f"معاونت خدمات شهری منطقه {name}",
                f"District {district} urban services",
            ),
            (f"d{district}-planning", f"معاونت شهرسازی منطقه {name}", f"District {district} urban planning"),
        ):
            result.append(
                {
                    "unit_id": unit_id,
                    "name_fa": name_fa,
                    "name_en": name_en,
                    "district": district,
                    "parent_unit_id": office,
                    "escalates_to": office,
                }
            )
    return result


def rules() -> list[dict[str, Any]]:
    result = []
    for district in DISTRICT_NAMES:
        result.append(
            {"rule_id": f"d{district}-default", "district": district, "unit_id": f"d{district}-services"}
        )
        for code, *_rest, group, _fee, _loc in SERVICES:
            if group == "شهرسازی":
                result.append(
                    {
                        "rule_id": f"d{district}-{code}",
                        "service_code": code,
                        "district": district,
                        "unit_id": f"d{district}-planning",
                    }
                )
    return result


def service_definition(
    code: str, name_fa: str, name_en: str, group: str, fee: int, location: bool
) -> dict[str, Any]:
    return {
        "service_code": code,
        "name_fa": name_fa,
        "name_en": name_en,
        "group": group,
        "fee_rials": fee,
        "location_required": location,
        "description_fa": f"ثبت درخواست «{name_fa}» در دفاتر پیشخوان",
        "sla_hours": 72 if group == "خدمات شهری" else 120,
    }


OFFICE = {
    "code": "ARD-E-017",
    "name_fa": "دفتر خدمات الکترونیک شهرداری شماره ۱۷ اردبیل",
    "district": "1",
    "licence_number": "۱۴۰۳/۱۷",
    "licence_valid_until": (date.today() + timedelta(days=365)).isoformat(),
    "status": "active",
}


def load(urls: dict[str, str], admin_token: str) -> str:
    """Load everything through the services' own APIs; returns the office's new API key."""
    auth = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(headers=auth, timeout=10.0) as http:
        for row in SERVICES:
            body = service_definition(*row)
            http.put(f"{urls['intake']}/v1/services/{row[0]}", json=body).raise_for_status()
        http.put(f"{urls['intake']}/v1/offices/{OFFICE['code']}", json=OFFICE).raise_for_status()
        key = http.post(f"{urls['intake']}/v1/offices/{OFFICE['code']}/keys").raise_for_status().json()
        for unit in units():
            http.put(f"{urls['routing']}/v1/units/{unit['unit_id']}", json=unit).raise_for_status()
        for rule in rules():
            http.put(f"{urls['routing']}/v1/rules/{rule['rule_id']}", json=rule).raise_for_status()
        http.post(
            f"{urls['notify']}/v1/subscriptions", json={"topic": "consultations", "mobile": "09141234567"}
        ).raise_for_status()
        draft = (
            http.post(
                f"{urls['consultation']}/v1/drafts",
                json={
                    "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
                    "summary_fa": "ضوابط استقرار دستفروشان در معابر و بازارچه‌های موقت شهر اردبیل",
                    "body_fa": "ماده ۱ - استقرار دستفروشان تنها در بازارچه‌های موقت مصوب مجاز است.\n"
                    "ماده ۲ - ساعت فعالیت بازارچه‌ها ۱۶ تا ۲۲ است.",
                },
            )
            .raise_for_status()
            .json()
        )
        http.post(f"{urls['consultation']}/v1/drafts/{draft['id']}/open").raise_for_status()
    return str(key["api_key"])
