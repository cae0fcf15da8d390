"""The response report: what staff decided on each comment or comment group, article by article.

A comment is answered by a response of its own or by one to a group it belongs to; comments a
moderator hid need none. Groups arrive as a plain mapping of group id to comment receipts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consultation.domain.comments import Comment, CommentStatus, Stance
from consultation.domain.document import Article, ArticleChange, Document, diff_versions
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Actor, StaffRole, Status
from consultation.domain.text import normalise_fa

BOM = "\ufeff"
RESPONDERS = frozenset({StaffRole.AUTHOR, StaffRole.APPROVER, StaffRole.ADMIN})
WHOLE_DRAFT = ""
_Frozen = ConfigDict(frozen=True, extra="forbid")
Groups = Mapping[str, Collection[str]]


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"
    OUT_OF_SCOPE = "out_of_scope"


class Response(BaseModel):
    model_config = _Frozen
    target: str = Field(description="A comment's receipt or a group's id")
    decision: Decision
    text_fa: str = Field(min_length=1, max_length=10_000)
    by: str
    at: AwareDatetime


def respond(
    status: Status, target: str, decision: Decision, text: str, actor: Actor, at: datetime
) -> Response:
    """Staff answer a comment or a group, once comment has closed and before the final issue."""
    if not actor.has_any(RESPONDERS):
        raise Refusal(
            "forbidden",
            "responding needs the author or approver role",
            "پاسخ‌دادن نقش نویسنده یا تأییدکننده می‌خواهد",
        )
    if status not in {Status.CLOSED, Status.UNDER_REVISION}:
        raise Refusal(
            "not_closed",
            f"responses are given after the window closes and before issue, not in status {status}",
            f"پاسخ پس از پایان مهلت و پیش از ابلاغ داده می‌شود، نه در وضعیت «{status}»",
        )
    body = normalise_fa(text)
    if not body:
        raise Refusal("empty_response", "a response needs some text", "متن پاسخ خالی است")
    return Response(target=target, decision=decision, text_fa=body, by=actor.id, at=at)


def needs_response(comment: Comment) -> bool:
    return comment.status is not CommentStatus.HIDDEN


def _group_of(groups: Groups) -> dict[str, str]:
    return {receipt: group for group, receipts in groups.items() for receipt in receipts}


def response_for(comment: Comment, responses: Mapping[str, Response], groups: Groups) -> Response | None:
    """The comment's own response, else its group's."""
    own = responses.get(comment.receipt)
    if own is not None:
        return own
    group = _group_of(groups).get(comment.receipt)
    return None if group is None else responses.get(group)


def by_target(responses: Iterable[Response]) -> dict[str, Response]:
    """The latest response per target: a later response replaces an earlier one."""
    latest: dict[str, Response] = {}
    for response in sorted(responses, key=lambda response: response.at):
        latest[response.target] = response
    return latest


def unanswered(comments: Iterable[Comment], responses: Iterable[Response], groups: Groups) -> list[str]:
    """Receipts of comments that still need a response; its length is what `issue` checks."""
    answers = by_target(responses)
    return [
        comment.receipt
        for comment in comments
        if needs_response(comment) and response_for(comment, answers, groups) is None
    ]


class ResponseLine(BaseModel):
    model_config = _Frozen
    target: str
    decision: Decision
    text_fa: str
    receipts: tuple[str, ...]


class ArticleReport(BaseModel):
    model_config = _Frozen
    article_id: str = Field(description="Empty for comments on the whole draft")
    number: int | None
    title_fa: str | None
    stances: dict[Stance, int]
    decisions: dict[Decision, int]
    unanswered: int
    responses: tuple[ResponseLine, ...]
    change: ArticleChange | None


class ResponseReport(BaseModel):
    model_config = _Frozen
    draft_id: str
    consulted_version: int
    final_version: int
    comment_count: int
    articles: tuple[ArticleReport, ...]


def _lines(
    comments: list[Comment], answers: Mapping[str, Response], groups: Groups
) -> tuple[ResponseLine, ...]:
    covered: dict[str, list[str]] = {}
    for comment in comments:
        response = response_for(comment, answers, groups)
        if response is not None:
            covered.setdefault(response.target, []).append(comment.receipt)
    return tuple(
        ResponseLine(
            target=target,
            decision=answers[target].decision,
            text_fa=answers[target].text_fa,
            receipts=tuple(receipts),
        )
        for target, receipts in covered.items()
    )


def _article_report(
    key: str,
    article: Article | None,
    comments: list[Comment],
    answers: Mapping[str, Response],
    groups: Groups,
    change: ArticleChange | None,
) -> ArticleReport:
    decided = [response_for(comment, answers, groups) for comment in comments]
    decisions = Counter(response.decision for response in decided if response is not None)
    stances = Counter(comment.stance for comment in comments)
    return ArticleReport(
        article_id=key,
        number=None if article is None else article.number,
        title_fa=None if article is None else article.title_fa,
        stances={stance: stances[stance] for stance in Stance},
        decisions={decision: decisions[decision] for decision in Decision},
        unanswered=sum(response is None for response in decided),
        responses=_lines(comments, answers, groups),
        change=change,
    )


def build_report(
    document: Document,
    consulted_version: int,
    final_version: int,
    comments: Iterable[Comment],
    responses: Iterable[Response],
    groups: Groups,
) -> ResponseReport:
    """Whole-draft comments first, then every article of either version in the diff's order."""
    counted = [comment for comment in comments if needs_response(comment)]
    answers = by_target(responses)
    diff = diff_versions(document, consulted_version, final_version)
    consulted, final = document.version(consulted_version).content, document.version(final_version).content
    on: dict[str, list[Comment]] = {}
    for comment in counted:
        on.setdefault(comment.article_id or WHOLE_DRAFT, []).append(comment)
    reports = [_article_report(WHOLE_DRAFT, None, on.get(WHOLE_DRAFT, []), answers, groups, None)]
    for change in diff.articles:
        article = final.article(change.article_id) or consulted.article(change.article_id)
        reports.append(
            _article_report(
                change.article_id, article, on.get(change.article_id, []), answers, groups, change
            )
        )
    return ResponseReport(
        draft_id=document.draft_id,
        consulted_version=consulted_version,
        final_version=final_version,
        comment_count=len(counted),
        articles=tuple(reports),
    )


def report_json(report: ResponseReport) -> dict[str, Any]:
    return report.model_dump(mode="json")


CSV_HEADER = (
    "article_id",
    "article_number",
    "article_title",
    "change",
    *(f"stance_{stance}" for stance in Stance),
    *(f"decision_{decision}" for decision in Decision),
    "unanswered",
    "responses",
)


def _row(article: ArticleReport) -> list[str | int]:
    responses = "\n".join(
        f"[{line.decision}] {line.text_fa} ({', '.join(line.receipts)})" for line in article.responses
    )
    return [
        article.article_id,
        "" if article.number is None else article.number,
        article.title_fa or "",
        "" if article.change is None else article.change.kind.value,
        *(article.stances[stance] for stance in Stance),
        *(article.decisions[decision] for decision in Decision),
        article.unanswered,
        responses,
    ]


def report_csv(report: ResponseReport) -> str:
    """One row per article, UTF-8 with a byte-order mark so spreadsheets show Persian; encode as utf-8."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(article) for article in report.articles)
    return buffer.getvalue()
