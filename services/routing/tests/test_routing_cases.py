from datetime import UTC, datetime, timedelta

import pytest

from contracts import RequestStatus as S
from routing.domain.cases import STEPS, Action, IllegalTransition, TransitionRefused, citizen_note, plan_step

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "current", "target"),
    [
        (Action.ACCEPT, S.ROUTED, S.ACCEPTED),
        (Action.ACCEPT, S.REOPENED, S.ACCEPTED),
        (Action.START, S.ACCEPTED, S.IN_PROGRESS),
        (Action.ASK_CITIZEN, S.IN_PROGRESS, S.ON_HOLD),
        (Action.CITIZEN_REPLIED, S.ON_HOLD, S.IN_PROGRESS),
        (Action.RESOLVE, S.IN_PROGRESS, S.RESOLVED),
        (Action.REJECT, S.ACCEPTED, S.REJECTED),
        (Action.NOT_OURS, S.ROUTED, S.ROUTED),
        (Action.REASSIGN, S.ON_HOLD, S.ROUTED),
        (Action.CLOSE, S.RESOLVED, S.CLOSED),
    ],
)
def test_allowed_steps(action: Action, current: S, target: S) -> None:
    assert plan_step(action, current, reason="دلیل", now=NOW).target is target


@pytest.mark.parametrize(
    ("action", "current"),
    [
        (Action.START, S.ROUTED),  # accept first
        (Action.ACCEPT, S.ACCEPTED),  # a second clerk accepting what is taken
        (Action.RESOLVE, S.ROUTED),
        (Action.RESOLVE, S.RESOLVED),
        (Action.CITIZEN_REPLIED, S.IN_PROGRESS),
        (Action.NOT_OURS, S.RESOLVED),
        (Action.REOPEN, S.IN_PROGRESS),
        (Action.CLOSE, S.IN_PROGRESS),
        (Action.ACCEPT, S.CLOSED),
    ],
)
def test_stale_or_backward_steps_are_refused(action: Action, current: S) -> None:
    with pytest.raises(IllegalTransition):
        plan_step(action, current, reason="دلیل", now=NOW)


@pytest.mark.parametrize("action", [a for a, step in STEPS.items() if step.needs_reason])
def test_steps_that_need_a_reason_refuse_a_blank_one(action: Action) -> None:
    current = next(iter(STEPS[action].sources))
    with pytest.raises(TransitionRefused):
        plan_step(action, current, reason="   ", now=NOW, resolved_at=NOW)


def test_reopen_only_within_the_window() -> None:
    within = plan_step(
        Action.REOPEN,
        S.RESOLVED,
        reason="هنوز خراب است",
        now=NOW,
        resolved_at=NOW - timedelta(days=29),
        reopen_within=timedelta(days=30),
    )
    assert within.target is S.REOPENED
    with pytest.raises(TransitionRefused):
        plan_step(
            Action.REOPEN,
            S.RESOLVED,
            reason="هنوز خراب است",
            now=NOW,
            resolved_at=NOW - timedelta(days=31),
            reopen_within=timedelta(days=30),
        )


def test_the_citizen_note_is_persian_and_carries_the_reason() -> None:
    step = plan_step(Action.RESOLVE, S.IN_PROGRESS, reason=" لامپ تعویض شد ", now=NOW)
    assert citizen_note(step, unit_name_fa="واحد روشنایی", reason=" لامپ تعویض شد ") == (
        "به درخواست شما رسیدگی شد: لامپ تعویض شد"
    )
    accepted = plan_step(Action.ACCEPT, S.ROUTED, reason="", now=NOW)
    assert "واحد روشنایی" in citizen_note(accepted, unit_name_fa="واحد روشنایی", reason="")
