from datetime import UTC, date, datetime, timedelta

import pytest

from consultation.domain.lifecycle import (
    CLOSING_SOON,
    Actor,
    Consultation,
    Refusal,
    Status,
    approve,
    begin_revision,
    close,
    extend,
    issue,
    open_for_comment,
    reopen,
    withdraw,
)
from consultation.domain.schedule import due_events

AUTHOR = Actor(id="staff-author", roles=frozenset({"author"}))
APPROVER = Actor(id="staff-approver", roles=frozenset({"approver"}))
OPENED_AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CLOSES_AT = datetime(2026, 12, 8, 20, 29, 59, 999999, tzinfo=UTC)


def draft() -> Consultation:
    return Consultation(id="d-1", author=AUTHOR.id)


def opened() -> Consultation:
    approved = approve(draft(), APPROVER, OPENED_AT, version=1).state
    return open_for_comment(approved, APPROVER, OPENED_AT).state


def closed() -> Consultation:
    return close(opened(), CLOSES_AT + timedelta(microseconds=1)).state


def test_the_author_cannot_approve_their_own_draft() -> None:
    author_and_approver = Actor(id=AUTHOR.id, roles=frozenset({"author", "approver"}))
    with pytest.raises(Refusal) as refused:
        approve(draft(), author_and_approver, OPENED_AT, version=1)
    assert refused.value.code == "self_approval"


def test_approval_records_the_consulted_version_and_an_audit_entry() -> None:
    step = approve(draft(), APPROVER, OPENED_AT, version=3)
    assert step.state.status is Status.APPROVED and step.state.consulted_version == 3
    assert (step.audit.actor, step.audit.from_state, step.audit.to_state) == (
        APPROVER.id,
        "draft",
        "approved",
    )
    assert step.state.revision == 1 and step.previous.revision == 0


def test_opening_schedules_fourteen_tehran_days_and_emits_opened() -> None:
    approved = approve(draft(), APPROVER, OPENED_AT, version=1).state
    step = open_for_comment(approved, APPROVER, OPENED_AT)
    assert step.events == ("consultation.opened.v1",)
    assert step.state.windows[0].closes_at == CLOSES_AT


def test_a_shorter_window_is_refused_quoting_the_rule_in_both_languages() -> None:
    approved = approve(draft(), APPROVER, OPENED_AT, version=1).state
    with pytest.raises(Refusal) as refused:
        open_for_comment(approved, APPROVER, OPENED_AT, days=13)
    assert "at least 14 calendar days" in str(refused.value)
    assert "دست‌کم 14 روز" in str(refused.value) and "۲۳:۵۹:۵۹" in str(refused.value)


@pytest.mark.parametrize(
    ("make", "step"),
    [
        (draft, lambda s: open_for_comment(s, APPROVER, OPENED_AT)),
        (opened, lambda s: approve(s, APPROVER, OPENED_AT, 1)),
        (opened, lambda s: issue(s, APPROVER, OPENED_AT, 2, 0)),
        (opened, lambda s: reopen(s, APPROVER, OPENED_AT, "again")),
        (draft, lambda s: close(s, OPENED_AT)),
    ],
)
def test_illegal_transitions_are_refused(make, step) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as refused:
        step(make())
    assert refused.value.code == "illegal_transition"


def test_a_role_without_the_right_is_refused() -> None:
    approved = approve(draft(), APPROVER, OPENED_AT, version=1).state
    with pytest.raises(Refusal) as refused:
        open_for_comment(approved, AUTHOR, OPENED_AT)
    assert refused.value.code == "forbidden"


def test_extension_needs_a_reason_and_a_later_close_and_is_logged() -> None:
    state = opened()
    with pytest.raises(Refusal):
        extend(state, APPROVER, OPENED_AT, date(2026, 12, 12), reason="  ")
    with pytest.raises(Refusal):
        extend(state, APPROVER, OPENED_AT, date(2026, 12, 8), reason="late")
    step = extend(state, APPROVER, OPENED_AT, date(2026, 12, 12), reason="تعطیلات")
    window = step.state.windows[-1]
    assert window.closes_at == datetime(2026, 12, 12, 20, 29, 59, 999999, tzinfo=UTC)
    assert window.extensions[0].previous_closes_at == CLOSES_AT and step.audit.reason == "تعطیلات"
    assert step.events == ("consultation.extended.v1",)


def test_extension_after_the_close_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        extend(opened(), APPROVER, CLOSES_AT + timedelta(seconds=1), date(2026, 12, 20), reason="late")
    assert refused.value.code == "already_closed"


def test_closing_before_the_last_moment_is_refused() -> None:
    with pytest.raises(Refusal):
        close(opened(), CLOSES_AT)
    assert closed().status is Status.CLOSED


def test_reopening_adds_a_new_logged_window() -> None:
    at = CLOSES_AT + timedelta(days=2)
    step = reopen(closed(), APPROVER, at, reason="نظرهای دیرهنگام")
    assert [window.number for window in step.state.windows] == [1, 2]
    assert step.state.windows[1].reason == "نظرهای دیرهنگام" and step.audit.action == "reopen"


def test_issuing_is_refused_while_anything_is_unanswered() -> None:
    revising = begin_revision(closed(), AUTHOR, CLOSES_AT + timedelta(days=1)).state
    with pytest.raises(Refusal) as refused:
        issue(revising, APPROVER, CLOSES_AT + timedelta(days=3), final_version=2, unanswered=1)
    assert refused.value.code == "unanswered_comments"
    step = issue(revising, APPROVER, CLOSES_AT + timedelta(days=3), final_version=2, unanswered=0)
    assert step.state.status is Status.FINAL and step.events == ("consultation.finalized.v1",)


def test_withdrawal_cuts_the_open_window_short() -> None:
    at = OPENED_AT + timedelta(days=1)
    step = withdraw(opened(), AUTHOR, at, reason="منسوخ")
    assert step.state.status is Status.WITHDRAWN and step.state.windows[-1].closes_at == at
    with pytest.raises(Refusal):
        withdraw(step.state, AUTHOR, at, reason="again")


def test_closing_soon_is_due_48_hours_before_close_once() -> None:
    state = opened()
    assert due_events(state, CLOSES_AT - timedelta(hours=48, microseconds=1), []) == []
    (soon,) = due_events(state, CLOSES_AT - timedelta(hours=48), [])
    assert soon.name == CLOSING_SOON
    assert due_events(state, CLOSES_AT, [soon.marker]) == []


def test_after_the_close_the_close_is_due_and_a_stale_warning_is_not() -> None:
    (due,) = due_events(opened(), CLOSES_AT + timedelta(microseconds=1), [])
    assert due.name == "consultation.closed.v1"
    assert due_events(closed(), CLOSES_AT + timedelta(days=1), []) == []


def test_an_extension_warns_again_for_its_new_close() -> None:
    state = opened()
    (first,) = due_events(state, CLOSES_AT - timedelta(hours=1), [])
    longer = extend(state, APPROVER, CLOSES_AT - timedelta(hours=1), date(2026, 12, 12), "x").state
    (second,) = due_events(longer, datetime(2026, 12, 11, 12, tzinfo=UTC), [first.marker])
    assert second.marker != first.marker
