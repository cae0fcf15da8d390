"""What the consultation API accepts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from consultation.domain.comments import MAX_TEXT, PrivateContact, Stance, Submitter, SubmitterType
from consultation.domain.document import Content
from consultation.domain.lifecycle import MIN_WINDOW_DAYS
from consultation.domain.report import Decision

Reason = Annotated[str, Field(min_length=1, max_length=2_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftIn(Content):
    """A draft's first version, and whether its comments appear at once or after review."""

    moderation: str = Field(default="immediate", pattern="^(immediate|after_review)$")
    note: str | None = Field(default=None, max_length=2_000)


class VersionIn(Content):
    note: str | None = Field(default=None, max_length=2_000)


class OpenIn(Body):
    days: int = Field(default=MIN_WINDOW_DAYS, ge=1, le=366, description="At least 14 calendar days")


class ExtendIn(Body):
    last_day: date = Field(description="The new last day of comment, in Tehran; closes at 23:59:59")
    reason: Reason


class ReopenIn(Body):
    days: int = Field(default=MIN_WINDOW_DAYS, ge=1, le=366)
    reason: Reason


class ReasonIn(Body):
    reason: Reason


class IssueIn(Body):
    summary_of_changes_fa: str = Field(min_length=1, max_length=5_000)


class ResponseIn(Body):
    target: str = Field(min_length=1, max_length=64, description="A comment's receipt or a group's id")
    decision: Decision
    text_fa: str = Field(min_length=1, max_length=10_000)


class CommentIn(Body):
    article_id: str | None = Field(default=None, max_length=64, description="None: on the whole draft")
    stance: Stance
    text_fa: str = Field(min_length=1, max_length=MAX_TEXT * 2)
    submitter: Submitter = Submitter(type=SubmitterType.ANONYMOUS)
    contact: PrivateContact | None = Field(
        default=None, description="Mobile or e-mail to hear the outcome; never shown"
    )


def content_of(body: Content) -> Content:
    return Content.model_validate(body.model_dump(include=set(Content.model_fields)))
