"""The work on a case: what unit staff may do, from which status, and what the citizen is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts import RequestStatus

S = RequestStatus
OPEN = frozenset({S.SUBMITTED, S.ROUTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD, S.REOPENED})


class Action(StrEnum):
    ACCEPT = "accept"
    START = "start"
    ASK_CITIZEN = "ask_citizen"
    CITIZEN_REPLIED = "citizen_replied"
    RESOLVE = "resolve"
    REJECT = "reject"
    NOT_OURS = "not_ours"
    REASSIGN = "reassign"
    REOPEN = "reopen"
    CLOSE = "close"


@dataclass(frozen=True)
class Step:
    sources: frozenset[RequestStatus]
    target: RequestStatus
    note_fa: str
    needs_reason: bool = False


STEPS: dict[Action, Step] = {
    Action.ACCEPT: Step(frozenset({S.ROUTED, S.REOPENED}), S.ACCEPTED, "درخواست شما توسط {unit} پذیرفته شد."),
    Action.START: Step(frozenset({S.ACCEPTED}), S.IN_PROGRESS, "رسیدگی به درخواست شما آغاز شد."),
    Action.ASK_CITIZEN: Step(
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        S.ON_HOLD,
        "برای ادامه رسیدگی به اطلاعات بیشتری از شما نیاز است: {reason}",
        needs_reason=True,
    ),
    Action.CITIZEN_REPLIED: Step(
        frozenset({S.ON_HOLD}), S.IN_PROGRESS, "پاسخ شما دریافت شد و رسیدگی ادامه دارد."
    ),
    Action.RESOLVE: Step(
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        S.RESOLVED,
        "به درخواست شما رسیدگی شد: {reason}",
        needs_reason=True,
    ),
    Action.REJECT: Step(
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}),
        S.REJECTED,
        "درخواست شما قابل انجام نیست: {reason}",
        needs_reason=True,
    ),
    Action.NOT_OURS: Step(
        frozenset({S.ROUTED, S.ACCEPTED, S.IN_PROGRESS}),
        S.ROUTED,
        "درخواست شما به {unit} ارجاع شد.",
        needs_reason=True,
    ),
    Action.REASSIGN: Step(
        frozenset({S.SUBMITTED, S.ROUTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD, S.REOPENED}),
        S.ROUTED,
        "درخواست شما به {unit} ارجاع شد.",
        needs_reason=True,
    ),
    Action.REOPEN: Step(
        frozenset({S.RESOLVED, S.REJECTED}), S.REOPENED, "درخواست شما دوباره باز شد.", needs_reason=True
    ),
    Action.CLOSE: Step(frozenset({S.RESOLVED, S.REJECTED}), S.CLOSED, "پرونده درخواست شما بسته شد."),
}

MOVES_UNIT = frozenset({Action.NOT_OURS, Action.REASSIGN})


class IllegalTransition(ValueError):
    def __init__(self, current: RequestStatus, action: Action) -> None:
        super().__init__(f"a case that is {current} cannot be given '{action}'")
        self.current = current
        self.action = action


class TransitionRefused(ValueError):
    """The step exists from this status but its conditions are not met."""


def plan_step(
    action: Action,
    current: RequestStatus,
    *,
    reason: str,
    now: datetime,
    resolved_at: datetime | None = None,
    reopen_within: timedelta = timedelta(days=30),
) -> Step:
    """The step `action` takes from `current`, or why it can't; nothing is changed here."""
    step = STEPS[action]
    if current not in step.sources:
        raise IllegalTransition(current, action)
    if step.needs_reason and not reason.strip():
        raise TransitionRefused(f"'{action}' needs a reason")
    if action is Action.REOPEN and (resolved_at is None or now - resolved_at > reopen_within):
        raise TransitionRefused(
            f"a case can be reopened only within {reopen_within.days} days of its resolution"
        )
    return step


def citizen_note(step: Step, *, unit_name_fa: str, reason: str) -> str:
    return step.note_fa.format(unit=unit_name_fa, reason=reason.strip())
