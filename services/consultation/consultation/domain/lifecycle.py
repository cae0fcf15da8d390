"""A consultation's life: draft -> approved -> open -> closed -> under_revision -> final, or withdrawn.

Each transition returns the next state, an audit entry and the events to emit; the caller writes it
with a conditional update on the `status` and `revision` it read, so of two racing writers one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consultation.domain.errors import Refusal
from consultation.domain.jalali import jalali_datetime
from consultation.domain.window import comment_window

TEHRAN = "Asia/Tehran"
MIN_WINDOW_DAYS = 14
CLOSING_SOON_BEFORE = timedelta(hours=48)

OPENED = "consultation.opened.v1"
EXTENDED = "consultation.extended.v1"
CLOSING_SOON = "consultation.closing_soon.v1"
CLOSED = "consultation.closed.v1"
FINALIZED = "consultation.finalized.v1"
WITHDRAWN = "consultation.withdrawn.v1"


class Status(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    OPEN = "open"
    CLOSED = "closed"
    UNDER_REVISION = "under_revision"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


class StaffRole(StrEnum):
    AUTHOR = "author"
    APPROVER = "approver"
    MODERATOR = "moderator"
    ADMIN = "admin"


EDITABLE = frozenset({Status.DRAFT, Status.UNDER_REVISION})


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Actor(Record):
    """Who acts: the staff token's subject and its roles, kept as plain strings."""

    id: str = Field(min_length=1)
    roles: frozenset[str] = frozenset()

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)


SYSTEM = Actor(id="system", roles=frozenset({"system"}))


class AuditEntry(Record):
    action: str
    subject: str
    actor: str
    at: AwareDatetime
    from_state: str
    to_state: str
    reason: str | None = None


def audit_entry(
    action: str, subject: str, actor: str, at: datetime, from_state: str, to_state: str, reason: str | None
) -> AuditEntry:
    return AuditEntry(
        action=action,
        subject=subject,
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


class Extension(Record):
    by: str
    at: AwareDatetime
    previous_closes_at: AwareDatetime
    closes_at: AwareDatetime
    reason: str


class CommentWindow(Record):
    number: int = Field(ge=1)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    opened_by: str
    reason: str | None = None
    extensions: tuple[Extension, ...] = ()


class Consultation(Record):
    id: str
    status: Status = Status.DRAFT
    author: str
    revision: int = Field(default=0, ge=0, description="Bumped by every transition; part of the write guard")
    consulted_version: int | None = None
    final_version: int | None = None
    windows: tuple[CommentWindow, ...] = ()


class Transition(Record):
    previous: Consultation
    state: Consultation
    audit: AuditEntry
    events: tuple[str, ...]


_RULES: dict[str, tuple[str, str]] = {
    "illegal_transition": (
        "status {current} cannot become {target}",
        "وضعیت «{current}» به «{target}» نمی‌رود",
    ),
    "forbidden": ("{action} needs one of the roles: {roles}", "این کار نقش {roles} می‌خواهد"),
    "reason_required": ("a reason is required", "ذکر دلیل الزامی است"),
    "not_editable": (
        "the text cannot be edited in status {current}",
        "در وضعیت «{current}» متن ویرایش نمی‌شود",
    ),
    "self_approval": ("a draft's author cannot approve it", "نویسنده پیش‌نویس نمی‌تواند آن را تأیید کند"),
    "window_too_short": (
        "a comment window lasts at least {minimum} calendar days in Tehran time and closes at 23:59:59 "
        "of its last day; {days} days were asked",
        "مهلت اظهارنظر دست‌کم {minimum} روز تقویمی به وقت تهران است و ساعت ۲۳:۵۹:۵۹ روز آخر بسته "
        "می‌شود؛ {days} روز درخواست شد",
    ),
    "already_closed": ("the window closed at {closes_at}; reopen it", "مهلت در {closes_at_fa} تمام شده است"),
    "not_later": ("the new close must be later than the current one", "مهلت جدید باید دیرتر باشد"),
    "still_open": ("the comment window has not ended yet", "مهلت اظهارنظر هنوز تمام نشده است"),
    "unanswered_comments": (
        "every comment or comment group needs a response before issuing; {count} unanswered",
        "پیش از ابلاغ باید به همه نظرها یا گروه‌های نظر پاسخ داده شود؛ {count} مورد بی‌پاسخ است",
    ),
}


def refuse(code: str, **values: object) -> Refusal:
    english, persian = _RULES[code]
    return Refusal(code, english.format(**values), persian.format(**values))


class _Rule(NamedTuple):
    target: Status
    sources: tuple[Status, ...]
    roles: frozenset[str] | None
    reason: bool = False
    event: str | None = None


_OPENERS = frozenset({StaffRole.APPROVER, StaffRole.ADMIN})
_ACTIVE = (Status.DRAFT, Status.APPROVED, Status.OPEN, Status.CLOSED, Status.UNDER_REVISION)
_ACTIONS = {
    "approve": _Rule(Status.APPROVED, (Status.DRAFT,), frozenset({StaffRole.APPROVER})),
    "open": _Rule(Status.OPEN, (Status.APPROVED,), _OPENERS, event=OPENED),
    "extend": _Rule(Status.OPEN, (Status.OPEN,), _OPENERS, reason=True, event=EXTENDED),
    "close": _Rule(Status.CLOSED, (Status.OPEN,), None, event=CLOSED),
    "reopen": _Rule(Status.OPEN, (Status.CLOSED,), _OPENERS, reason=True, event=OPENED),
    "begin_revision": _Rule(
        Status.UNDER_REVISION, (Status.CLOSED,), frozenset({StaffRole.AUTHOR, StaffRole.ADMIN})
    ),
    "issue": _Rule(Status.FINAL, (Status.UNDER_REVISION,), _OPENERS, event=FINALIZED),
    "withdraw": _Rule(Status.WITHDRAWN, _ACTIVE, frozenset({StaffRole.AUTHOR, *_OPENERS}), True, WITHDRAWN),
}


def allowed_actions(status: Status) -> list[str]:
    return [action for action, rule in _ACTIONS.items() if status in rule.sources]


def _guard(state: Consultation, action: str, actor: Actor, reason: str | None = None) -> str | None:
    """Role, reason and source status of `action`, checked in that order; the trimmed reason."""
    rule = _ACTIONS[action]
    if rule.roles is not None and not actor.has_any(rule.roles):
        raise refuse("forbidden", action=action, roles=", ".join(sorted(rule.roles)))
    if rule.reason and (reason is None or not reason.strip()):
        raise refuse("reason_required")
    if state.status not in rule.sources:
        raise refuse("illegal_transition", current=state.status, target=rule.target)
    return None if reason is None else reason.strip()


def _move(
    state: Consultation, action: str, actor: Actor, at: datetime, reason: str | None = None, **changes: object
) -> Transition:
    rule = _ACTIONS[action]
    updated = state.model_copy(update={"status": rule.target, "revision": state.revision + 1, **changes})
    audit = audit_entry(action, state.id, actor.id, at, state.status, rule.target, reason)
    events = () if rule.event is None else (rule.event,)
    return Transition(previous=state, state=updated, audit=audit, events=events)


def ensure_editable(state: Consultation) -> None:
    """Only a draft or a consultation under revision may get a new document version."""
    if state.status not in EDITABLE:
        raise refuse("not_editable", current=state.status)


def approve(state: Consultation, actor: Actor, at: datetime, version: int) -> Transition:
    """An approver other than the author approves `version`; it becomes the consulted version."""
    _guard(state, "approve", actor)
    if actor.id == state.author:
        raise refuse("self_approval")
    return _move(state, "approve", actor, at, consulted_version=version)


def _new_window(
    state: Consultation, opener: Actor, at: datetime, days: int, tz: str, why: str | None
) -> CommentWindow:
    if days < MIN_WINDOW_DAYS:
        raise refuse("window_too_short", minimum=MIN_WINDOW_DAYS, days=days)
    opens_at, closes_at = comment_window(at, days, tz)
    number = len(state.windows) + 1
    return CommentWindow(
        number=number, opens_at=opens_at, closes_at=closes_at, opened_by=opener.id, reason=why
    )


def open_for_comment(
    state: Consultation, actor: Actor, at: datetime, days: int = MIN_WINDOW_DAYS, tz: str = TEHRAN
) -> Transition:
    """Open the approved draft; the window ends at 23:59:59 Tehran time, `days` days after today."""
    _guard(state, "open", actor)
    window = _new_window(state, actor, at, days, tz, None)
    return _move(state, "open", actor, at, windows=(window,))


def end_of_local_day(day: date, tz: str = TEHRAN) -> datetime:
    # fold=1: where clocks were set back at midnight, the day ends at the later 23:59:59
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(tz)).replace(fold=1).astimezone(UTC)


def extend(
    state: Consultation, actor: Actor, at: datetime, last_day: date, reason: str | None, tz: str = TEHRAN
) -> Transition:
    """Move the open window's close to the end of `last_day` (Tehran), before the window closes."""
    why = _guard(state, "extend", actor, reason)
    window = state.windows[-1]
    if at > window.closes_at:
        closes_at_fa = jalali_datetime(window.closes_at, tz)
        raise refuse("already_closed", closes_at=window.closes_at.isoformat(), closes_at_fa=closes_at_fa)
    closes_at = end_of_local_day(last_day, tz)
    if closes_at <= window.closes_at:
        raise refuse("not_later")
    log = Extension(by=actor.id, at=at, previous_closes_at=window.closes_at, closes_at=closes_at, reason=why)
    longer = window.model_copy(update={"closes_at": closes_at, "extensions": (*window.extensions, log)})
    return _move(state, "extend", actor, at, why, windows=(*state.windows[:-1], longer))


def close(state: Consultation, at: datetime, actor: Actor = SYSTEM) -> Transition:
    """Record the close once the window's last moment has passed; never earlier."""
    _guard(state, "close", actor)
    if at <= state.windows[-1].closes_at:
        raise refuse("still_open")
    return _move(state, "close", actor, at)


def reopen(
    state: Consultation, actor: Actor, at: datetime, reason: str | None, days: int = MIN_WINDOW_DAYS
) -> Transition:
    """A closed consultation gets a new window of its own, kept after the earlier ones."""
    why = _guard(state, "reopen", actor, reason)
    window = _new_window(state, actor, at, days, TEHRAN, why)
    return _move(state, "reopen", actor, at, why, windows=(*state.windows, window))


def begin_revision(state: Consultation, actor: Actor, at: datetime) -> Transition:
    _guard(state, "begin_revision", actor)
    return _move(state, "begin_revision", actor, at)


def issue(state: Consultation, actor: Actor, at: datetime, final_version: int, unanswered: int) -> Transition:
    """Issue `final_version`; refused while any comment or comment group has no response."""
    _guard(state, "issue", actor)
    if unanswered > 0:
        raise refuse("unanswered_comments", count=unanswered)
    return _move(state, "issue", actor, at, final_version=final_version)


def withdraw(state: Consultation, actor: Actor, at: datetime, reason: str | None) -> Transition:
    """Withdraw before issue; an open window is cut short at `at` so the windows alone refuse comments."""
    why = _guard(state, "withdraw", actor, reason)
    windows = state.windows
    if windows and windows[-1].closes_at > at:
        windows = (*windows[:-1], windows[-1].model_copy(update={"closes_at": at}))
    return _move(state, "withdraw", actor, at, why, windows=windows)
