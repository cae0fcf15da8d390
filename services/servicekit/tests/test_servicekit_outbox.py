from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from contracts import RequestRoutedV1, RequestStatus, RequestStatusChangedV1
from servicekit.context import correlation_id_var
from servicekit.outbox import _staged_at, envelopes, push

NOW = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)


def routed(tracking_code: str) -> RequestRoutedV1:
    return RequestRoutedV1(
        request_id=f"r-{tracking_code}",
        tracking_code=tracking_code,
        unit_id="roads-1",
        unit_name_fa="واحد راه",
        unit_name_en="Roads",
        rule_id=None,
        routed_at=NOW,
    )


def changed(tracking_code: str) -> RequestStatusChangedV1:
    return RequestStatusChangedV1(
        request_id=f"r-{tracking_code}",
        tracking_code=tracking_code,
        status=RequestStatus.IN_PROGRESS,
        previous_status=RequestStatus.ROUTED,
        changed_at=NOW,
    )


def test_envelopes_wrap_under_the_current_correlation_id() -> None:
    token = correlation_id_var.set("corr-7")
    try:
        wrapped = envelopes("routing", routed("100000000001"), changed("100000000001"))
    finally:
        correlation_id_var.reset(token)
    assert [event["type"] for event in wrapped] == ["request.routed.v1", "request.status_changed.v1"]
    assert all(event["correlation_id"] == "corr-7" for event in wrapped)
    assert all(event["producer"] == "routing" for event in wrapped)
    assert len({event["event_id"] for event in wrapped}) == 2
    assert wrapped[0]["payload"]["unit_name_fa"] == "واحد راه"
    assert wrapped[1]["payload"]["status"] == "in_progress"
    assert isinstance(wrapped[0]["event_id"], str)


def test_envelopes_outside_a_request_share_one_fresh_correlation_id() -> None:
    assert correlation_id_var.get() is None
    wrapped = envelopes("routing", routed("1"), routed("2"))
    assert wrapped[0]["correlation_id"] and wrapped[0]["correlation_id"] == wrapped[1]["correlation_id"]


def test_push_stages_every_event() -> None:
    events = [{"event_id": "a"}, {"event_id": "b"}]
    assert push(iter(events)) == {"outbox": {"$each": events}}
    assert push([]) == {"outbox": {"$each": []}}


def test_staged_at_is_the_newest_event() -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    document = {
        "_id": "x",
        "outbox": [
            {"occurred_at": "2026-11-24T08:00:00+00:00"},
            # 11:40 in Tehran is 08:10 UTC, the newest
            {"occurred_at": datetime(2026, 11, 24, 11, 40, tzinfo=tehran).isoformat()},
            {"occurred_at": "2026-11-24T08:05:00Z"},
        ],
    }
    assert _staged_at(document) == datetime(2026, 11, 24, 8, 10, tzinfo=UTC)


def test_staged_at_reads_stored_envelopes_and_treats_naive_times_as_utc() -> None:
    stored = envelopes("routing", routed("1"))
    assert _staged_at({"outbox": stored}) == datetime.fromisoformat(stored[0]["occurred_at"])
    staged = _staged_at({"outbox": [{"occurred_at": "2026-11-24T08:00:00"}]})
    assert staged == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
