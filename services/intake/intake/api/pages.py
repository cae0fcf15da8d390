"""The citizen's tracking page: server-rendered Persian HTML over the same public view as the JSON lookup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from intake.api.deps import IntakeServiceDep
from intake.api.track import track_retry_after
from intake.domain.persian import normalize_number
from intake.domain.tracking import parse_tracking_code
from intake.jalali import persian_digits
from intake.receipt import templates

router = APIRouter(tags=["citizens"])

STATUS_FA = {
    "submitted": "ثبت شده",
    "routed": "ارجاع شده به واحد مسئول",
    "accepted": "پذیرفته شده",
    "in_progress": "در حال رسیدگی",
    "on_hold": "متوقف موقت",
    "resolved": "رسیدگی شده",
    "rejected": "رد شده",
    "closed": "بسته شده",
    "reopened": "بازگشایی شده",
}
STATUS_UNKNOWN_FA = "در حال پیگیری"
NOT_FOUND_FA = "درخواستی با این مشخصات یافت نشد"
RATE_LIMITED_FA = "تعداد جست‌وجوها بیش از حد مجاز است؛ لطفاً {seconds} ثانیه دیگر دوباره تلاش کنید."
CODE_MISSING_FA = "کد رهگیری را که در رسید یا پیامک آمده است وارد کنید."
CODE_MALFORMED_FA = "این کد رهگیری درست نیست؛ کد ۱۲ رقمی را دوباره با رسید یا پیامک مقایسه کنید."
LAST4_MISSING_FA = "چهار رقم آخر شماره همراهی را که هنگام ثبت درخواست داده‌اید وارد کنید."
LAST4_MALFORMED_FA = "فقط چهار رقم آخر شماره همراه را وارد کنید؛ مثلاً ۴۵۶۷."
LONGEST_INPUT = 40  # longer input is not a code a person typed; it is not echoed back

# The code travels in the URL: keep it out of caches, referrers and frames.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


@dataclass
class TrackForm:
    code: str = ""
    last4: str = ""
    tracking_code: str | None = None
    hints: dict[str, str] = field(default_factory=dict)
    malformed: bool = False

    @classmethod
    def read(cls, code: str, last4: str) -> TrackForm:
        code, last4 = code.strip(), last4.strip()
        form = cls(code=_echo(code), last4=_echo(last4), tracking_code=parse_tracking_code(code))
        if code and form.tracking_code is None:
            form.hints["code"] = CODE_MALFORMED_FA
        if last4 and not _is_last4(last4):
            form.hints["last4"] = LAST4_MALFORMED_FA
        form.malformed = bool(form.hints)
        if code or last4:
            if not code:
                form.hints["code"] = CODE_MISSING_FA
            if not last4:
                form.hints["last4"] = LAST4_MISSING_FA
        return form

    @property
    def complete(self) -> bool:
        return self.tracking_code is not None and _is_last4(self.last4)


def status_fa(status: str) -> str:
    return STATUS_FA.get(status, STATUS_UNKNOWN_FA)


def _echo(value: str) -> str:
    value = value.strip()
    return value if len(value) <= LONGEST_INPUT else ""


def _is_last4(value: str) -> bool:
    digits = normalize_number(value)
    return len(digits) == 4 and digits.isascii() and digits.isdigit()


@router.get("/track", response_class=HTMLResponse, summary="Tracking page for citizens (Persian HTML)")
async def track_page(
    request: Request, intake: IntakeServiceDep, code: str = "", last4: str = ""
) -> HTMLResponse:
    form = TrackForm.read(code, last4)
    if form.malformed:
        return render(422, form)
    if not form.complete or form.tracking_code is None:
        return render(200, form)
    retry_after = track_retry_after(request, form.tracking_code)
    if retry_after is not None:
        message = RATE_LIMITED_FA.format(seconds=persian_digits(retry_after))
        return render(429, form, message=message, headers={"Retry-After": str(retry_after)})
    view = await intake.track(form.tracking_code, normalize_number(form.last4))
    if view is None:
        return render(404, form, message=NOT_FOUND_FA)
    return render(200, form, result=view)


def render(
    status: int,
    form: TrackForm,
    *,
    message: str | None = None,
    result: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    html = templates.get_template("track.html").render(
        form=form, message=message, result=result, status_fa=status_fa
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS | (headers or {}))
