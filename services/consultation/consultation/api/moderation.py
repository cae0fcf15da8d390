"""Moderators: the queue of held and hidden comments, hiding and restoring with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from consultation.api.deps import Comments, Receipt, Service, actor_of
from consultation.api.models import ReasonIn
from consultation.api.views import staff_comment
from servicekit.auth import Role, StaffClaims, require_roles

router = APIRouter(prefix="/v1/moderation", tags=["moderation"])
Moderator = Annotated[StaffClaims, require_roles(Role.MODERATOR, Role.ADMIN)]


@router.get("/comments", summary="Comments held for review or hidden")
async def queue(
    _: Moderator,
    service: Service,
    draft_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    found = await service.comments.moderation_queue(draft_id, limit)
    return {"items": [staff_comment(stored) for stored in found], "count": len(found)}


@router.post("/comments/{receipt}/hide", summary="Hide a comment, with a reason")
async def hide(receipt: Receipt, body: ReasonIn, claims: Moderator, comments: Comments) -> dict[str, Any]:
    return staff_comment(await comments.hide(receipt, actor_of(claims), body.reason))


@router.post("/comments/{receipt}/restore", summary="Publish a held or hidden comment, with a reason")
async def restore(receipt: Receipt, body: ReasonIn, claims: Moderator, comments: Comments) -> dict[str, Any]:
    return staff_comment(await comments.restore(receipt, actor_of(claims), body.reason))
