"""The rules of public consultation, free of HTTP, AMQP and storage."""

from consultation.domain.drafts import (
    Draft,
    DraftStatus,
    IllegalTransition,
    allowed_next,
    ensure_transition,
    new_draft_id,
    start_draft,
)
from consultation.domain.errors import DomainError
from consultation.domain.jalali import jalali_date, jalali_datetime
from consultation.domain.text import normalise_fa
from consultation.domain.window import comment_window, is_within

__all__ = [
    "DomainError",
    "Draft",
    "DraftStatus",
    "IllegalTransition",
    "allowed_next",
    "comment_window",
    "ensure_transition",
    "is_within",
    "jalali_date",
    "jalali_datetime",
    "new_draft_id",
    "normalise_fa",
    "start_draft",
]
