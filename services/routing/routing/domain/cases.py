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


FINISHED = frozenset({S.RESOLVED, S.REJECTED})
NOT_YET_ACCEPTED = frozenset({S.ROUTED, S.REOPENED})

# What the clerk reads when a step is refused: said from where the case stands.
ALREADY_FA: dict[Action, str] = {
    Action.ACCEPT: "این درخواست قبلاً پذیرفته شده است",
    Action.START: "رسیدگی به این درخواست قبلاً آغاز شده است",
    Action.ASK_CITIZEN: "این درخواست هم‌اکنون در انتظار پاسخ شهروند است",
    Action.RESOLVE: "به این درخواست قبلاً رسیدگی شده است",
    Action.REJECT: "این درخواست قبلاً رد شده است",
    Action.REOPEN: "این درخواست قبلاً دوباره باز شده است",
    Action.CLOSE: "پرونده این درخواست قبلاً بسته شده است",
}
CLOSED_FA = "پرونده این درخواست بسته شده است و دیگر کاری روی آن انجام نمی‌شود"
NOT_WAITING_FA = "این درخواست در انتظار پاسخ شهروند نیست"
STILL_OPEN_FA = "این درخواست هنوز باز است؛ فقط درخواستی را که رسیدگی یا رد شده است می‌توان دوباره باز کرد"
CLOSE_TOO_EARLY_FA = "پرونده را پس از رسیدگی به درخواست یا رد آن می‌توان بست"
FINISHED_FA = "کار این درخواست تمام شده است؛ اگر رسیدگی دوباره لازم است، آن را دوباره باز کنید"
ON_HOLD_FA = "این درخواست در انتظار پاسخ شهروند است؛ پس از ثبت پاسخ او ادامه دهید"
ACCEPT_FIRST_FA = "نخست این درخواست را بپذیرید"
NOT_ROUTED_FA = "این درخواست هنوز به واحدی ارجاع نشده است"
ILLEGAL_FA = "این کار در وضعیت کنونی این درخواست ممکن نیست"

REASON_FA: dict[Action, str] = {
    Action.ASK_CITIZEN: "بنویسید چه اطلاعاتی از شهروند لازم است",
    Action.RESOLVE: "نتیجه رسیدگی را بنویسید؛ شهروند آن را می‌خواند",
    Action.REJECT: "دلیل رد درخواست را بنویسید؛ شهروند آن را می‌خواند",
    Action.NOT_OURS: "بنویسید چرا این درخواست به واحد شما مربوط نیست",
    Action.REASSIGN: "دلیل ارجاع به واحد دیگر را بنویسید",
    Action.REOPEN: "دلیل باز کردن دوباره درخواست را بنویسید",
}
REASON_NEEDED_FA = "برای این کار نوشتن دلیل لازم است"


def refusal_fa(action: Action, current: RequestStatus) -> str:
    """Why `action` cannot be taken from `current`, in the words a clerk reads."""
    if current is STEPS[action].target and action in ALREADY_FA:
        return ALREADY_FA[action]
    if action is Action.ACCEPT and current in {S.IN_PROGRESS, S.ON_HOLD}:
        return ALREADY_FA[Action.ACCEPT]
    if current is S.CLOSED:
        return CLOSED_FA
    if action is Action.CITIZEN_REPLIED:
        return NOT_WAITING_FA
    if action is Action.REOPEN:
        return STILL_OPEN_FA
    if action is Action.CLOSE:
        return CLOSE_TOO_EARLY_FA
    if current in FINISHED:
        return FINISHED_FA
    if current is S.ON_HOLD:
        return ON_HOLD_FA
    if current in NOT_YET_ACCEPTED:
        return ACCEPT_FIRST_FA
    if current is S.SUBMITTED:
        return NOT_ROUTED_FA
    return ILLEGAL_FA


class IllegalTransition(ValueError):
    def __init__(self, current: RequestStatus, action: Action) -> None:
        super().__init__(f"a case that is {current} cannot be given '{action}'")
        self.current = current
        self.action = action
        self.message_fa = refusal_fa(action, current)


class TransitionRefused(ValueError):
    """The step exists from this status but its conditions are not met."""

    def __init__(self, message: str, message_fa: str) -> None:
        super().__init__(message)
        self.message_fa = message_fa


def _persian_digits(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


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
        raise TransitionRefused(f"'{action}' needs a reason", REASON_FA.get(action, REASON_NEEDED_FA))
    if action is Action.REOPEN and (resolved_at is None or now - resolved_at > reopen_within):
        days = reopen_within.days
        raise TransitionRefused(
            f"a case can be reopened only within {days} days of its resolution",
            f"درخواست را فقط تا {_persian_digits(days)} روز پس از رسیدگی می‌توان دوباره باز کرد",
        )
    return step


def citizen_note(step: Step, *, unit_name_fa: str, reason: str) -> str:
    return step.note_fa.format(unit=unit_name_fa, reason=reason.strip())
