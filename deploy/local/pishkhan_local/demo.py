"""Demo data: an Ardabil-like catalogue, six units in three districts (each with a contact e-mail for
staff alerts), one licensed office."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from servicekit.auth import Role, mint_staff_token

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
            "contact_email": "municipality@ardabil.example",
        },
        {
            "unit_id": "triage",
            "name_fa": "میز بررسی و ارجاع سامانه ۱۳۷",
            "name_en": "137 triage desk",
            "contact_email": "triage@ardabil.example",
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
                "contact_email": f"{office}@ardabil.example",
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
                    "contact_email": f"{unit_id}@ardabil.example",  # staff alerts and the digest
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
        "open311_public": location,  # problems in public space; never permits or property
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


def load(
    urls: dict[str, str],
    admin_token: str,
    *,
    author_token: str | None = None,
    approver_token: str | None = None,
) -> str:
    """Load everything through the services' own APIs; returns the office's new API key.

    The consultation draft is approved and opened only with an approver's token: an approver may
    not approve a draft they wrote, so one admin token alone leaves it a draft.
    """
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
    consultation(urls["consultation"], author_token or admin_token, approver_token)
    return str(key["api_key"])


VENDORS_DRAFT: dict[str, Any] = {
    "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
    "summary_fa": "ضوابط استقرار دستفروشان در معابر و بازارچه‌های موقت شهر اردبیل",
    "authority_fa": "شهرداری اردبیل - معاونت خدمات شهری",
    "category": "ساماندهی مشاغل",
    "districts": ["1", "2"],
    "stakeholders_fa": ["دستفروشان", "کسبه", "شهروندان"],
    "sections": [
        {
            "number": 1,
            "title_fa": "محل و زمان فعالیت",
            "articles": [
                {
                    "id": "a-place",
                    "number": 1,
                    "text_fa": "استقرار دستفروشان تنها در بازارچه‌های موقت مصوب مجاز است.",
                },
                {"id": "a-hours", "number": 2, "text_fa": "ساعت فعالیت بازارچه‌ها ۱۶ تا ۲۲ است."},
            ],
        }
    ],
}


def consultation(url: str, author_token: str, approver_token: str | None) -> None:
    """A structured draft written by an author, then approved and opened by an approver."""
    with httpx.Client(timeout=10.0) as http:
        author = {"Authorization": f"Bearer {author_token}"}
        draft = http.post(f"{url}/v1/drafts", json=VENDORS_DRAFT, headers=author).raise_for_status().json()
        if approver_token is None:
            return
        approver = {"Authorization": f"Bearer {approver_token}"}
        http.post(f"{url}/v1/drafts/{draft['id']}/approve", headers=approver).raise_for_status()
        http.post(
            f"{url}/v1/drafts/{draft['id']}/open", json={"days": 14}, headers=approver
        ).raise_for_status()


def load_with_secret(urls: dict[str, str], jwt_secret: str) -> str:
    """`load`, with short-lived tokens for the admin, the draft's author and its approver."""

    def token(subject: str, role: Role) -> str:
        return mint_staff_token(jwt_secret, subject, [role], ttl=timedelta(minutes=10))

    return load(
        urls,
        token("demo-admin", Role.ADMIN),
        author_token=token("demo-author", Role.AUTHOR),
        approver_token=token("demo-approver", Role.APPROVER),
    )
