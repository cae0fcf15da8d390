"""What every consultation endpoint needs: the use cases, the caller, and refusals as problems."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse

from consultation.domain.errors import DomainError, Refusal
from consultation.domain.lifecycle import Actor
from consultation.service.comments import CommentService
from consultation.service.consultations import ConsultationService
from consultation.service.errors import LostRace, Missing
from servicekit.auth import StaffClaims
from servicekit.errors import problem_response
from servicekit.ratelimit import client_address

# state conflicts; rules the request itself breaks are 422
CONFLICTS = frozenset(
    {
        "illegal_transition",
        "not_editable",
        "already_closed",
        "still_open",
        "unanswered_comments",
        "comment_window_closed",
        "no_change",
        "not_closed",
        "stale_edit",
    }
)
FORBIDDEN = frozenset({"forbidden", "self_approval"})
NOT_FOUND = frozenset({"unknown_version"})
LOST_RACE_FA = "هم‌زمان کس دیگری این مورد را تغییر داد؛ دوباره بخوانید"


def status_of(refusal: Refusal) -> int:
    if refusal.code in CONFLICTS:
        return 409
    if refusal.code in FORBIDDEN:
        return 403
    return 404 if refusal.code in NOT_FOUND else 422


def _problem(error: DomainError) -> JSONResponse:
    if isinstance(error, Refusal):
        errors = [{"code": error.code, "msg": error.message_en, "msg_fa": error.message_fa}]
        return problem_response(status_of(error), error.code, error.message_en, errors)
    if isinstance(error, Missing):
        errors = [{"code": "not_found", "msg": str(error), "msg_fa": "پیدا نشد"}]
        return problem_response(404, "not_found", str(error), errors)
    if isinstance(error, LostRace):
        errors = [{"code": "conflict", "msg": str(error), "msg_fa": LOST_RACE_FA}]
        return problem_response(409, "conflict", str(error), errors)
    return problem_response(422, "refused", str(error))


def install_refusals(app: FastAPI) -> None:
    async def on_domain_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        return _problem(error)

    app.add_exception_handler(DomainError, on_domain_error)


def consultation_service(request: Request) -> ConsultationService:
    service: ConsultationService = request.app.state.consultation_service
    return service


def comment_service(request: Request) -> CommentService:
    service: CommentService = request.app.state.comment_service
    return service


def actor_of(claims: StaffClaims) -> Actor:
    return Actor(id=claims.sub, roles=frozenset(str(role) for role in claims.roles))


def client_of(request: Request) -> str:
    return client_address(request)


Service = Annotated[ConsultationService, Depends(consultation_service)]
Comments = Annotated[CommentService, Depends(comment_service)]
DraftId = Annotated[str, Path(min_length=1, max_length=64, examples=["d-1f3a9c07"])]
Receipt = Annotated[str, Path(min_length=1, max_length=32, examples=["12345678901"])]
