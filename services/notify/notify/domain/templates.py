"""Which template each event uses, and the default texts seeded when the store has none.

Texts use `((name))` placeholders (see `placeholders`); each default is checked against what its
event provides by the unit tests, exactly as a template saved by staff is checked on save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from contracts import Channel, Language, RequestStatus
from notify.domain import placeholders

REQUEST_RECEIVED: Final = "request.received"
REQUEST_ROUTED: Final = "request.routed"
REQUEST_STATUS_CHANGED: Final = "request.status_changed"
CONSULTATION_OPENED: Final = "consultation.opened"
CONSULTATION_CLOSING_SOON: Final = "consultation.closing_soon"
CONSULTATION_CLOSED: Final = "consultation.closed"
CONSULTATION_FINALIZED: Final = "consultation.finalized"
# Staff alerts: notify's own messages to a unit's contact, in Persian, keyed by these names.
STAFF_ESCALATED: Final = "staff.request_escalated"
STAFF_WARNING: Final = "staff.sla_warning"
STAFF_DIGEST: Final = "staff.overdue_digest"
STAFF_TEMPLATES: Final = (STAFF_ESCALATED, STAFF_WARNING, STAFF_DIGEST)

TEMPLATE_NAMES: Final[dict[str, str]] = {
    "request.submitted.v1": REQUEST_RECEIVED,
    "request.routed.v1": REQUEST_ROUTED,
    "request.status_changed.v1": REQUEST_STATUS_CHANGED,
    "consultation.opened.v1": CONSULTATION_OPENED,
    "consultation.closing_soon.v1": CONSULTATION_CLOSING_SOON,
    "consultation.closed.v1": CONSULTATION_CLOSED,
    "consultation.finalized.v1": CONSULTATION_FINALIZED,
    "subscription.confirmation": "subscription.confirmation",
    **{name: name for name in STAFF_TEMPLATES},
}
CHANNELS: Final = (Channel.SMS, Channel.EMAIL)
# Messages of notify's own, not caused by another service's event.
OWN_PLACEHOLDERS: Final[dict[str, frozenset[str]]] = {
    "subscription.confirmation": frozenset({"code"}),
    STAFF_ESCALATED: frozenset({"tracking_code", "unit_name", "target_name", "level", "due_at", "case_link"}),
    STAFF_WARNING: frozenset({"tracking_code", "unit_name", "share", "due_at", "case_link"}),
    STAFF_DIGEST: frozenset({"unit_name", "date", "count", "cases"}),
}
# Channels a template is seeded for, when not every channel (the digest is an e-mail).
SEEDED_CHANNELS: Final[dict[str, tuple[Channel, ...]]] = {STAFF_DIGEST: (Channel.EMAIL,)}


@dataclass(frozen=True)
class Text:
    body: str
    subject: str | None = None


_FA: Final[dict[str, Text]] = {
    "request.submitted.v1": Text(
        "درخواست شما ثبت شد.\nکد رهگیری: ((tracking_code))\nپیگیری: ((tracking_link))",
        "درخواست شما ثبت شد",
    ),
    "request.routed.v1": Text(
        "درخواست ((tracking_code)) به ((unit_name)) ارجاع شد.\nپیگیری: ((tracking_link))",
        "درخواست شما ارجاع شد",
    ),
    "request.status_changed.v1": Text(
        "وضعیت درخواست ((tracking_code)): ((status))\n((note))\nپیگیری: ((tracking_link))",
        "وضعیت درخواست شما تغییر کرد",
    ),
    "consultation.opened.v1": Text(
        "نظرخواهی عمومی: «((title))»\nمهلت ثبت نظر تا ((closes_at))\n((url))", "نظرخواهی عمومی تازه"
    ),
    "consultation.closing_soon.v1": Text(
        "مهلت نظرخواهی «((title))» رو به پایان است: ((closes_at))\n((url))", "پایان نزدیک نظرخواهی"
    ),
    "consultation.closed.v1": Text(
        "نظرخواهی «((title))» بسته شد. ((comment_count)) نظر ثبت شد.\n((url))", "نظرخواهی بسته شد"
    ),
    "consultation.finalized.v1": Text(
        "نسخه نهایی «((title))» منتشر شد.\n((summary_of_changes))\n((url))", "نسخه نهایی منتشر شد"
    ),
    "subscription.confirmation": Text("کد تأیید عضویت در اطلاع‌رسانی نظرخواهی‌ها: ((code))", "کد تأیید"),
    STAFF_ESCALATED: Text(
        "مهلت رسیدگی به درخواست ((tracking_code)) در «((unit_name))» در ((due_at)) به پایان رسید.\n"
        "پرونده در سطح ((level)) پیگیری به «((target_name))» رسید.\nمشاهده پرونده: ((case_link))",
        "مهلت رسیدگی درخواست ((tracking_code)) گذشت",
    ),
    STAFF_WARNING: Text(
        "((share)) از مهلت رسیدگی به درخواست ((tracking_code)) در «((unit_name))» گذشته است.\n"
        "پایان مهلت: ((due_at))\nمشاهده پرونده: ((case_link))",
        "مهلت رسیدگی درخواست ((tracking_code)) رو به پایان است",
    ),
    STAFF_DIGEST: Text(
        "گزارش روزانه «((unit_name))»، ((date)): ((count)) درخواست از مهلت رسیدگی گذشته است.\n((cases))",
        "درخواست‌های معوق «((unit_name))»، ((date))",
    ),
}

_EN: Final[dict[str, Text]] = {
    "request.submitted.v1": Text(
        "Your request was filed with the municipality.\nTracking code: ((tracking_code))\n"
        "Track it: ((tracking_link))",
        "Your request was filed",
    ),
    "request.routed.v1": Text(
        "Your request ((tracking_code)) was referred to ((unit_name)).\nTrack it: ((tracking_link))",
        "Your request was referred",
    ),
    "request.status_changed.v1": Text(
        "Request ((tracking_code)) is now: ((status))\n((note))\nTrack it: ((tracking_link))",
        "Your request has news",
    ),
    "consultation.opened.v1": Text(
        "Public consultation: ((title))\nComments until ((closes_at))\n((url))", "A new public consultation"
    ),
    "consultation.closing_soon.v1": Text(
        "The consultation ((title)) closes soon: ((closes_at))\n((url))", "A consultation closes soon"
    ),
    "consultation.closed.v1": Text(
        "The consultation ((title)) is closed; ((comment_count)) comments were made.\n((url))",
        "A consultation closed",
    ),
    "consultation.finalized.v1": Text(
        "The final version of ((title)) is out.\n((summary_of_changes))\n((url))", "A final version is out"
    ),
    "subscription.confirmation": Text("Your code to confirm consultation news: ((code))", "Your code"),
}

DEFAULTS: Final[dict[Language, dict[str, Text]]] = {Language.FA: _FA, Language.EN: _EN}

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


def seeded_channels(event_type: str) -> tuple[Channel, ...]:
    return SEEDED_CHANNELS.get(event_type, CHANNELS)


def default_text(event_type: str, language: Language) -> Text:
    """The shipped text, in Persian when `language` has none."""
    return DEFAULTS[language].get(event_type) or _FA[event_type]


def check_text(event_type: str, template: str) -> None:
    """Refuse a template using a placeholder its event does not provide (KeyError: unknown event)."""
    own = OWN_PLACEHOLDERS.get(event_type)
    if own is None:
        placeholders.check_event_template(event_type, template)
    else:
        placeholders.check_template(template, own)


def tidy(rendered: str) -> str:
    """Drop the lines an empty value left blank."""
    return "\n".join(line for line in rendered.splitlines() if line.strip())


def tracking_link(tracking_url: str, tracking_code: str) -> str:
    return f"{tracking_url.rstrip('/')}?code={tracking_code}"
