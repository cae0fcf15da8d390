import csv
import io
from datetime import UTC, datetime

import pytest

from consultation.domain.comments import CommentStatus, Stance, Submitter, receive_comment
from consultation.domain.document import Article, Content, Section, revise, start_document
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Actor, CommentWindow, Status
from consultation.domain.report import (
    BOM,
    Decision,
    build_report,
    report_csv,
    report_json,
    respond,
    unanswered,
)

AT = datetime(2026, 11, 25, 9, tzinfo=UTC)
STAFF = Actor(id="staff-author", roles=frozenset({"author"}))
WINDOW = CommentWindow(number=1, opens_at=AT, closes_at=datetime(2026, 12, 9, tzinfo=UTC), opened_by="x")


def content(text: str) -> Content:
    article = Article(id="a-1", number=1, title_fa="ساعات", text_fa=text)
    return Content(
        title_fa="پیش‌نویس",
        summary_fa="خلاصه",
        authority_fa="شهرداری",
        category="c",
        sections=(Section(number=1, articles=(article,)),),
    )


DOCUMENT = revise(start_document("d-1", content("۸ تا ۲۰"), "s", AT), content("۹ تا ۱۸"), "s", AT)


def comments():  # type: ignore[no-untyped-def]
    made = [
        receive_comment(
            draft_id="d-1",
            consulted=DOCUMENT.version(1),
            windows=[WINDOW],
            at=AT,
            stance=stance,
            text=f"نظر {n}",
            submitter=Submitter(type="anonymous"),
            article_id=article,
        )
        for n, (stance, article) in enumerate(
            [(Stance.AGAINST, "a-1"), (Stance.AGAINST, "a-1"), (Stance.FOR, None)]
        )
    ]
    return [*made, made[0].model_copy(update={"receipt": "hidden", "status": CommentStatus.HIDDEN})]


def test_responding_is_refused_while_open() -> None:
    with pytest.raises(Refusal):
        respond(Status.OPEN, "x", Decision.ACCEPTED, "پذیرفته شد", STAFF, AT)


def test_group_responses_answer_members_and_hidden_comments_need_none() -> None:
    made = comments()
    groups = {"g-1": [made[0].receipt, made[1].receipt]}
    reply = respond(Status.CLOSED, "g-1", Decision.PARTLY_ACCEPTED, "ساعت اصلاح شد", STAFF, AT)
    assert unanswered(made, [reply], groups) == [made[2].receipt]


def test_report_per_article_with_counts_and_diff_and_csv_with_bom() -> None:
    made = comments()
    groups = {"g-1": [made[0].receipt, made[1].receipt]}
    replies = [
        respond(Status.CLOSED, "g-1", Decision.PARTLY_ACCEPTED, "ساعت اصلاح شد", STAFF, AT),
        respond(Status.UNDER_REVISION, made[2].receipt, Decision.OUT_OF_SCOPE, "خارج از موضوع", STAFF, AT),
    ]
    report = build_report(DOCUMENT, 1, 2, made, replies, groups)
    whole, article = report.articles
    assert report.comment_count == 3 and whole.stances[Stance.FOR] == 1
    assert article.stances[Stance.AGAINST] == 2 and article.decisions[Decision.PARTLY_ACCEPTED] == 2
    assert article.change is not None and "+۹ تا ۱۸" in article.change.diff
    assert article.responses[0].receipts == (made[0].receipt, made[1].receipt)
    assert report_json(report)["articles"][1]["change"]["kind"] == "changed"
    text = report_csv(report)
    assert text.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert rows[1]["article_title"] == "ساعات" and "ساعت اصلاح شد" in rows[1]["responses"]
    assert rows[1]["decision_partly_accepted"] == "2"
