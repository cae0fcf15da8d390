"""Rendering the Persian pages: the template environment, labels, numbers and security headers."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from persiantools.digits import en_to_fa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STANCE_FA = {"for": "موافق", "neutral": "بی‌نظر", "against": "مخالف"}
SUBMITTER_FA = {"anonymous": "بی‌نام", "individual": "شخص", "organization": "سازمان یا نهاد"}
DECISION_FA = {
    "accepted": "پذیرفته شد",
    "partly_accepted": "بخشی پذیرفته شد",
    "not_accepted": "پذیرفته نشد",
    "out_of_scope": "خارج از موضوع",
}
CHANGE_FA = {"unchanged": "بدون تغییر", "changed": "تغییر کرد", "added": "افزوده شد", "removed": "حذف شد"}
STATUS_FA = {
    "open": "در حال نظرخواهی",
    "closed": "پایان مهلت نظرخواهی",
    "under_revision": "در حال بازنگری",
    "final": "ابلاغ‌شده",
}
ALL_DISTRICTS_FA = "همه مناطق"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
PAGE_PREFIXES = ("/consultations", "/drafts", "/privacy")


def fa(value: object) -> str:
    """Western digits as Persian ones."""
    text: str = en_to_fa(str(value))
    return text


def districts_fa(districts: list[str]) -> str:
    return "، ".join(fa(district) for district in districts) if districts else ALL_DISTRICTS_FA


def time_left_fa(seconds: int) -> str:
    if seconds <= 0:
        return "مهلت تمام شده است"
    days, hours = seconds // 86_400, seconds // 3_600
    if days >= 1:
        return f"{fa(days)} روز مانده"
    return f"{fa(hours)} ساعت مانده" if hours >= 1 else "کمتر از یک ساعت مانده"


templates = Environment(
    loader=PackageLoader("consultation", "templates"), autoescape=select_autoescape(["html"])
)
templates.filters.update(fa=fa, districts_fa=districts_fa, time_left_fa=time_left_fa)
templates.globals.update(
    STANCE_FA=STANCE_FA,
    SUBMITTER_FA=SUBMITTER_FA,
    DECISION_FA=DECISION_FA,
    CHANGE_FA=CHANGE_FA,
    STATUS_FA=STATUS_FA,
)


def render(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"} | (headers or {}))


class PageHeaders:
    """Security headers on every page, style sheet and refusal under the portal's paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PAGE_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.lower().encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.lower().encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
