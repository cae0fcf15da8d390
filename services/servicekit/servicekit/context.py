"""Per-request and per-message context: the correlation id that follows one request."""

import uuid
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    """The id of the request or event being handled, or a fresh one outside any."""
    return correlation_id_var.get() or str(uuid.uuid4())
