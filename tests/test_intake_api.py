"""Intake's native API as an office's software uses it, against the running system."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import httpx
import jdatetime
import pytest
from support import System, citizen_request, eventually, file_request, publish_event, read_request

from contracts import Envelope, RequestStatus, RequestStatusChangedV1

pytestmark = pytest.mark.e2e


def _post(system: System, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{system.url('intake')}/v1/requests", json=body, timeout=15, headers=system.office | (headers or {})
    )


def test_ten_concurrent_submissions_with_one_idempotency_key_create_one_request(system: System) -> None:
    key = str(uuid.uuid4())
    body = citizen_request()
    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda _: _post(system, body, {"Idempotency-Key": key}), range(10)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["tracking_code"] for r in responses}) == 1
    assert len({r.text for r in responses}) == 1

    def cases_for_marker() -> list[object]:
        queue = httpx.get(
            f"{system.url('routing')}/v1/queue", headers=system.staff(), params={"limit": 500}, timeout=10
        ).json()
        return [case for case in queue if case["description"] == body["description"]]

    eventually(cases_for_marker)
    assert len(cases_for_marker()) == 1


def test_an_idempotency_key_reused_with_another_body_is_a_conflict(system: System) -> None:
    key = str(uuid.uuid4())
    assert _post(system, citizen_request(), {"Idempotency-Key": key}).status_code == 201
    conflict = _post(system, citizen_request(), {"Idempotency-Key": key})
    assert conflict.status_code == 409
    assert conflict.json()["title"] == "idempotency_key_reused"


# (a blank or non-ASCII value no HTTP client sends: services/intake/tests/test_idempotency_key.py)
@pytest.mark.parametrize("key", ["", "short", "a b c d e f g h", "k" * 201])
def test_an_empty_or_malformed_idempotency_key_is_refused_and_files_nothing(system: System, key: str) -> None:
    body = citizen_request()
    refused = _post(system, body, {"Idempotency-Key": key})
    assert refused.status_code == 400, refused.text
    assert refused.json()["title"] == "bad_idempotency_key"
    assert "Idempotency-Key" in refused.json()["msg_fa"]
    # nothing was filed: the same body with a good key is a new request, and without a key too
    assert _post(system, body, {"Idempotency-Key": str(uuid.uuid4())}).status_code == 201


def test_wrong_content_type_and_oversized_bodies_are_refused(system: System) -> None:
    url = f"{system.url('intake')}/v1/requests"
    form = httpx.post(url, data={"service_code": "ARD-101"}, headers=system.office, timeout=10)
    assert form.status_code == 415
    huge = httpx.post(
        url,
        content=b'{"description": "' + b"a" * 200_000 + b'"}',
        timeout=10,
        headers=system.office | {"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["title"] == "payload_too_large"


def test_query_operators_in_input_are_only_data(system: System) -> None:
    response = _post(system, citizen_request(attributes={"pole_count": {"$gt": 0}}))
    assert response.status_code == 422
    filed = file_request(system, description='{"$where": "sleep(1000)"}')
    assert read_request(system, str(filed["tracking_code"]))["status"] in {"submitted", "routed"}


def _jalali_today() -> str:
    return str(jdatetime.date.fromgregorian(date=datetime.now(UTC).date()).strftime("%Y/%m/%d"))


def test_a_discount_in_force_today_is_applied_and_audited(system: System) -> None:
    today = _jalali_today()
    rule = {
        "rule_id": f"teachers-{uuid.uuid4().hex[:6]}",
        "name_fa": "روز معلم",
        "group": "teacher",
        "percent": 20,
        "valid_from": today,
        "valid_to": today,
        "services": ["ARD-201"],
    }
    put = httpx.put(
        f"{system.url('intake')}/v1/discount-rules/{rule['rule_id']}",
        json=rule,
        timeout=10,
        headers=system.staff(),
    )
    assert put.status_code == 200, put.text

    claimed = _post(
        system,
        citizen_request(service_code="ARD-201", discount={"group": "teacher", "proof_reference": "T-12"}),
    )
    assert claimed.status_code == 201, claimed.text
    fee = claimed.json()["fee"]
    assert (fee["base_rials"], fee["total_rials"], fee["claim"]) == (1_500_000, 1_200_000, "applied")
    assert fee["discounts"][0]["rule_id"] == rule["rule_id"]

    no_proof = _post(system, citizen_request(service_code="ARD-201", discount={"group": "teacher"})).json()
    assert no_proof["fee"]["total_rials"] == 1_500_000
    assert no_proof["fee"]["claim"] == "this discount requires a proof reference"

    stored = read_request(system, claimed.json()["tracking_code"])
    assert stored["discount_claim"] == {"group": "teacher", "proof_reference": "T-12"}

    receipt = httpx.get(
        f"{system.url('intake')}/v1/requests/{claimed.json()['tracking_code']}/receipt",
        headers=system.office,
        timeout=10,
    )
    assert receipt.status_code == 200
    assert 'dir="rtl"' in receipt.text
    assert "۱٬۲۰۰٬۰۰۰ ریال" in receipt.text
    assert "روز معلم" in receipt.text


def test_open_requests_nearby_are_flagged_as_possible_duplicates(system: System) -> None:
    here = {"lat": 38.2611, "long": 48.2977}
    first = file_request(system, location=here)
    nearby = {"lat": 38.2612, "long": 48.2978}  # about 14 m away
    second = file_request(system, location=nearby)
    far = file_request(system, location={"lat": 38.2700, "long": 48.2977})  # about 1 km away
    assert first["tracking_code"] in second["possible_duplicates"]
    assert first["tracking_code"] not in far["possible_duplicates"]

    eventually(lambda: read_request(system, str(first["tracking_code"]))["status"] == "routed")
    resolved = RequestStatusChangedV1(
        request_id=str(first["request_id"]),
        tracking_code=str(first["tracking_code"]),
        status=RequestStatus.RESOLVED,
        previous_status=RequestStatus.ROUTED,
        changed_at=datetime.now(UTC),
    )
    publish_event(
        system.amqp_url, Envelope.wrap(resolved, producer="routing", correlation_id="dup").to_document()
    )
    eventually(lambda: read_request(system, str(first["tracking_code"]))["status"] == "resolved")
    third = file_request(system, location=here)
    assert first["tracking_code"] not in third["possible_duplicates"], "a resolved request is no duplicate"
    assert second["tracking_code"] in third["possible_duplicates"]


def _office(system: System, code: str, **overrides: object) -> str:
    office = {
        "code": code,
        "name_fa": "دفتر آزمایشی",
        "district": "2",
        "licence_number": "T-1",
        "licence_valid_until": (date.today() + timedelta(days=30)).isoformat(),
    } | overrides
    admin = system.staff()
    assert (
        httpx.put(
            f"{system.url('intake')}/v1/offices/{code}", json=office, headers=admin, timeout=10
        ).status_code
        == 200
    )
    key = httpx.post(f"{system.url('intake')}/v1/offices/{code}/keys", headers=admin, timeout=10).json()
    return str(key["api_key"])


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"status": "suspended"}, "office_suspended"),
        ({"licence_valid_until": (date.today() - timedelta(days=1)).isoformat()}, "licence_expired"),
        ({"services": ["ARD-201"]}, "service_not_licensed"),
    ],
)
def test_an_office_that_may_not_file_gets_403_with_the_reason(
    system: System, overrides: dict[str, object], problem: str
) -> None:
    key = _office(system, f"T-{uuid.uuid4().hex[:6]}", **overrides)
    refused = _post(system, citizen_request(), {"X-Api-Key": key})
    assert refused.status_code == 403
    assert refused.json()["title"] == problem


def test_another_office_cannot_read_a_request_and_revoked_keys_stop_working(system: System) -> None:
    filed = file_request(system)
    code = f"T-{uuid.uuid4().hex[:6]}"
    key = _office(system, code)
    other = httpx.get(
        f"{system.url('intake')}/v1/requests/{filed['tracking_code']}", headers={"X-Api-Key": key}, timeout=10
    )
    assert other.status_code == 404

    second_key = httpx.post(
        f"{system.url('intake')}/v1/offices/{code}/keys", headers=system.staff(), timeout=10
    ).json()
    assert _post(system, citizen_request(), {"X-Api-Key": second_key["api_key"]}).status_code == 201
    revoke = httpx.delete(
        f"{system.url('intake')}/v1/offices/{code}/keys/{second_key['key_id']}",
        headers=system.staff(),
        timeout=10,
    )
    assert revoke.status_code == 204
    assert _post(system, citizen_request(), {"X-Api-Key": second_key["api_key"]}).status_code == 401
    assert _post(system, citizen_request(), {"X-Api-Key": key}).status_code == 201


def test_citizens_track_with_the_mobile_check_and_see_no_personal_data(system: System) -> None:
    filed = file_request(system)
    code = str(filed["tracking_code"])
    eventually(lambda: read_request(system, code)["status"] == "routed")
    persian_code = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    seen = httpx.get(f"{system.url('intake')}/v1/track/{persian_code}", params={"last4": "۴۵۶۷"}, timeout=10)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert view["status"] == "routed"
    assert view["unit_name_fa"] == "معاونت خدمات شهری منطقه یک"
    for private in ("0499370899", "4567", "مریم", "citizen", "national_id", "mobile"):
        assert private not in seen.text

    wrong_check = httpx.get(f"{system.url('intake')}/v1/track/{code}", params={"last4": "0000"}, timeout=10)
    wrong_code = httpx.get(
        f"{system.url('intake')}/v1/track/{code[:-1]}{(int(code[-1]) + 1) % 10}",
        params={"last4": "4567"},
        timeout=10,
    )
    assert wrong_check.status_code == wrong_code.status_code == 404
    assert wrong_check.json() == wrong_code.json()


def test_tracking_lookups_are_rate_limited(system: System) -> None:
    code = str(file_request(system)["tracking_code"])
    statuses = [
        httpx.get(f"{system.url('intake')}/v1/track/{code}", params={"last4": "0000"}, timeout=10).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[-1] == 429
