"""When a consultation's scheduled events are due: closing soon (48 hours before) and closed.

Whether a comment is accepted never depends on these: the stored windows decide that at the
moment a comment arrives. These only drive the announcements.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pydantic import AwareDatetime

from consultation.domain.lifecycle import (
    CLOSED,
    CLOSING_SOON,
    CLOSING_SOON_BEFORE,
    CommentWindow,
    Consultation,
    Record,
    Status,
)


class DueEvent(Record):
    """A scheduled event whose moment has come; `marker` is stored once it is emitted."""

    name: str
    marker: str
    window: int
    due_at: AwareDatetime


def closing_soon_marker(window: CommentWindow) -> str:
    # the close instant is part of the marker: an extended window warns again for its new close
    return f"{CLOSING_SOON}:w{window.number}:{int(window.closes_at.timestamp())}"


def closed_marker(window: CommentWindow) -> str:
    return f"{CLOSED}:w{window.number}"


def due_events(state: Consultation, now: datetime, emitted: Collection[str]) -> list[DueEvent]:
    """Scheduled events due at `now` whose markers are not in `emitted`.

    To emit one exactly once across processes, write the marker with a conditional update that
    matches only while the marker is absent (and, for the close, while the status is still open);
    only the process whose update matched emits.
    """
    if state.status is not Status.OPEN or not state.windows:
        return []
    window = state.windows[-1]
    warn_at = window.closes_at - CLOSING_SOON_BEFORE
    due: list[DueEvent] = []
    soon = closing_soon_marker(window)
    if warn_at <= now <= window.closes_at and soon not in emitted:
        due.append(DueEvent(name=CLOSING_SOON, marker=soon, window=window.number, due_at=warn_at))
    ended = closed_marker(window)
    if now > window.closes_at and ended not in emitted:
        due.append(DueEvent(name=CLOSED, marker=ended, window=window.number, due_at=window.closes_at))
    return due
