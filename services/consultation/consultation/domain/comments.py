"""Public comments: who may comment when, on what, and how moderation hides and restores them.

A commenter's contact details live in `PrivateContact`, apart from everything public;
`public_view` builds the public form from an explicit list of fields, so it cannot leak them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

import phonenumbers
from persiantools.digits import ar_to_fa, fa_to_en
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.networks import validate_email

from consultation.domain.document import Version
from consultation.domain.errors import Refusal
from consultation.domain.jalali import jalali_datetime
from consultation.domain.lifecycle import (
    TEHRAN,
    Actor,
    AuditEntry,
    CommentWindow,
    StaffRole,
    audit_entry,
)
from consultation.domain.receipts import new_receipt
from consultation.domain.text import normalise_fa

MAX_TEXT = 5_000
REPORTS_TO_HIDE = 3
MODERATORS = frozenset({StaffRole.MODERATOR, StaffRole.ADMIN})
_Frozen = ConfigDict(frozen=True, extra="forbid")


def _normalised(value: Any) -> Any:
    return normalise_fa(value) if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_normalised), Field(min_length=1, max_length=200)]


class Stance(StrEnum):
    FOR = "for"
    NEUTRAL = "neutral"
    AGAINST = "against"


class SubmitterType(StrEnum):
    ANONYMOUS = "anonymous"
    INDIVIDUAL = "individual"
    ORGANIZATION = "organization"


class CommentStatus(StrEnum):
    PUBLISHED = "published"
    PENDING_REVIEW = "pending_review"
    HIDDEN = "hidden"


class ModerationMode(StrEnum):
    """A consultation's setting: publish comments at once, or after a moderator's review."""

    IMMEDIATE = "immediate"
    AFTER_REVIEW = "after_review"


class Submitter(BaseModel):
    model_config = _Frozen
    type: SubmitterType
    name: Name | None = None
    organization: Name | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type is SubmitterType.ORGANIZATION and self.organization is None:
            raise ValueError("an organization's comment needs the organization's name")
        if self.type is SubmitterType.ANONYMOUS and (self.name or self.organization):
            raise ValueError("an anonymous comment carries no name")
        return self


def normalise_mobile(raw: str) -> str:
    """`09141234567`, `+98 914 123 4567` or `۰۹۱۴۱۲۳۴۵۶۷` -> `+989141234567`."""
    digits = str(fa_to_en(ar_to_fa(raw.strip())))
    try:
        number = phonenumbers.parse(digits, "IR")
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number") from error
    mobile = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    if number.country_code != 98 or not phonenumbers.is_valid_number(number):
        raise ValueError("not an Iranian mobile number (09xxxxxxxxx or +989xxxxxxxxx)")
    if phonenumbers.number_type(number) not in mobile:
        raise ValueError("not an Iranian mobile number (09xxxxxxxxx or +989xxxxxxxxx)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PrivateContact(BaseModel):
    """How to reach the commenter; never shown publicly."""

    model_config = _Frozen
    mobile: str | None = None
    email: str | None = None

    @field_validator("mobile")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return None if value is None else normalise_mobile(value)

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return None if value is None else validate_email(value.strip())[1]

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.mobile is None and self.email is None:
            raise ValueError("a contact needs a mobile number or an e-mail address")
        return self


class Comment(BaseModel):
    model_config = _Frozen
    receipt: str = Field(description="Public reference and id: digits with a check digit")
    draft_id: str
    version: int = Field(ge=1, description="The consulted version the comment was made on")
    window: int = Field(ge=1)
    article_id: str | None = Field(default=None, description="None: on the whole draft")
    stance: Stance
    text_fa: str = Field(min_length=1, max_length=MAX_TEXT)
    submitter: Submitter
    contact: PrivateContact | None = None
    received_at: AwareDatetime
    status: CommentStatus
    reporters: frozenset[str] = frozenset()
    reports_reviewed: int = Field(
        default=0, ge=0, description="Distinct reporters a moderator already weighed"
    )


class CommentWindowClosed(Refusal):
    def __init__(self, at: datetime, tz: str = TEHRAN) -> None:
        super().__init__(
            "comment_window_closed",
            f"comments are not accepted at {at.isoformat()}: no comment window is open",
            f"در {jalali_datetime(at, tz)} مهلت اظهارنظر باز نیست و نظر پذیرفته نمی‌شود",
        )


def check_accepting(windows: Sequence[CommentWindow], at: datetime, tz: str = TEHRAN) -> CommentWindow:
    """The window `at` falls in, from the stored windows alone: no scheduler needs to have run."""
    for window in windows:
        if window.opens_at <= at <= window.closes_at:
            return window
    raise CommentWindowClosed(at, tz)


def _text(raw: str) -> str:
    text = normalise_fa(raw)
    if not text:
        raise Refusal("empty_comment", "a comment needs some text", "متن نظر خالی است")
    if len(text) > MAX_TEXT:
        raise Refusal(
            "comment_too_long",
            f"a comment is at most {MAX_TEXT} characters; this one has {len(text)}",
            f"نظر حداکثر {MAX_TEXT} نویسه است؛ این نظر {len(text)} نویسه دارد",
        )
    return text


def _target(consulted: Version, article_id: str | None) -> str | None:
    if article_id is not None and consulted.content.article(article_id) is None:
        raise Refusal(
            "unknown_article",
            f"article {article_id!r} is not in version {consulted.number} under consultation",
            f"ماده {article_id!r} در نسخه {consulted.number} که به نظرخواهی گذاشته شده نیست",
        )
    return article_id


def receive_comment(
    *,
    draft_id: str,
    consulted: Version,
    windows: Sequence[CommentWindow],
    at: datetime,
    stance: Stance,
    text: str,
    submitter: Submitter,
    article_id: str | None = None,
    contact: PrivateContact | None = None,
    mode: ModerationMode = ModerationMode.IMMEDIATE,
    receipt: str | None = None,
) -> Comment:
    """A comment arriving at `at`, or a refusal: window shut, unknown article, empty or too long."""
    window = check_accepting(windows, at)
    immediate = mode is ModerationMode.IMMEDIATE
    return Comment(
        receipt=receipt or new_receipt(),
        draft_id=draft_id,
        version=consulted.number,
        window=window.number,
        article_id=_target(consulted, article_id),
        stance=stance,
        text_fa=_text(text),
        submitter=submitter,
        contact=contact,
        received_at=at,
        status=CommentStatus.PUBLISHED if immediate else CommentStatus.PENDING_REVIEW,
    )


def public_view(comment: Comment) -> dict[str, Any]:
    """What anyone may see of a comment: no contact, no reporters."""
    return {
        "receipt": comment.receipt,
        "draft_id": comment.draft_id,
        "version": comment.version,
        "article_id": comment.article_id,
        "stance": comment.stance.value,
        "text_fa": comment.text_fa,
        "submitter": comment.submitter.model_dump(mode="json"),
        "received_at": comment.received_at.isoformat(),
        "received_at_jalali": jalali_datetime(comment.received_at, TEHRAN),
    }


def public_views(comments: Iterable[Comment]) -> list[dict[str, Any]]:
    return [public_view(comment) for comment in comments if comment.status is CommentStatus.PUBLISHED]


class Moderation(BaseModel):
    model_config = _Frozen
    comment: Comment
    audit: AuditEntry | None = Field(description="Present when the comment's status changed")


def _moved(
    comment: Comment,
    target: CommentStatus,
    action: str,
    actor: str,
    at: datetime,
    reason: str,
    **changes: Any,
) -> Moderation:
    audit = audit_entry(action, comment.receipt, actor, at, comment.status, target, reason)
    return Moderation(comment=comment.model_copy(update={"status": target, **changes}), audit=audit)


def report(comment: Comment, reporter: str, at: datetime) -> Moderation:
    """Record a report; three distinct reporters not yet weighed by a moderator hide it for review."""
    reporters = comment.reporters | {reporter}
    fresh = len(reporters) - comment.reports_reviewed
    if comment.status is CommentStatus.PUBLISHED and fresh >= REPORTS_TO_HIDE:
        reason = f"{REPORTS_TO_HIDE} distinct reports"
        return _moved(
            comment, CommentStatus.PENDING_REVIEW, "reports_hide", "system", at, reason, reporters=reporters
        )
    return Moderation(comment=comment.model_copy(update={"reporters": reporters}), audit=None)


def _moderator(actor: Actor, reason: str | None) -> str:
    if not actor.has_any(MODERATORS):
        raise Refusal("forbidden", "moderation needs the moderator role", "بررسی نظرها نقش ناظر می‌خواهد")
    if reason is None or not reason.strip():
        raise Refusal("reason_required", "a moderation decision needs a reason", "ذکر دلیل الزامی است")
    return reason.strip()


def _refuse_same(comment: Comment, target: CommentStatus) -> None:
    if comment.status is target:
        raise Refusal("no_change", f"the comment is already {target}", f"نظر هم‌اکنون در وضعیت «{target}» است")


def hide(comment: Comment, actor: Actor, at: datetime, reason: str | None) -> Moderation:
    why = _moderator(actor, reason)
    _refuse_same(comment, CommentStatus.HIDDEN)
    return _moved(
        comment, CommentStatus.HIDDEN, "hide", actor.id, at, why, reports_reviewed=len(comment.reporters)
    )


def restore(comment: Comment, actor: Actor, at: datetime, reason: str | None) -> Moderation:
    """Publish a comment held for review or hidden; reports so far no longer count towards hiding."""
    why = _moderator(actor, reason)
    _refuse_same(comment, CommentStatus.PUBLISHED)
    reviewed = len(comment.reporters)
    return _moved(comment, CommentStatus.PUBLISHED, "restore", actor.id, at, why, reports_reviewed=reviewed)
