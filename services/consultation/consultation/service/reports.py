"""The response report of a consultation, from its stored text, comments, groups and responses."""

from __future__ import annotations

from typing import Any

from consultation.domain import report as rules
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Status
from consultation.service.codec import comment_of, document_of, groups_of, response_of, state_of
from consultation.service.consultations import ConsultationService

REPORTABLE = frozenset({Status.CLOSED, Status.UNDER_REVISION, Status.FINAL})


async def build(service: ConsultationService, draft_id: str) -> rules.ResponseReport:
    stored = await service.stored(draft_id)
    state, document = state_of(stored), document_of(stored)
    if state.status not in REPORTABLE or state.consulted_version is None:
        raise Refusal(
            "illegal_transition",
            f"a response report exists once comment has closed, not in status {state.status}",
            f"گزارش پاسخ‌ها پس از پایان مهلت اظهارنظر تهیه می‌شود، نه در وضعیت «{state.status}»",
        )
    comments = await service.comments.of_draft(draft_id)
    responses = [response_of(found) for found in await service.responses.of_draft(draft_id)]
    final = state.final_version or document.latest.number
    return rules.build_report(
        document,
        state.consulted_version,
        final,
        [comment_of(found) for found in comments],
        responses,
        groups_of(comments),
    )


async def report_of(service: ConsultationService, draft_id: str) -> dict[str, Any]:
    return rules.report_json(await build(service, draft_id))


async def report_csv_of(service: ConsultationService, draft_id: str) -> str:
    return rules.report_csv(await build(service, draft_id))
