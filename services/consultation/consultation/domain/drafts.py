"""A draft rule and the life it goes through: draft -> open -> closed -> finalized."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consultation.domain.errors import DomainError

DRAFT_ID_PREFIX = "d-"


class DraftStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FINALIZED = "finalized"


_NEXT: dict[DraftStatus, frozenset[DraftStatus]] = {
    DraftStatus.DRAFT: frozenset({DraftStatus.OPEN}),
    DraftStatus.OPEN: frozenset({DraftStatus.CLOSED}),
    DraftStatus.CLOSED: frozenset({DraftStatus.FINALIZED}),
    DraftStatus.FINALIZED: frozenset(),
}


class IllegalTransition(DomainError):
    def __init__(self, current: DraftStatus, target: DraftStatus) -> None:
        super().__init__(f"a draft in status {current!s} cannot become {target!s}")
        self.current = current
        self.target = target


def allowed_next(current: DraftStatus) -> frozenset[DraftStatus]:
    return _NEXT[current]


def ensure_transition(current: DraftStatus, target: DraftStatus) -> DraftStatus:
    """`target` if a draft in `current` may move to it; `IllegalTransition` otherwise."""
    if target not in _NEXT[current]:
        raise IllegalTransition(current, target)
    return target


def new_draft_id() -> str:
    return f"{DRAFT_ID_PREFIX}{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Draft:
    id: str
    status: DraftStatus
    version: int
    title_fa: str
    summary_fa: str
    body_fa: str
    title_en: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def start_draft(
    *, title_fa: str, summary_fa: str, body_fa: str, title_en: str | None, created_by: str, now: datetime
) -> Draft:
    """A new draft, not yet open for comment, at its first version."""
    return Draft(
        id=new_draft_id(),
        status=DraftStatus.DRAFT,
        version=1,
        title_fa=title_fa,
        summary_fa=summary_fa,
        body_fa=body_fa,
        title_en=title_en,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
