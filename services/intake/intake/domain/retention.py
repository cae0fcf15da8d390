"""How long intake keeps a citizen's mobile and e-mail: until some days after the request is finished.

The request itself (name, national ID, what was asked) stays as the municipality's record; the
contact details are what a finished request no longer needs. The mobile's last four digits stay
so the citizen can still follow the request with its tracking code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from contracts import RequestStatus

FINISHED = frozenset({RequestStatus.RESOLVED, RequestStatus.REJECTED, RequestStatus.CLOSED})


def contact_erase_after(status: RequestStatus, changed_at: datetime, days: int) -> datetime | None:
    """When the contact may go, or None while the request is still being worked on (or reopened)."""
    return changed_at + timedelta(days=days) if status in FINISHED else None


def without_contact(citizen: dict[str, Any]) -> dict[str, Any]:
    """The citizen as kept after erasure: no mobile or e-mail, the mobile's last four for tracking."""
    mobile = citizen.get("mobile") or ""
    kept = {key: value for key, value in citizen.items() if key not in ("mobile", "email")}
    return kept | {"mobile": None, "email": None, "mobile_last4": mobile[-4:] or None}
