"""The portal's pages: open consultations, a draft with its comment form, published comments."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from consultation.api.deps import Comments, Service, client_of, status_of
from consultation.api.pages.csrf import COOKIE, FIELD, FormTokens, set_cookie
from consultation.api.pages.form import FIX_BELOW_FA, CommentForm
from consultation.api.pages.rendering import fa, render
from consultation.api.views import PUBLIC_STATUSES, public_comment, public_draft, public_summary
from consultation.domain.errors import Refusal
from consultation.domain.lifecycle import Status
from consultation.domain.receipts import display_receipt
from consultation.service import reports
from consultation.service.consultations import ConsultationService
from consultation.service.errors import Missing
from consultation.settings import ConsultationSettings
from servicekit.ratelimit import RateLimiter
from servicekit.store import Document as Stored

router = APIRouter(tags=["public portal (Persian HTML)"], include_in_schema=False)

NOT_FOUND_FA = "پیش‌نویسی با این نشانی برای نظرخواهی منتشر نشده است."
FORGED_FA = (
    "این فرم از صفحه‌ی همین سامانه فرستاده نشده یا مدت اعتبارش گذشته است. "
    "صفحه‌ی پیش‌نویس را دوباره باز کنید و نظر خود را از همان‌جا بفرستید."
)
RATE_LIMITED_FA = "تعداد نظرهای فرستاده‌شده بیش از حد مجاز است؛ لطفاً {seconds} ثانیه دیگر دوباره بفرستید."
PAGE_SIZE = 50
LONGEST_ID = 64
DRAFT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _tokens(request: Request) -> FormTokens:
    tokens: FormTokens = request.app.state.form_tokens
    return tokens


async def _public(service: ConsultationService, draft_id: str) -> Stored | None:
    if not 0 < len(draft_id) <= LONGEST_ID:
        return None
    try:
        stored = await service.stored(draft_id)
    except Missing:
        return None
    return stored if stored["status"] in PUBLIC_STATUSES else None


def _not_found() -> HTMLResponse:
    return render("message.html", 404, title="پیدا نشد", message=NOT_FOUND_FA)


def _retry_after(request: Request) -> int | None:
    """Seconds to wait when this client filed too many comments, counted with the JSON API's."""
    limiter: RateLimiter = request.app.state.comment_limiter
    settings: ConsultationSettings = request.app.state.settings
    key = f"comment:{client_of(request)}"
    return None if limiter.allow(key, settings.comments_per_minute) else limiter.retry_after(key)


@router.get("/privacy", response_class=HTMLResponse)
async def privacy() -> HTMLResponse:
    """What the system keeps about citizens, why, and for how long (Persian first, then English)."""
    return render("privacy.html")


@router.get("/consultations", response_class=HTMLResponse)
async def open_list(service: Service) -> HTMLResponse:
    found = await service.consultations.search([Status.OPEN.value])
    now = service.clock()
    items = sorted((public_summary(stored, now) for stored in found), key=lambda item: item["seconds_left"])
    return render("list.html", items=items)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
async def announced(draft_id: str) -> Response:
    """The address the consultation's events announce leads to its page."""
    if not DRAFT_ID.fullmatch(draft_id):
        return _not_found()
    return RedirectResponse(f"/consultations/{draft_id}", status_code=301)


async def _draft_page(
    request: Request,
    service: Service,
    stored: Stored,
    form: CommentForm,
    status: int = 200,
    message: str | None = None,
) -> Response:
    draft_id = stored["_id"]
    draft = public_draft(stored, service.clock(), await service.comments.counts(draft_id))
    report = None
    if draft["status"] == Status.FINAL.value:
        report = (await reports.report_of(service, draft_id))["articles"]
    token = _tokens(request).for_page(request)
    response = render(
        "draft.html", status, draft=draft, form=form, message=message, report=report, token=token, field=FIELD
    )
    if draft["accepting_comments"]:
        set_cookie(response, request, token)
    return response


@router.get("/consultations/{draft_id}", response_class=HTMLResponse)
async def draft_page(
    draft_id: str,
    request: Request,
    service: Service,
    article: Annotated[str, Query(max_length=LONGEST_ID)] = "",
) -> Response:
    stored = await _public(service, draft_id)
    if stored is None:
        return _not_found()
    return await _draft_page(request, service, stored, CommentForm(article_id=article))


@router.post("/consultations/{draft_id}", response_class=HTMLResponse)
async def file_comment(draft_id: str, request: Request, service: Service, comments: Comments) -> Response:
    data = await request.form()
    submitted = data.get(FIELD)
    if not _tokens(request).matches(
        request.cookies.get(COOKIE), submitted if isinstance(submitted, str) else None
    ):
        back = f"/consultations/{draft_id}" if len(draft_id) <= LONGEST_ID else "/consultations"
        return render("message.html", 403, title="فرم پذیرفته نشد", message=FORGED_FA, back=back)
    stored = await _public(service, draft_id)
    if stored is None:
        return _not_found()
    form = CommentForm.read(data)
    retry_after = _retry_after(request)
    if retry_after is not None:
        message = RATE_LIMITED_FA.format(seconds=fa(retry_after))
        response = await _draft_page(request, service, stored, form, 429, message)
        response.headers["Retry-After"] = str(retry_after)
        return response
    if not form.valid:
        return await _draft_page(request, service, stored, form, 422, FIX_BELOW_FA)
    return await _submit(request, service, comments, stored, form)


async def _submit(
    request: Request, service: Service, comments: Comments, stored: Stored, form: CommentForm
) -> Response:
    try:
        comment, _ = await comments.submit(
            stored["_id"],
            article_id=form.target(),
            stance=form.chosen_stance(),
            text=form.text_fa,
            submitter=form.submitter(),
            contact=form.private_contact(),
        )
    except Refusal as refusal:
        return await _draft_page(request, service, stored, form, status_of(refusal), fa(refusal.message_fa))
    draft = public_summary(stored, service.clock())
    return render(
        "received.html",
        201,
        draft=draft,
        receipt=display_receipt(comment.receipt),
        published=comment.status.value == "published",
        will_be_told=comment.contact is not None,
    )


@router.get("/consultations/{draft_id}/comments", response_class=HTMLResponse)
async def comments_page(
    draft_id: str,
    service: Service,
    article: Annotated[str | None, Query(max_length=LONGEST_ID)] = None,
    skip: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    stored = await _public(service, draft_id)
    if stored is None:
        return _not_found()
    draft = public_draft(stored, service.clock(), await service.comments.counts(draft_id))
    found = await service.comments.published(draft_id, article, skip, PAGE_SIZE + 1)
    items: list[dict[str, Any]] = [public_comment(one) for one in found[:PAGE_SIZE]]
    return render(
        "comments.html",
        draft=draft,
        article=_article(draft, article),
        article_key=article,
        items=items,
        skip=skip,
        more=len(found) > PAGE_SIZE,
        page_size=PAGE_SIZE,
    )


def _article(draft: dict[str, Any], article_id: str | None) -> dict[str, Any] | None:
    for section in draft["sections"]:
        for article in section["articles"]:
            if article["id"] == article_id:
                found: dict[str, Any] = article
                return found
    return None
