"""Every refusal of routing says in Persian why, in the words a clerk reads; a new refusal
without its Persian fails here."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import routing
from contracts import RequestStatus as S
from routing.api.problems import REFUSALS, refusal_problem
from routing.domain.cases import (
    ILLEGAL_FA,
    REASON_FA,
    STEPS,
    Action,
    IllegalTransition,
    TransitionRefused,
    plan_step,
)
from routing.domain.sla import ClockAlreadyPaused, ClockNotPaused, ClockWentBack, SlaClockError
from routing.store.repository import CaseExists
from routing.work import CaseMovedMeanwhile, CaseNotFound, NotAllowed, UnknownUnit

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def is_persian(text: str) -> bool:
    """Persian letters (ی and ک, not the Arabic ي and ك), and no Latin outside «quoted» codes."""
    bare = re.sub(r"«[^»]*»", "", text)
    return bool(re.search("[\u0600-\u06ff]{3}", bare)) and not re.search("[A-Za-zيك]", bare)


@pytest.mark.parametrize(
    ("action", "current", "message_fa"),
    [
        (Action.ACCEPT, S.ACCEPTED, "این درخواست قبلاً پذیرفته شده است"),
        (Action.ACCEPT, S.IN_PROGRESS, "این درخواست قبلاً پذیرفته شده است"),
        (Action.START, S.ROUTED, "نخست این درخواست را بپذیرید"),
        (Action.START, S.IN_PROGRESS, "رسیدگی به این درخواست قبلاً آغاز شده است"),
        (Action.RESOLVE, S.RESOLVED, "به این درخواست قبلاً رسیدگی شده است"),
        (Action.RESOLVE, S.ON_HOLD, "این درخواست در انتظار پاسخ شهروند است؛ پس از ثبت پاسخ او ادامه دهید"),
        (Action.REJECT, S.REJECTED, "این درخواست قبلاً رد شده است"),
        (Action.CITIZEN_REPLIED, S.IN_PROGRESS, "این درخواست در انتظار پاسخ شهروند نیست"),
        (Action.ACCEPT, S.CLOSED, "پرونده این درخواست بسته شده است و دیگر کاری روی آن انجام نمی‌شود"),
        (Action.CLOSE, S.CLOSED, "پرونده این درخواست قبلاً بسته شده است"),
        (Action.CLOSE, S.IN_PROGRESS, "پرونده را پس از رسیدگی به درخواست یا رد آن می‌توان بست"),
        (Action.ACCEPT, S.SUBMITTED, "این درخواست هنوز به واحدی ارجاع نشده است"),
    ],
)
def test_an_illegal_step_says_why_from_where_the_case_stands(
    action: Action, current: S, message_fa: str
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        plan_step(action, current, reason="دلیل", now=NOW)
    assert refused.value.message_fa == message_fa


@pytest.mark.parametrize("action", list(Action))
def test_every_illegal_step_has_its_own_persian_reason(action: Action) -> None:
    for current in set(S) - STEPS[action].sources:
        message_fa = IllegalTransition(current, action).message_fa
        assert is_persian(message_fa), (action, current)
        assert message_fa != ILLEGAL_FA, f"no specific Persian for '{action}' from {current}"


@pytest.mark.parametrize("action", [a for a, step in STEPS.items() if step.needs_reason])
def test_a_missing_reason_is_asked_for_in_persian(action: Action) -> None:
    assert action in REASON_FA
    with pytest.raises(TransitionRefused) as refused:
        plan_step(action, next(iter(STEPS[action].sources)), reason=" ", now=NOW, resolved_at=NOW)
    assert refused.value.message_fa == REASON_FA[action]
    assert is_persian(refused.value.message_fa)


def test_a_late_reopening_names_the_window_in_persian_digits() -> None:
    with pytest.raises(TransitionRefused) as refused:
        plan_step(
            Action.REOPEN,
            S.RESOLVED,
            reason="هنوز خراب است",
            now=NOW,
            resolved_at=NOW - timedelta(days=31),
            reopen_within=timedelta(days=30),
        )
    assert refused.value.message_fa == "درخواست را فقط تا ۳۰ روز پس از رسیدگی می‌توان دوباره باز کرد"


# One of each refusal routing can raise, with the status a clerk's client gets for it.
SAMPLES: dict[type[Exception], tuple[Exception, int]] = {
    CaseNotFound: (CaseNotFound("r-1"), 404),
    NotAllowed: (NotAllowed("only a supervisor may reassign a case", "فقط سرپرست"), 403),
    IllegalTransition: (IllegalTransition(S.ACCEPTED, Action.ACCEPT), 409),
    SlaClockError: (SlaClockError("the SLA clock cannot do that"), 409),
    ClockAlreadyPaused: (ClockAlreadyPaused(), 409),
    ClockNotPaused: (ClockNotPaused(), 409),
    ClockWentBack: (ClockWentBack(NOW, NOW + timedelta(minutes=1)), 409),
    CaseMovedMeanwhile: (CaseMovedMeanwhile("r-1"), 409),
    TransitionRefused: (TransitionRefused("'resolve' needs a reason", REASON_FA[Action.RESOLVE]), 422),
    UnknownUnit: (UnknownUnit("d9-nowhere"), 422),
}
# Raised in routing but never answered to a person: a redelivered request is simply done.
NOT_REFUSALS: set[type[Exception]] = {CaseExists}


def _exceptions_defined_in_routing() -> set[type[Exception]]:
    found: set[type[Exception]] = set()
    for module_info in pkgutil.walk_packages(routing.__path__, "routing."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Exception) and cls.__module__ == module.__name__:
                found.add(cls)
    return found


def test_every_exception_routing_defines_is_a_refusal_with_persian_or_named_as_internal() -> None:
    defined = _exceptions_defined_in_routing()
    unlisted = sorted(f"{cls.__module__}.{cls.__name__}" for cls in defined - NOT_REFUSALS - set(SAMPLES))
    # a new refusal: give it a `message_fa`, answer it in routing/api/problems.py, add it to SAMPLES
    # (or, if no person is ever told of it, to NOT_REFUSALS)
    assert unlisted == [], "refusals without Persian"
    assert set(SAMPLES) <= defined
    assert all(issubclass(cls, REFUSALS) for cls in SAMPLES)


@pytest.mark.parametrize("kind", list(SAMPLES), ids=lambda kind: kind.__name__)
def test_each_refusal_becomes_a_4xx_with_its_persian(kind: type[Exception]) -> None:
    error, status = SAMPLES[kind]
    problem = refusal_problem(error)
    assert problem.status == status
    assert problem.detail and problem.code
    assert problem.detail_fa == error.message_fa  # type: ignore[attr-defined]
    assert is_persian(problem.detail_fa)


def _problem_calls_without_persian(path: Path) -> list[str]:
    missing = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
            keywords = {keyword.arg for keyword in node.keywords}
            if "detail_fa" not in keywords:
                missing.append(f"{path.name}:{node.lineno}")
    return missing


def test_every_problem_routing_raises_carries_persian() -> None:
    sources = sorted(Path(routing.__file__).parent.rglob("*.py"))
    assert any("Problem(" in path.read_text() for path in sources)
    assert [where for path in sources for where in _problem_calls_without_persian(path)] == []
