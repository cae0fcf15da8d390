"""Drafts: staff write them and open them for comment; anyone may read them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from consultation.api.models import DraftIn, DraftList, DraftOut, DraftSummary
from consultation.domain import (
    Draft,
    DraftStatus,
    IllegalTransition,
    comment_window,
    ensure_transition,
    start_draft,
)
from consultation.settings import ConsultationSettings
from consultation.store import DRAFTS, DraftRepository
from servicekit.auth import Role, Staff, require_roles
from servicekit.errors import Problem
from servicekit.outbox import Outbox

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])
STAFF_ONLY = [require_roles(Role.ADMIN, Role.MODERATOR)]


def drafts_repository(request: Request) -> DraftRepository:
    return DraftRepository(request.app.state.store)


def consultation_settings(request: Request) -> ConsultationSettings:
    settings: ConsultationSettings = request.app.state.settings
    return settings


Drafts = Annotated[DraftRepository, Depends(drafts_repository)]
Settings = Annotated[ConsultationSettings, Depends(consultation_settings)]
DraftId = Annotated[str, Path(min_length=1, max_length=64, examples=["d-1f3a9c07"])]


async def _existing(drafts: DraftRepository, draft_id: str) -> Draft:
    draft = await drafts.get(draft_id)
    if draft is None:
        raise Problem(404, "draft_not_found", f"no draft {draft_id!r}")
    return draft


def _conflict(error: IllegalTransition) -> Problem:
    return Problem(409, "illegal_transition", str(error))


@router.post("", status_code=201, dependencies=STAFF_ONLY, summary="Write a new draft (not yet open)")
async def create_draft(
    body: DraftIn, claims: Staff, drafts: Drafts, settings: Settings, response: Response
) -> DraftOut:
    draft = start_draft(
        title_fa=body.title_fa,
        summary_fa=body.summary_fa,
        body_fa=body.body_fa,
        title_en=body.title_en,
        created_by=claims.sub,
        now=datetime.now(UTC),
    )
    stored = await drafts.insert(draft)
    response.headers["Location"] = f"{router.prefix}/{stored.id}"
    return DraftOut.of(stored, settings.timezone)


@router.get("", summary="List drafts, newest first")
async def list_drafts(
    drafts: Drafts,
    settings: Settings,
    status: DraftStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DraftList:
    found = await drafts.search(status, limit)
    return DraftList(items=[DraftSummary.of(draft, settings.timezone) for draft in found], count=len(found))


@router.get("/{draft_id}", summary="One draft, with its comment window")
async def get_draft(draft_id: DraftId, drafts: Drafts, settings: Settings) -> DraftOut:
    return DraftOut.of(await _existing(drafts, draft_id), settings.timezone)


@router.post("/{draft_id}/open", dependencies=STAFF_ONLY, summary="Open a draft for public comment")
async def open_draft(draft_id: DraftId, request: Request, drafts: Drafts, settings: Settings) -> DraftOut:
    draft = await _existing(drafts, draft_id)
    try:
        ensure_transition(draft.status, DraftStatus.OPEN)
    except IllegalTransition as error:
        raise _conflict(error) from error
    now = datetime.now(UTC)
    opens_at, closes_at = comment_window(now, settings.comment_window_days, settings.timezone)
    opened = await drafts.open(draft, opens_at, closes_at, now)
    if opened is None:
        current = await _existing(drafts, draft_id)
        raise _conflict(IllegalTransition(current.status, DraftStatus.OPEN))
    outbox: Outbox = request.app.state.outbox
    await outbox.relay(DRAFTS, opened.id)
    return DraftOut.of(opened, settings.timezone)
