"""Message texts: plain format strings keyed by (template, language), Persian first."""

from __future__ import annotations

from typing import Final

from contracts import Language, RequestStatus

REQUEST_RECEIVED: Final = "request.received"
REQUEST_ROUTED: Final = "request.routed"
REQUEST_STATUS_CHANGED: Final = "request.status_changed"
CONSULTATION_OPENED: Final = "consultation.opened"

TEMPLATES: Final[dict[tuple[str, Language], str]] = {
    (REQUEST_RECEIVED, Language.FA): (
        "درخواست شما در پیشخوان شهرداری ثبت شد.\nکد رهگیری: {tracking_code}\nپیگیری: {tracking_link}"
    ),
    (REQUEST_RECEIVED, Language.EN): (
        "Your request was filed with the municipality.\nTracking code: {tracking_code}\n"
        "Track it: {tracking_link}"
    ),
    (REQUEST_ROUTED, Language.FA): (
        "درخواست {tracking_code} به {unit_name_fa} ارجاع شد.\nپیگیری: {tracking_link}"
    ),
    (REQUEST_ROUTED, Language.EN): (
        "Your request {tracking_code} was referred to {unit_name_en}.\nTrack it: {tracking_link}"
    ),
    (REQUEST_STATUS_CHANGED, Language.FA): (
        "وضعیت درخواست {tracking_code}: {status_fa}\n{note_fa}\nپیگیری: {tracking_link}"
    ),
    (REQUEST_STATUS_CHANGED, Language.EN): (
        "Request {tracking_code} is now: {status_en}\n{note_fa}\nTrack it: {tracking_link}"
    ),
    (CONSULTATION_OPENED, Language.FA): ("نظرخواهی عمومی: «{title_fa}»\nمهلت ثبت نظر تا {closes_at_fa}"),
}

STATUS_FA: Final[dict[RequestStatus, str]] = {
    RequestStatus.SUBMITTED: "ثبت شده",
    RequestStatus.ROUTED: "ارجاع شده",
    RequestStatus.ACCEPTED: "پذیرفته شده",
    RequestStatus.IN_PROGRESS: "در حال رسیدگی",
    RequestStatus.ON_HOLD: "در انتظار",
    RequestStatus.RESOLVED: "رسیدگی شده",
    RequestStatus.REJECTED: "رد شده",
    RequestStatus.CLOSED: "بسته شده",
    RequestStatus.REOPENED: "بازگشایی شده",
}

STATUS_EN: Final[dict[RequestStatus, str]] = {
    RequestStatus.SUBMITTED: "submitted",
    RequestStatus.ROUTED: "referred",
    RequestStatus.ACCEPTED: "accepted",
    RequestStatus.IN_PROGRESS: "in progress",
    RequestStatus.ON_HOLD: "on hold",
    RequestStatus.RESOLVED: "resolved",
    RequestStatus.REJECTED: "rejected",
    RequestStatus.CLOSED: "closed",
    RequestStatus.REOPENED: "reopened",
}


def render(template: str, language: Language, **values: str) -> str:
    """The text of `template` in `language`, or in Persian when that language has none."""
    text = TEMPLATES.get((template, language)) or TEMPLATES[(template, Language.FA)]
    rendered = text.format(**values)
    return "\n".join(line for line in rendered.splitlines() if line.strip())


def tracking_link(tracking_url: str, tracking_code: str) -> str:
    return f"{tracking_url.rstrip('/')}?code={tracking_code}"
