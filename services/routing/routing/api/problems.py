"""Refusals of a step on a case → problem documents, each with the Persian a clerk reads."""

from __future__ import annotations

from routing.domain.cases import IllegalTransition, TransitionRefused
from routing.domain.sla import SlaClockError
from routing.work import CaseMovedMeanwhile, CaseNotFound, NotAllowed, UnknownUnit
from servicekit.errors import Problem

# Every refusal `CaseWork.act` may raise; each carries its own `message_fa`.
REFUSALS = (
    CaseNotFound,
    NotAllowed,
    IllegalTransition,
    SlaClockError,
    CaseMovedMeanwhile,
    TransitionRefused,
    UnknownUnit,
)


def case_not_found() -> Problem:
    return Problem(404, "not_found", "no such case in your units", detail_fa=CaseNotFound.message_fa)


def refusal_problem(error: Exception) -> Problem:
    match error:
        case CaseNotFound():
            return case_not_found()
        case NotAllowed():
            return Problem(403, "forbidden", str(error), detail_fa=error.message_fa)
        case IllegalTransition() | SlaClockError():
            return Problem(409, "illegal_transition", str(error), detail_fa=error.message_fa)
        case CaseMovedMeanwhile():
            detail = "the case changed meanwhile; reload it and try again"
            return Problem(409, "conflict", detail, detail_fa=error.message_fa)
        case TransitionRefused():
            return Problem(422, "step_refused", str(error), detail_fa=error.message_fa)
        case UnknownUnit():
            return Problem(422, "step_refused", f"no active unit {error}", detail_fa=error.message_fa)
    raise TypeError(f"not a refusal of a step: {error!r}")
