"""Public comments: filing (window checked against the stored windows), grouping, reports, moderation."""

from __future__ import annotations

import asyncio

from consultation.domain import comments as rules
from consultation.domain.comments import (
    Comment,
    CommentWindowClosed,
    Moderation,
    ModerationMode,
    PrivateContact,
    Stance,
    Submitter,
)
from consultation.domain.grouping import CommentGrouper
from consultation.domain.lifecycle import Actor
from consultation.service.codec import audit_field, comment_fields, comment_of, document_of, state_of
from consultation.service.consultations import ConsultationService
from consultation.service.errors import LostRace, Missing
from servicekit.store import Document as Stored

REPORT_ATTEMPTS = 5


class Groupers:
    """One grouper per draft, kept in memory and rebuilt from the stored comments at first use."""

    def __init__(self, service: ConsultationService) -> None:
        self._service = service
        self._groupers: dict[str, CommentGrouper] = {}
        self._lock = asyncio.Lock()

    async def of(self, draft_id: str) -> CommentGrouper:
        async with self._lock:
            grouper = self._groupers.get(draft_id)
            if grouper is None:
                stored = await self._service.comments.texts(draft_id)
                grouper = self._groupers[draft_id] = CommentGrouper.from_comments(stored)
            return grouper


class CommentService:
    def __init__(self, service: ConsultationService) -> None:
        self._service = service
        self._comments = service.comments
        self.groupers = Groupers(service)

    async def submit(
        self,
        draft_id: str,
        *,
        article_id: str | None,
        stance: Stance,
        text: str,
        submitter: Submitter,
        contact: PrivateContact | None,
    ) -> tuple[Comment, str]:
        """File a comment now, or refuse it by the stored windows; the comment and its group id."""
        stored, at = await self._service.stored(draft_id), self._service.clock()
        state = state_of(stored)
        if state.consulted_version is None:
            raise CommentWindowClosed(at)
        comment = rules.receive_comment(
            draft_id=draft_id,
            consulted=document_of(stored).version(state.consulted_version),
            windows=state.windows,
            at=at,
            stance=stance,
            text=text,
            submitter=submitter,
            article_id=article_id,
            contact=contact,
            mode=ModerationMode(stored.get("moderation_mode", ModerationMode.IMMEDIATE)),
        )
        group_id = (await self.groupers.of(draft_id)).add(comment.receipt, comment.text_fa)
        await self._comments.insert(
            {
                "_id": comment.receipt,
                **comment_fields(comment),
                "group_id": group_id,
                "revision": 0,
                "audit": [],
            }
        )
        return comment, group_id

    async def report(self, receipt: str, reporter: str) -> Stored:
        """Count a report by `reporter`; retried on a concurrent write, since reports only accumulate."""
        for _ in range(REPORT_ATTEMPTS):
            stored = await self._existing(receipt)
            moderation = rules.report(comment_of(stored), reporter, self._service.clock())
            written = await self._write(stored, moderation)
            if written is not None:
                return written
        raise LostRace(f"comment {receipt}")

    async def hide(self, receipt: str, actor: Actor, reason: str | None) -> Stored:
        stored = await self._existing(receipt)
        return await self._moderate(
            stored, rules.hide(comment_of(stored), actor, self._service.clock(), reason)
        )

    async def restore(self, receipt: str, actor: Actor, reason: str | None) -> Stored:
        stored = await self._existing(receipt)
        moderation = rules.restore(comment_of(stored), actor, self._service.clock(), reason)
        return await self._moderate(stored, moderation)

    async def _existing(self, receipt: str) -> Stored:
        stored = await self._comments.get(receipt)
        if stored is None:
            raise Missing(f"comment {receipt}")
        return stored

    async def _moderate(self, stored: Stored, moderation: Moderation) -> Stored:
        written = await self._write(stored, moderation)
        if written is None:
            raise LostRace(f"comment {stored['_id']}")
        return written

    async def _write(self, stored: Stored, moderation: Moderation) -> Stored | None:
        comment = moderation.comment
        changes = {
            "status": comment.status.value,
            "reporters": sorted(comment.reporters),
            "reports_reviewed": comment.reports_reviewed,
        }
        audit = None if moderation.audit is None else audit_field(moderation.audit)
        return await self._comments.apply(stored["_id"], stored.get("revision", 0), changes, audit)
