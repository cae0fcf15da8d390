"""The schedule watch: announce closing-soon and close consultations whose window has ended.

Each event is written with a conditional update that matches only while its marker is absent
(and, for the close, while the status and revision are still what this process read), so with
several consultation processes exactly one of them emits it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from consultation.domain import lifecycle
from consultation.domain.grouping import CommentGrouper
from consultation.domain.lifecycle import CLOSED, Consultation, Status
from consultation.domain.schedule import DueEvent, due_events
from consultation.service import events
from consultation.service.codec import audit_field, document_of, state_fields, state_of
from consultation.service.consultations import PRODUCER, ConsultationService, content_of
from consultation.store import CONSULTATIONS
from servicekit.outbox import Outbox, envelopes
from servicekit.store import Document as Stored

log = logging.getLogger("consultation.schedule")


class ScheduleWatch:
    def __init__(self, service: ConsultationService, outbox: Outbox) -> None:
        self._service = service
        self._outbox = outbox

    async def scan(self, now: datetime | None = None) -> int:
        """Emit what is due; returns how many events this process staged."""
        now = now or self._service.clock()
        fired = 0
        for stored in await self._service.consultations.search([Status.OPEN.value], limit=10_000):
            state = state_of(stored)
            for due in due_events(state, now, stored.get("emitted") or []):
                fired += await self._emit(stored, state, due, now)
        for draft_id in await self._service.consultations.final_with_contacts():
            await self._service.erase_contacts(draft_id)
        return fired

    async def _emit(self, stored: Stored, state: Consultation, due: DueEvent, now: datetime) -> int:
        content = content_of(document_of(stored), state)
        url = self._service.url(state.id)
        expected: Stored = {"status": Status.OPEN.value, "emitted": {"$ne": due.marker}}
        if due.name == CLOSED:
            transition = lifecycle.close(state, now)
            count = await self._service.comments.count(state.id)
            payload = events.closed(transition.state, content, url, now, count)
            expected["revision"] = state.revision
            changes = state_fields(transition.state)
            pushes: Stored = {"emitted": due.marker, "audit": audit_field(transition.audit)}
        else:
            payload = events.closing_soon(state, content, url)
            changes, pushes = {"closing_soon_at": now}, {"emitted": due.marker}
        written = await self._service.consultations.apply(
            state.id, expected, changes, pushes, envelopes(PRODUCER, payload)
        )
        if written is None:
            return 0  # another process emitted it first, or the state moved on
        await self._outbox.relay(CONSULTATIONS, state.id)
        log.info("emitted %s for %s", due.name, state.id)
        if due.name == CLOSED:
            await self.settle_groups(state.id)
        return 1

    async def settle_groups(self, draft_id: str) -> int:
        """Regroup every comment once, in arrival order, when the window closes.

        Each process groups the comments it receives in its own memory, so a campaign filed
        through two processes can be split; the process that won the close settles one
        grouping for the responses and the report. Returns how many comments moved.
        """
        stored = await self._service.comments.groups(draft_id)
        grouper = CommentGrouper.from_comments((receipt, text) for receipt, text, _ in stored)
        current = {receipt: group_id for receipt, _, group_id in stored}
        moved = 0
        for members in grouper.groups().values():
            keep = _surviving_id(members, current)
            for receipt in members:
                if current.get(receipt) != keep:
                    await self._service.comments.set_group(receipt, keep)
                    moved += 1
        if moved:
            log.info("settled the comment groups of %s: %d comment(s) regrouped", draft_id, moved)
        return moved


def _surviving_id(members: list[str], current: dict[str, str | None]) -> str:
    """Merged groups keep the id of the earliest group among them, so ids already shown stay."""
    existing = {current[receipt] for receipt in members if current.get(receipt)}
    for receipt in members:
        if receipt in existing:
            return receipt
    return next(iter(sorted(group for group in existing if group)), members[0])
