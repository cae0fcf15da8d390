"""How a consultation is shown: to staff in full, to the public without anything private."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consultation.domain.comments import CommentWindowClosed, check_accepting
from consultation.domain.document import Content, Version
from consultation.domain.jalali import jalali_date, jalali_datetime
from consultation.domain.lifecycle import TEHRAN, CommentWindow, Consultation, Status, allowed_actions
from consultation.service.codec import document_of, state_of
from servicekit.store import Document as Stored

PUBLIC_STATUSES = (Status.OPEN, Status.CLOSED, Status.UNDER_REVISION, Status.FINAL)


def window_view(window: CommentWindow, tz: str = TEHRAN) -> dict[str, Any]:
    return {
        "number": window.number,
        "opens_at": window.opens_at.isoformat(),
        "closes_at": window.closes_at.isoformat(),
        "opens_at_jalali": jalali_datetime(window.opens_at, tz),
        "closes_at_jalali": jalali_datetime(window.closes_at, tz),
        "closes_on_jalali": jalali_date(window.closes_at, tz),
        "reason": window.reason,
        "extensions": [extension.model_dump(mode="json") for extension in window.extensions],
    }


def accepting(state: Consultation, now: datetime) -> bool:
    try:
        check_accepting(state.windows, now)
    except CommentWindowClosed:
        return False
    return True


def time_left(state: Consultation, now: datetime) -> dict[str, Any]:
    if not state.windows or not accepting(state, now):
        return {"accepting_comments": False, "seconds_left": 0, "days_left": 0}
    seconds = int((state.windows[-1].closes_at - now).total_seconds())
    return {"accepting_comments": True, "seconds_left": seconds, "days_left": seconds // 86_400}


def _heading(content: Content) -> dict[str, Any]:
    return {
        "title_fa": content.title_fa,
        "summary_fa": content.summary_fa,
        "authority_fa": content.authority_fa,
        "category": content.category,
        "districts": list(content.districts),
        "city_wide": content.city_wide,
    }


def staff_view(stored: Stored, now: datetime) -> dict[str, Any]:
    state, document = state_of(stored), document_of(stored)
    return {
        "id": state.id,
        "status": state.status.value,
        "revision": state.revision,
        "author": state.author,
        "latest_version": document.latest.number,
        "consulted_version": state.consulted_version,
        "final_version": state.final_version,
        "moderation_mode": stored.get("moderation_mode"),
        "allowed_actions": allowed_actions(state.status),
        "windows": [window_view(window) for window in state.windows],
        "emitted": list(stored.get("emitted") or []),
        **_heading(document.latest.content),
        **time_left(state, now),
    }


def version_view(version: Version) -> dict[str, Any]:
    return version.model_dump(mode="json")


def shown_version(stored: Stored) -> Version:
    state, document = state_of(stored), document_of(stored)
    number = state.final_version or state.consulted_version or document.latest.number
    return document.version(number)


def public_summary(stored: Stored, now: datetime) -> dict[str, Any]:
    state, version = state_of(stored), shown_version(stored)
    last = state.windows[-1] if state.windows else None
    return {
        "id": state.id,
        "status": state.status.value,
        "version": version.number,
        **_heading(version.content),
        "closes_at": None if last is None else last.closes_at.isoformat(),
        "closes_on_jalali": None if last is None else jalali_date(last.closes_at, TEHRAN),
        **time_left(state, now),
    }


def public_draft(stored: Stored, now: datetime, counts: dict[str | None, int]) -> dict[str, Any]:
    state, version = state_of(stored), shown_version(stored)
    content = version.content
    sections = [
        {
            "number": section.number,
            "title_fa": section.title_fa,
            "articles": [
                article.model_dump(mode="json") | {"comment_count": counts.get(article.id, 0)}
                for article in section.articles
            ],
        }
        for section in content.sections
    ]
    return public_summary(stored, now) | {
        "stakeholders_fa": list(content.stakeholders_fa),
        "attachments": [attachment.model_dump(mode="json") for attachment in content.attachments],
        "sections": sections,
        "whole_draft_comment_count": counts.get(None, 0),
        "comment_count": sum(counts.values()),
        "windows": [window_view(window) for window in state.windows],
    }


def public_comment(stored: Stored) -> dict[str, Any]:
    """A stored comment as the public sees it: never the contact, reporters or audit."""
    received: datetime = stored["received_at"]
    return {
        "receipt": stored["_id"],
        "draft_id": stored["draft_id"],
        "article_id": stored.get("article_id"),
        "stance": stored["stance"],
        "text_fa": stored["text_fa"],
        "submitter": stored["submitter"],
        "group_id": stored.get("group_id"),
        "received_at": received.isoformat(),
        "received_at_jalali": jalali_datetime(received, TEHRAN),
    }


def staff_comment(stored: Stored) -> dict[str, Any]:
    return public_comment(stored) | {
        "status": stored["status"],
        "reports": len(stored.get("reporters") or ()),
        "reports_reviewed": stored.get("reports_reviewed", 0),
        "audit": stored.get("audit", []),
    }
