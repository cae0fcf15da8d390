"""Retention across the running system: a finished request's contact details leave intake's store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from support import System, eventually, file_request, publish_event, read_request

from contracts import Envelope, RequestStatus, RequestStatusChangedV1

pytestmark = pytest.mark.e2e


def _status(filed: dict[str, Any], status: RequestStatus, at: datetime) -> dict[str, Any]:
    changed = RequestStatusChangedV1(
        request_id=str(filed["request_id"]),
        tracking_code=str(filed["tracking_code"]),
        status=status,
        previous_status=RequestStatus.IN_PROGRESS,
        note_fa="رسیدگی شد",
        changed_at=at,
    )
    return Envelope.wrap(changed, producer="routing", correlation_id="retention-test").to_document()


def _stored(system: System, tracking_code: str) -> dict[str, Any]:
    with MongoClient(system.cluster.stores["intake"].url, tz_aware=True) as client:
        found = client.get_default_database()["requests"].find_one({"_id": tracking_code})
    assert found is not None
    return dict(found)


def test_a_request_finished_longer_ago_than_the_retention_loses_its_contact(system: System) -> None:
    citizen = {
        "name": "مریم رضایی",
        "national_id": "0499370899",
        "mobile": "09141230001",
        "email": "m@example.ir",
    }
    filed = file_request(system, citizen=citizen)
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed")
    publish_event(
        system.amqp_url, _status(filed, RequestStatus.RESOLVED, datetime.now(UTC) - timedelta(days=400))
    )

    erased = eventually(lambda: _stored(system, code).get("contact_erased_at") and _stored(system, code))
    assert erased["citizen"]["mobile"] is None and erased["citizen"]["email"] is None
    assert erased["citizen"]["national_id"] == "0499370899", "the request stays the municipality's record"
    tracked = httpx.get(f"{system.url('intake')}/v1/track/{code}", params={"last4": "0001"}, timeout=10)
    assert tracked.status_code == 200 and tracked.json()["status"] == "resolved"


def test_a_reopened_request_calls_its_erasure_off(system: System) -> None:
    filed = file_request(system)
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed")
    publish_event(
        system.amqp_url, _status(filed, RequestStatus.RESOLVED, datetime.now(UTC) - timedelta(days=1))
    )
    scheduled = eventually(lambda: _stored(system, code).get("erase_contact_after"))
    assert scheduled > datetime.now(UTC) + timedelta(days=360)
    publish_event(system.amqp_url, _status(filed, RequestStatus.REOPENED, datetime.now(UTC)))
    eventually(lambda: _stored(system, code)["status"] == "reopened")
    assert "erase_contact_after" not in _stored(system, code)
    assert _stored(system, code)["citizen"]["mobile"] == "+989141234567"
