"""The campaign's judge on made-up snapshots: it must see every loss, duplicate and stray message."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from pishkhan_chaos.broker import DeadLetter, Depth
from pishkhan_chaos.checks import POISON_QUEUE, ROUTED, SUBMITTED, Snapshot, judge
from pishkhan_chaos.load import Comment, Filing, JobFault, Ledger, Outcome

pytestmark = pytest.mark.unit

MARKER = "chaos:s1:n1"


def _filing(kind: str = "plain", outcome: Outcome = Outcome.ACCEPTED) -> Filing:
    return Filing(MARKER, "native", kind=kind, outcome=outcome, tracking_code="100000000009")


def _request(statuses: list[str]) -> dict[str, Any]:
    return {
        "request_id": "r-1",
        "description": f"x [{MARKER}]",
        "timeline": [{"status": s} for s in statuses],
    }


def _notified(*events: str, times: int = 1) -> dict[str, Counter[tuple[str, str, str]]]:
    return {"r-1": Counter({(event, "mobile", "sms"): times for event in events})}


def _snapshot(**overrides: Any) -> Snapshot:
    base: dict[str, Any] = {
        "requests": {MARKER: [_request(["submitted", "routed"])]},
        "cases": Counter({"r-1": 1}),
        "notifications": _notified(SUBMITTED, ROUTED),
        "comments": Counter(),
        "outboxes": [],
        "depths": {"routing.request-submitted": Depth(0, 0), POISON_QUEUE: Depth(0, 0)},
        "dead_letters": [],
    }
    return Snapshot(**(base | overrides))


def _ledger(*items: Filing | Comment) -> Ledger:
    ledger = Ledger()
    for item in items:
        ledger.add(item)
    return ledger


def test_a_request_that_flowed_once_passes() -> None:
    verdict = judge(_ledger(_filing()), _snapshot())
    assert verdict.passed, verdict.problems()
    assert verdict.accepted == 1


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"requests": {}}, "lost"),
        ({"cases": Counter()}, "lost"),
        ({"requests": {MARKER: [_request(["submitted"])]}}, "lost"),
        ({"notifications": _notified(SUBMITTED)}, "lost"),
        ({"requests": {MARKER: [_request(["submitted"]), _request(["submitted"])]}}, "duplicated"),
        ({"cases": Counter({"r-1": 2})}, "duplicated"),
        ({"requests": {MARKER: [_request(["submitted", "routed", "routed"])]}}, "duplicated"),
        ({"notifications": _notified(SUBMITTED, ROUTED, times=2)}, "duplicated"),
    ],
)
def test_every_loss_and_duplicate_is_seen(overrides: dict[str, Any], kind: str) -> None:
    verdict = judge(_ledger(_filing()), _snapshot(**overrides))
    assert getattr(verdict, kind), verdict.problems()
    assert not verdict.passed


def test_a_503_that_stored_something_is_half_stored() -> None:
    verdict = judge(_ledger(_filing(outcome=Outcome.UNAVAILABLE)), _snapshot())
    assert verdict.half_stored and not verdict.passed


def test_an_unanswered_call_may_have_stored_once_and_must_then_flow() -> None:
    assert judge(_ledger(_filing(outcome=Outcome.IN_DOUBT)), _snapshot(requests={})).passed
    verdict = judge(_ledger(_filing(outcome=Outcome.IN_DOUBT)), _snapshot(cases=Counter()))
    assert verdict.in_doubt_stored == 1 and verdict.lost


def _poison_letter(reason: str = "InjectedFault: poison message") -> DeadLetter:
    body = json.dumps({"payload": {"description": f"x [{MARKER}] poison-marker"}})
    return DeadLetter(POISON_QUEUE, body, {"x-pishkhan-error": reason})


def test_a_poison_request_waits_in_the_dead_letter_queue_exactly_once() -> None:
    poison = _snapshot(
        requests={MARKER: [_request(["submitted"])]},
        cases=Counter(),
        notifications=_notified(SUBMITTED),
        depths={POISON_QUEUE: Depth(1, 0)},
    )
    assert judge(_ledger(_filing("poison")), replace(poison, dead_letters=[_poison_letter()])).passed
    assert not judge(_ledger(_filing("poison")), poison).passed, "missing from the dead-letter queue"
    twice = replace(poison, dead_letters=[_poison_letter(), _poison_letter()])
    assert not judge(_ledger(_filing("poison")), twice).passed, "one delivery dead-lettered twice"
    again = _poison_letter()
    again.headers["x-pishkhan-attempts"] = 6  # redelivered after the ack of the first was lost
    redelivered = replace(poison, dead_letters=[_poison_letter(), again])
    assert judge(_ledger(_filing("poison")), redelivered).passed
    no_reason = replace(poison, dead_letters=[_poison_letter("")])
    assert not judge(_ledger(_filing("poison")), no_reason).passed


def test_a_message_left_in_a_queue_or_an_outbox_is_not_settled() -> None:
    stuck = _snapshot(depths={"notify.request-routed": Depth(0, 1)})
    assert not judge(_ledger(_filing()), stuck).settled
    assert not judge(_ledger(_filing()), _snapshot(outboxes=["intake.requests: 1"])).settled


def test_a_comment_with_a_receipt_must_be_stored() -> None:
    comment = Comment(f"نظر [{MARKER}]", Outcome.ACCEPTED, "R-1")
    assert judge(_ledger(comment), _snapshot(requests={}, comments=Counter({MARKER: 1}))).passed
    assert judge(_ledger(comment), _snapshot(requests={})).lost


def test_each_open_consultation_is_announced_once_per_subscriber() -> None:
    ledger = _ledger()
    ledger.opened_draft = "d-2"
    drafts = {"d-1": "open", "d-2": "open", "d-3": "draft"}
    announced = Counter({("e-1", "mobile", "sms"): 1, ("e-2", "mobile", "sms"): 1})
    assert judge(ledger, _snapshot(requests={}, drafts=drafts, announcements=announced)).passed
    assert judge(
        ledger, _snapshot(requests={}, drafts=drafts, announcements=Counter({("e-1", "m", "sms"): 1}))
    ).lost
    twice = announced | Counter({("e-2", "mobile", "sms"): 2})
    assert judge(ledger, _snapshot(requests={}, drafts=drafts, announcements=twice)).duplicated
    assert judge(
        ledger, _snapshot(requests={}, drafts=drafts | {"d-2": "draft"}, announcements=announced)
    ).lost


def test_any_other_dead_letter_is_a_problem_with_its_reason() -> None:
    body = json.dumps({"payload": {"request_id": "r-9"}})
    stray = DeadLetter("notify.request-routed.dlq", body, {"x-pishkhan-error": "RecipientNotKnownYet: r-9"})
    shot = _snapshot(depths={"notify.request-routed.dlq": Depth(1, 0)}, dead_letters=[stray])
    verdict = judge(_ledger(_filing()), shot)
    assert not verdict.settled
    assert "RecipientNotKnownYet" in verdict.dead_letter_problems[0]


def _malformed(queue: str, n: int, reason: str = "empty body", attempt: int = 1) -> DeadLetter:
    headers = {"x-pishkhan-error": reason, "x-pishkhan-attempts": attempt}
    return DeadLetter(queue, "", headers, f"malformed-1-abc-1-empty-{n}")


def test_each_malformed_message_is_dead_lettered_once_in_every_queue_it_reached() -> None:
    ledger = _ledger(_filing())
    ledger.malformed_prefix = "malformed-1-abc-"
    queue = "notify.office-updated.dlq"
    letters = [_malformed(queue, n) for n in range(3)]
    ledger.malformed[queue] = {letter.message_id for letter in letters[:2]}
    ledger.malformed_maybe[queue] = {letters[2].message_id}  # sent as the broker went away
    verdict = judge(ledger, _snapshot(dead_letters=letters))
    assert verdict.passed, verdict.problems()
    assert (verdict.dead_lettered, verdict.poison_expected) == (3, 2)
    assert judge(ledger, _snapshot(dead_letters=letters[:2])).passed, "a maybe may be missing"

    missing = judge(ledger, _snapshot(dead_letters=letters[1:]))
    assert any("1 malformed message(s) not dead-lettered" in p for p in missing.problems())
    twice = judge(ledger, _snapshot(dead_letters=[*letters, letters[0]]))
    assert not twice.settled, "one delivery dead-lettered twice"
    redelivered = judge(ledger, _snapshot(dead_letters=[*letters, _malformed(queue, 0, attempt=2)]))
    assert redelivered.passed, "a delivery whose ack a broker fault lost is dead-lettered again"
    stray = judge(ledger, _snapshot(dead_letters=[*letters, _malformed(queue, 9)]))
    assert any("1 unexpected malformed" in p for p in stray.problems())
    silent = judge(ledger, _snapshot(dead_letters=[*letters[1:], _malformed(queue, 0, "")]))
    assert any("without a reason" in p for p in silent.problems())


def test_a_consumer_queue_still_holding_messages_is_a_stall() -> None:
    depths = {"notify.request-submitted": Depth(0, 100)}
    verdict = judge(_ledger(_filing()), _snapshot(depths=depths))
    assert verdict.stalled and not verdict.settled
    assert not judge(_ledger(_filing()), _snapshot()).stalled


def test_a_job_made_to_fail_must_be_seen_failing_and_then_recover() -> None:
    ledger = _ledger(_filing())
    ledger.job_faults.append(JobFault("notify", "outbox-sweeper", seen_failing=True))
    recovered = judge(ledger, _snapshot(failing_jobs={"notify": []}))
    assert recovered.passed and (recovered.jobs_failed, recovered.jobs_recovered) == (1, 1)
    still = judge(ledger, _snapshot(failing_jobs={"notify": ["outbox-sweeper"]}))
    assert not still.settled and (still.jobs_failed, still.jobs_recovered) == (1, 0)
    ledger.job_faults[0].seen_failing = False
    unseen = judge(ledger, _snapshot(failing_jobs={"notify": []}))
    assert any("never named on /readyz" in p for p in unseen.problems())


def test_a_calendar_save_that_was_refused_fails_the_run() -> None:
    ledger = _ledger(_filing())
    ledger.calendar_saves += [200, 409]
    verdict = judge(ledger, _snapshot())
    assert verdict.settled and not verdict.passed
    assert any("calendar save answered 409" in p for p in verdict.problems())
