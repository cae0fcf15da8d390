"""What anyone may do: list open consultations, read a draft, read and file comments, report one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from consultation.api.deps import Comments, DraftId, Receipt, Service, client_of
from consultation.api.models import CommentIn
from consultation.api.views import PUBLIC_STATUSES, public_comment, public_draft, public_summary
from consultation.domain.lifecycle import Status
from consultation.domain.receipts import display_receipt
from consultation.service.consultations import ConsultationService
from consultation.service.errors import Missing
from consultation.settings import ConsultationSettings
from servicekit.ratelimit import RateLimiter, refuse_over_limit
from servicekit.store import Document as Stored

router = APIRouter(prefix="/v1/consultations", tags=["consultations (public)"])
comments_router = APIRouter(prefix="/v1/comments", tags=["consultations (public)"])
Limit = Annotated[int, Query(ge=1, le=200)]


async def _public(service: ConsultationService, draft_id: str) -> Stored:
    stored = await service.stored(draft_id)
    if stored["status"] not in PUBLIC_STATUSES:
        raise Missing(f"draft {draft_id!r}")
    return stored


def _limit(request: Request, action: str, per_minute: int) -> None:
    limiter: RateLimiter = request.app.state.comment_limiter
    refuse_over_limit(limiter, f"{action}:{client_of(request)}", per_minute)


@router.get("", summary="Consultations open for comment now, with the time left")
async def open_consultations(service: Service) -> dict[str, Any]:
    found = await service.consultations.search([Status.OPEN.value])
    now = service.clock()
    items = [public_summary(stored, now) for stored in found]
    items.sort(key=lambda item: item["seconds_left"])
    return {"items": items, "count": len(items)}


@router.get("/{draft_id}", summary="A draft article by article, with its comment counts and windows")
async def read_draft(draft_id: DraftId, service: Service) -> dict[str, Any]:
    stored = await _public(service, draft_id)
    return public_draft(stored, service.clock(), await service.comments.counts(draft_id))


@router.get("/{draft_id}/comments", summary="Published comments; `article_id=` empty for the whole draft")
async def published(
    draft_id: DraftId,
    service: Service,
    article_id: Annotated[str | None, Query(max_length=64)] = None,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    await _public(service, draft_id)
    found = await service.comments.published(draft_id, article_id, skip, limit)
    return {"items": [public_comment(stored) for stored in found], "count": len(found)}


@router.post("/{draft_id}/comments", status_code=201, summary="Comment on the draft or one article")
async def file_comment(
    draft_id: DraftId, body: CommentIn, request: Request, service: Service, comments: Comments
) -> dict[str, Any]:
    settings: ConsultationSettings = request.app.state.settings
    _limit(request, "comment", settings.comments_per_minute)
    await _public(service, draft_id)
    comment, group_id = await comments.submit(
        draft_id,
        article_id=body.article_id,
        stance=body.stance,
        text=body.text_fa,
        submitter=body.submitter,
        contact=body.contact,
    )
    return {
        "receipt": comment.receipt,
        "receipt_display": display_receipt(comment.receipt),
        "status": comment.status.value,
        "group_id": group_id,
        "will_be_told": comment.contact is not None,
    }


@comments_router.post("/{receipt}/report", summary="Report a comment; three different people hide it")
async def report(receipt: Receipt, request: Request, comments: Comments) -> dict[str, Any]:
    settings: ConsultationSettings = request.app.state.settings
    _limit(request, "report", settings.reports_per_minute)
    stored = await comments.report(receipt, client_of(request))
    return {"receipt": receipt, "status": "published" if stored["status"] == "published" else "under_review"}
