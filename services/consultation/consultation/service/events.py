"""The events a transition causes, with what notify needs: Persian title, category, districts, URL."""

from __future__ import annotations

from datetime import datetime

from consultation.domain.document import Content
from consultation.domain.lifecycle import CLOSED, CLOSING_SOON, FINALIZED, OPENED, Consultation
from contracts import (
    CommenterToTell,
    ConsultationClosedV1,
    ConsultationClosingSoonV1,
    ConsultationFinalizedV1,
    ConsultationOpenedV1,
    EventPayload,
)
from servicekit.store import Document as Stored

PUBLISHED = frozenset({OPENED, CLOSING_SOON, CLOSED, FINALIZED})


def public_url(base_url: str, draft_id: str) -> str:
    return f"{base_url.rstrip('/')}/consultations/{draft_id}"


def _common(state: Consultation, content: Content, url: str) -> dict[str, object]:
    return {
        "draft_id": state.id,
        "category": content.category,
        "districts": list(content.districts),
        "url": url,
        "title_fa": content.title_fa,
    }


def opened(state: Consultation, content: Content, url: str) -> EventPayload:
    window = state.windows[-1]
    return ConsultationOpenedV1.model_validate(
        _common(state, content, url)
        | {
            "version": state.consulted_version,
            "summary_fa": content.summary_fa,
            "opens_at": window.opens_at,
            "closes_at": window.closes_at,
        }
    )


def closing_soon(state: Consultation, content: Content, url: str) -> EventPayload:
    closes_at = state.windows[-1].closes_at
    return ConsultationClosingSoonV1.model_validate(_common(state, content, url) | {"closes_at": closes_at})


def closed(state: Consultation, content: Content, url: str, at: datetime, comments: int) -> EventPayload:
    return ConsultationClosedV1.model_validate(
        _common(state, content, url) | {"closed_at": at, "comment_count": comments}
    )


def finalized(
    state: Consultation, content: Content, url: str, at: datetime, summary: str, contacts: list[Stored]
) -> EventPayload:
    to_tell = [
        CommenterToTell(
            receipt=stored["_id"],
            mobile=stored["contact"].get("mobile"),
            email=stored["contact"].get("email"),
        )
        for stored in contacts
        if stored.get("contact")
    ]
    return ConsultationFinalizedV1.model_validate(
        _common(state, content, url)
        | {
            "final_version": state.final_version,
            "finalized_at": at,
            "summary_of_changes_fa": summary,
            "commenters_to_tell": to_tell,
        }
    )
