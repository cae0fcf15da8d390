"""Persistence of consultations, comments and responses in the service's own MongoDB database."""

from consultation.store.comments import COMMENTS, CommentRepository
from consultation.store.consultations import CONSULTATIONS, ConsultationRepository
from consultation.store.responses import RESPONSES, ResponseRepository
from servicekit.store import ASCENDING, IndexSpec

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(CONSULTATIONS, [("status", ASCENDING), ("created_at", ASCENDING)], name="by_status"),
    IndexSpec(COMMENTS, [("draft_id", ASCENDING), ("received_at", ASCENDING)], name="by_draft"),
    IndexSpec(COMMENTS, [("draft_id", ASCENDING), ("status", ASCENDING)], name="by_draft_status"),
    IndexSpec(RESPONSES, [("draft_id", ASCENDING), ("at", ASCENDING)], name="by_draft"),
)

__all__ = [
    "COMMENTS",
    "CONSULTATIONS",
    "INDEXES",
    "RESPONSES",
    "CommentRepository",
    "ConsultationRepository",
    "ResponseRepository",
]
