import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from consultation.domain.comments import (
    CommentStatus,
    CommentWindowClosed,
    ModerationMode,
    PrivateContact,
    Stance,
    Submitter,
    check_accepting,
    hide,
    public_view,
    public_views,
    receive_comment,
    report,
    restore,
)
from consultation.domain.document import Article, Content, Section, start_document
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Actor, CommentWindow

TEHRAN = ZoneInfo("Asia/Tehran")
WINDOW = CommentWindow(
    number=1,
    opens_at=datetime(2026, 11, 24, 8, tzinfo=UTC),
    closes_at=datetime(2026, 12, 8, 20, 29, 59, 999999, tzinfo=UTC),
    opened_by="staff-approver",
)
LAST_SECOND = datetime(2026, 12, 8, 23, 59, 59, tzinfo=TEHRAN)
FIRST_SECOND_OUT = datetime(2026, 12, 9, 0, 0, 0, tzinfo=TEHRAN)
MODERATOR = Actor(id="staff-mod", roles=frozenset({"moderator"}))
VERSION = start_document(
    "d-1",
    Content(
        title_fa="پیش‌نویس",
        summary_fa="خلاصه",
        authority_fa="شهرداری",
        category="c",
        sections=(Section(number=1, articles=(Article(id="a-1", number=1, text_fa="متن"),)),),
    ),
    "staff-author",
    WINDOW.opens_at,
).latest


def comment(at: datetime = LAST_SECOND, **kwargs):  # type: ignore[no-untyped-def]
    fields = {
        "draft_id": "d-1",
        "consulted": VERSION,
        "windows": [WINDOW],
        "at": at,
        "stance": Stance.AGAINST,
        "text": "  با ساعت كار موافق نیستم  ",
        "submitter": Submitter(type="individual", name="علي"),
    }
    return receive_comment(**(fields | kwargs))


def test_the_last_second_in_tehran_is_in_and_the_first_second_of_the_next_day_is_out() -> None:
    assert check_accepting([WINDOW], LAST_SECOND) is WINDOW
    assert check_accepting([WINDOW], WINDOW.closes_at) is WINDOW
    with pytest.raises(CommentWindowClosed) as refused:
        check_accepting([WINDOW], FIRST_SECOND_OUT)
    assert "not accepted" in str(refused.value) and "۱۴۰۵/۰۹/۱۸" in str(refused.value)
    with pytest.raises(CommentWindowClosed):
        check_accepting([WINDOW], WINDOW.closes_at + timedelta(microseconds=1))


def test_a_later_window_accepts_again() -> None:
    second = WINDOW.model_copy(
        update={
            "number": 2,
            "opens_at": FIRST_SECOND_OUT + timedelta(days=3),
            "closes_at": datetime(2027, 1, 1, tzinfo=UTC),
        }
    )
    assert check_accepting([WINDOW, second], FIRST_SECOND_OUT + timedelta(days=4)).number == 2


def test_a_comment_is_normalised_and_bound_to_an_existing_article() -> None:
    made = comment(article_id="a-1")
    assert made.text_fa == "با ساعت کار موافق نیستم" and made.submitter.name == "علی"
    assert made.status is CommentStatus.PUBLISHED and made.window == 1
    with pytest.raises(Refusal):
        comment(article_id="a-9")
    with pytest.raises(Refusal):
        comment(text="ب" * 5_001)
    with pytest.raises(CommentWindowClosed):
        comment(at=FIRST_SECOND_OUT)


def test_after_review_mode_holds_comments() -> None:
    assert comment(mode=ModerationMode.AFTER_REVIEW).status is CommentStatus.PENDING_REVIEW


def test_submitters_and_contacts_are_validated() -> None:
    with pytest.raises(ValidationError):
        Submitter(type="organization", name="x")
    with pytest.raises(ValidationError):
        Submitter(type="anonymous", name="x")
    assert PrivateContact(mobile="۰۹۱۴۱۲۳۴۵۶۷").mobile == "+989141234567"
    assert PrivateContact(email=" a@example.org ").email == "a@example.org"
    with pytest.raises(ValidationError):
        PrivateContact(mobile="02112345678")
    with pytest.raises(ValidationError):
        PrivateContact()


def test_the_private_contact_never_reaches_the_public_view() -> None:
    made = comment(contact=PrivateContact(mobile="09141234567", email="a@example.org"))
    view = public_view(made)
    assert "contact" not in view
    dumped = json.dumps(view, ensure_ascii=False)
    assert "914" not in dumped and "example.org" not in dumped


def test_three_different_reporters_hide_and_a_repeat_counts_once() -> None:
    made = comment()
    for reporter in ("client-1", "client-1", "client-2", "client-2"):
        step = report(made, reporter, LAST_SECOND)
        assert step.audit is None
        made = step.comment
    step = report(made, "client-3", LAST_SECOND)
    assert step.comment.status is CommentStatus.PENDING_REVIEW and step.audit is not None
    assert public_views([step.comment]) == []


def test_moderators_hide_and_restore_with_a_reason_and_an_audit_entry() -> None:
    made = comment()
    with pytest.raises(Refusal):
        hide(made, MODERATOR, LAST_SECOND, reason=" ")
    with pytest.raises(Refusal):
        hide(made, Actor(id="x", roles=frozenset({"author"})), LAST_SECOND, reason="spam")
    hidden = hide(made, MODERATOR, LAST_SECOND, reason="توهین")
    assert hidden.audit is not None and (hidden.audit.from_state, hidden.audit.to_state) == (
        "published",
        "hidden",
    )
    restored = restore(hidden.comment, MODERATOR, LAST_SECOND, reason="بازبینی شد")
    assert restored.audit is not None and restored.audit.reason == "بازبینی شد"
    assert restored.comment.status is CommentStatus.PUBLISHED


def test_reports_a_moderator_weighed_do_not_hide_again() -> None:
    made = comment()
    for reporter in ("c1", "c2", "c3"):
        made = report(made, reporter, LAST_SECOND).comment
    made = restore(made, MODERATOR, LAST_SECOND, reason="ok").comment
    assert report(made, "c4", LAST_SECOND).comment.status is CommentStatus.PUBLISHED
