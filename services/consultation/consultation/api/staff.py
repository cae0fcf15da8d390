"""Staff work on drafts: writing, versions, transitions, responses, audit and the response report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from consultation.api.deps import DraftId, Service, actor_of
from consultation.api.models import (
    DraftIn,
    ExtendIn,
    IssueIn,
    OpenIn,
    ReasonIn,
    ReopenIn,
    ResponseIn,
    VersionIn,
    content_of,
)
from consultation.api.views import staff_comment, staff_view, version_view
from consultation.domain.comments import ModerationMode
from consultation.domain.document import diff_versions
from consultation.domain.lifecycle import Status
from consultation.service.codec import document_of
from consultation.service.reports import report_csv_of, report_of
from servicekit.auth import Role, StaffClaims, require_roles

router = APIRouter(prefix="/v1/drafts", tags=["drafts (staff)"])
Author = Annotated[StaffClaims, require_roles(Role.AUTHOR, Role.ADMIN)]
Approver = Annotated[StaffClaims, require_roles(Role.APPROVER, Role.ADMIN)]
Responder = Annotated[StaffClaims, require_roles(Role.AUTHOR, Role.APPROVER, Role.ADMIN)]
AnyStaff = Annotated[StaffClaims, require_roles(Role.AUTHOR, Role.APPROVER, Role.MODERATOR, Role.ADMIN)]


@router.post("", status_code=201, summary="Write a new draft: its first version")
async def create_draft(body: DraftIn, claims: Author, service: Service, response: Response) -> dict[str, Any]:
    mode = ModerationMode(body.moderation)
    stored = await service.create(content_of(body), actor_of(claims), mode, body.note)
    response.headers["Location"] = f"{router.prefix}/{stored['_id']}"
    return staff_view(stored, service.clock())


@router.get("", summary="Every draft, newest first")
async def list_drafts(
    _: AnyStaff,
    service: Service,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    found = await service.consultations.search(None if status is None else [status.value], limit)
    now = service.clock()
    return {"items": [staff_view(stored, now) for stored in found], "count": len(found)}


@router.get("/{draft_id}", summary="One draft as staff see it")
async def get_draft(draft_id: DraftId, _: AnyStaff, service: Service) -> dict[str, Any]:
    return staff_view(await service.stored(draft_id), service.clock())


@router.post("/{draft_id}/versions", status_code=201, summary="Edit: the text's next version")
async def edit(draft_id: DraftId, body: VersionIn, claims: Author, service: Service) -> dict[str, Any]:
    stored = await service.edit(draft_id, content_of(body), actor_of(claims), body.note)
    return staff_view(stored, service.clock())


@router.get("/{draft_id}/versions", summary="Every version of the text")
async def versions(draft_id: DraftId, _: AnyStaff, service: Service) -> dict[str, Any]:
    document = document_of(await service.stored(draft_id))
    return {
        "items": [version_view(version) for version in document.versions],
        "count": len(document.versions),
    }


@router.get("/{draft_id}/diff", summary="Article by article, what changed between two versions")
async def diff(
    draft_id: DraftId,
    _: AnyStaff,
    service: Service,
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> dict[str, Any]:
    document = document_of(await service.stored(draft_id))
    return diff_versions(document, from_version, to_version).model_dump(mode="json")


@router.post("/{draft_id}/approve", summary="Approve the latest version (not by its author)")
async def approve(draft_id: DraftId, claims: Approver, service: Service) -> dict[str, Any]:
    return staff_view(await service.approve(draft_id, actor_of(claims)), service.clock())


@router.post("/{draft_id}/open", summary="Open for comment: at least 14 calendar days, Tehran time")
async def open_draft(
    draft_id: DraftId, claims: Approver, service: Service, body: OpenIn | None = None
) -> dict[str, Any]:
    days = (body or OpenIn()).days
    return staff_view(await service.open(draft_id, actor_of(claims), days), service.clock())


@router.post("/{draft_id}/extend", summary="Extend the open window, with a reason")
async def extend(draft_id: DraftId, body: ExtendIn, claims: Approver, service: Service) -> dict[str, Any]:
    stored = await service.extend(draft_id, actor_of(claims), body.last_day, body.reason)
    return staff_view(stored, service.clock())


@router.post("/{draft_id}/reopen", summary="Reopen a closed consultation with a new window")
async def reopen(draft_id: DraftId, body: ReopenIn, claims: Approver, service: Service) -> dict[str, Any]:
    stored = await service.reopen(draft_id, actor_of(claims), body.days, body.reason)
    return staff_view(stored, service.clock())


@router.post("/{draft_id}/revision", summary="Begin revising after the window closed")
async def begin_revision(draft_id: DraftId, claims: Author, service: Service) -> dict[str, Any]:
    return staff_view(await service.begin_revision(draft_id, actor_of(claims)), service.clock())


@router.post("/{draft_id}/withdraw", summary="Withdraw before issue, with a reason")
async def withdraw(draft_id: DraftId, body: ReasonIn, claims: Author, service: Service) -> dict[str, Any]:
    return staff_view(await service.withdraw(draft_id, actor_of(claims), body.reason), service.clock())


@router.post("/{draft_id}/issue", summary="Issue the final version; refused while a comment is unanswered")
async def issue(draft_id: DraftId, body: IssueIn, claims: Approver, service: Service) -> dict[str, Any]:
    stored = await service.issue(draft_id, actor_of(claims), body.summary_of_changes_fa)
    return staff_view(stored, service.clock())


@router.post("/{draft_id}/responses", status_code=201, summary="Respond to a comment or a comment group")
async def respond(draft_id: DraftId, body: ResponseIn, claims: Responder, service: Service) -> dict[str, Any]:
    answer = await service.respond(draft_id, body.target, body.decision, body.text_fa, actor_of(claims))
    return answer.model_dump(mode="json")


@router.get("/{draft_id}/comments", summary="Every comment with its group, status and reports")
async def comments(draft_id: DraftId, _: AnyStaff, service: Service) -> dict[str, Any]:
    await service.stored(draft_id)
    found = await service.comments.of_draft(draft_id)
    unanswered = await service.unanswered(draft_id)
    return {
        "items": [staff_comment(stored) for stored in found],
        "count": len(found),
        "unanswered": unanswered,
    }


@router.get("/{draft_id}/audit", summary="Who did what, when, from which state to which, and why")
async def audit(draft_id: DraftId, _: AnyStaff, service: Service) -> dict[str, Any]:
    stored = await service.stored(draft_id)
    return {"items": stored.get("audit", []), "emitted": stored.get("emitted", [])}


@router.get("/{draft_id}/report", summary="The response report as JSON")
async def report(draft_id: DraftId, _: AnyStaff, service: Service) -> dict[str, Any]:
    return await report_of(service, draft_id)


@router.get("/{draft_id}/report.csv", summary="The response report as CSV (UTF-8 with BOM)")
async def report_csv(draft_id: DraftId, _: AnyStaff, service: Service) -> Response:
    body = await report_csv_of(service, draft_id)
    headers = {"Content-Disposition": f'attachment; filename="report-{draft_id}.csv"'}
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)
