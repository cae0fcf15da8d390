"""Staff work on a consultation: write, approve, open, extend, reopen, revise, respond, issue, withdraw.

Every transition reads the stored state, lets the domain decide, and writes the outcome with a
conditional update on the status and revision it read; the events ride in the same write.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from consultation.domain import lifecycle
from consultation.domain.comments import ModerationMode
from consultation.domain.document import Content, Document, revise, start_document
from consultation.domain.lifecycle import (
    CLOSED,
    FINALIZED,
    OPENED,
    Actor,
    Consultation,
    Status,
    Transition,
    audit_entry,
)
from consultation.domain.report import Decision, Response, respond, unanswered
from consultation.service import events
from consultation.service.codec import (
    audit_field,
    comment_of,
    document_of,
    groups_of,
    response_of,
    state_fields,
    state_of,
    version_field,
)
from consultation.service.errors import LostRace, Missing
from consultation.settings import ConsultationSettings
from consultation.store import CONSULTATIONS, CommentRepository, ConsultationRepository, ResponseRepository
from contracts import EventPayload
from servicekit.outbox import Outbox, envelopes
from servicekit.store import Document as Stored

PRODUCER = "consultation"
Clock = Callable[[], datetime]


def new_draft_id() -> str:
    return f"d-{secrets.token_hex(4)}"


def now_utc() -> datetime:
    return datetime.now(UTC)


class ConsultationService:
    def __init__(
        self,
        consultations: ConsultationRepository,
        comments: CommentRepository,
        responses: ResponseRepository,
        outbox: Outbox,
        settings: ConsultationSettings,
        clock: Clock = now_utc,
    ) -> None:
        self.consultations = consultations
        self.comments = comments
        self.responses = responses
        self._outbox = outbox
        self._settings = settings
        self.clock = clock

    async def stored(self, draft_id: str) -> Stored:
        found = await self.consultations.get(draft_id)
        if found is None:
            raise Missing(f"draft {draft_id!r}")
        return found

    async def create(self, content: Content, actor: Actor, mode: ModerationMode, note: str | None) -> Stored:
        at, draft_id = self.clock(), new_draft_id()
        document = start_document(draft_id, content, actor.id, at, note)
        state = Consultation(id=draft_id, author=actor.id)
        audit = audit_entry("create", draft_id, actor.id, at, "-", state.status, note)
        stored = {
            "_id": draft_id,
            **state_fields(state),
            "versions": [version_field(document.latest)],
            "moderation_mode": mode.value,
            "created_at": at,
            "emitted": [],
            "audit": [audit_field(audit)],
            "outbox": [],
        }
        await self.consultations.insert(stored)
        return await self.stored(draft_id)

    async def edit(self, draft_id: str, content: Content, actor: Actor, note: str | None) -> Stored:
        stored, at = await self.stored(draft_id), self.clock()
        state = state_of(stored)
        lifecycle.ensure_editable(state)
        latest = revise(document_of(stored), content, actor.id, at, note).latest
        audit = audit_entry("edit", draft_id, actor.id, at, state.status, state.status, f"v{latest.number}")
        written = await self.consultations.apply(
            draft_id,
            {"status": state.status.value, "revision": state.revision},
            {"revision": state.revision + 1},
            {"versions": version_field(latest), "audit": audit_field(audit)},
        )
        if written is None:
            raise LostRace(draft_id)
        return written

    async def approve(self, draft_id: str, actor: Actor) -> Stored:
        stored = await self.stored(draft_id)
        latest = document_of(stored).latest.number
        return await self._commit(stored, lifecycle.approve(state_of(stored), actor, self.clock(), latest))

    async def open(self, draft_id: str, actor: Actor, days: int) -> Stored:
        stored = await self.stored(draft_id)
        state, at = state_of(stored), self.clock()
        transition = lifecycle.open_for_comment(state, actor, at, days, self._settings.timezone)
        return await self._commit(stored, transition)

    async def extend(self, draft_id: str, actor: Actor, last_day: date, reason: str | None) -> Stored:
        stored = await self.stored(draft_id)
        transition = lifecycle.extend(
            state_of(stored), actor, self.clock(), last_day, reason, self._settings.timezone
        )
        return await self._commit(stored, transition)

    async def reopen(self, draft_id: str, actor: Actor, days: int, reason: str | None) -> Stored:
        stored = await self.stored(draft_id)
        return await self._commit(
            stored, lifecycle.reopen(state_of(stored), actor, self.clock(), reason, days)
        )

    async def begin_revision(self, draft_id: str, actor: Actor) -> Stored:
        stored = await self.stored(draft_id)
        return await self._commit(stored, lifecycle.begin_revision(state_of(stored), actor, self.clock()))

    async def withdraw(self, draft_id: str, actor: Actor, reason: str | None) -> Stored:
        stored = await self.stored(draft_id)
        return await self._commit(stored, lifecycle.withdraw(state_of(stored), actor, self.clock(), reason))

    async def unanswered(self, draft_id: str) -> list[str]:
        comments = await self.comments.of_draft(draft_id)
        responses = [response_of(stored) for stored in await self.responses.of_draft(draft_id)]
        return unanswered([comment_of(stored) for stored in comments], responses, groups_of(comments))

    async def issue(self, draft_id: str, actor: Actor, summary: str) -> Stored:
        stored = await self.stored(draft_id)
        state, at = state_of(stored), self.clock()
        missing = len(await self.unanswered(draft_id))
        transition = lifecycle.issue(state, actor, at, document_of(stored).latest.number, missing)
        return await self._commit(stored, transition, summary=summary)

    async def respond(
        self, draft_id: str, target: str, decision: Decision, text: str, actor: Actor
    ) -> Response:
        stored = await self.stored(draft_id)
        groups = groups_of(await self.comments.of_draft(draft_id))
        if target not in groups and not any(target in members for members in groups.values()):
            raise Missing(f"comment or comment group {target!r} on draft {draft_id!r}")
        response = respond(state_of(stored).status, target, decision, text, actor, self.clock())
        await self.responses.insert(
            {"_id": secrets.token_hex(8), "draft_id": draft_id, **response.model_dump(mode="python")}
        )
        return response

    def url(self, draft_id: str) -> str:
        return events.public_url(self._settings.base_url, draft_id)

    async def _commit(self, stored: Stored, transition: Transition, **extra: Any) -> Stored:
        state, previous = transition.state, transition.previous
        payloads = await self._events(stored, transition, **extra)
        written = await self.consultations.apply(
            state.id,
            {"status": previous.status.value, "revision": previous.revision},
            state_fields(state),
            {"audit": audit_field(transition.audit)},
            envelopes(PRODUCER, *payloads),
        )
        if written is None:
            raise LostRace(state.id)
        await self._outbox.relay(CONSULTATIONS, state.id)
        if FINALIZED in transition.events:
            await self.erase_contacts(state.id)
        return written

    async def erase_contacts(self, draft_id: str) -> int:
        """Commenters' contacts leave the store once the final text is issued: the finalized event
        (already written with the draft) carries them to notify, which keeps them only until it has
        told each commenter."""
        erased = await self.comments.forget_contacts(draft_id)
        await self.consultations.apply(
            draft_id, {"status": Status.FINAL.value}, {"contacts_erased_at": self.clock()}, {}
        )
        return erased

    async def _events(self, stored: Stored, transition: Transition, summary: str = "") -> list[EventPayload]:
        state, document = transition.state, document_of(stored)
        content, url, at = content_of(document, state), self.url(state.id), transition.audit.at
        payloads: list[EventPayload] = []
        for name in transition.events:
            if name == OPENED:
                payloads.append(events.opened(state, content, url))
            elif name == CLOSED:
                payloads.append(events.closed(state, content, url, at, await self.comments.count(state.id)))
            elif name == FINALIZED:
                contacts = await self.comments.contacts(state.id)
                payloads.append(events.finalized(state, content, url, at, summary, contacts))
        return payloads


def content_of(document: Document, state: Consultation) -> Content:
    number = state.final_version or state.consulted_version or document.latest.number
    return document.version(number).content
