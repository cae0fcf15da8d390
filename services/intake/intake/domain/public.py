"""What anyone holding a tracking code and the mobile's last four digits may see: no personal data."""

from __future__ import annotations

import hmac
from typing import Any

from intake.domain.persian import normalize_number

PUBLIC_TIMELINE_FIELDS = ("status", "note_fa", "unit_name_fa", "at")


def holder_matches(record: dict[str, Any], mobile_last4: str) -> bool:
    citizen = record.get("citizen") or {}
    last4 = (citizen.get("mobile") or "")[-4:] or citizen.get("mobile_last4") or ""
    given = normalize_number(mobile_last4)
    return len(given) == 4 and len(last4) == 4 and hmac.compare_digest(last4, given)


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "tracking_code": record["_id"],
        "service_code": record["service_code"],
        "service_name_fa": record["service_name_fa"],
        "status": record["status"],
        "unit_name_fa": record.get("unit_name_fa"),
        "requested_at": record["requested_at"],
        "expected_at": record.get("expected_at"),
        "timeline": [{key: step.get(key) for key in PUBLIC_TIMELINE_FIELDS} for step in record["timeline"]],
    }
