"""Version 1 of every event. A breaking change is a new class with a new `event_type`."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AwareDatetime, ConfigDict, Field

from contracts.envelope import EventPayload
from contracts.vocabulary import Channel, Language, RequestCategory, RequestStatus


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": list(examples)})


class GeoPoint(EventPayload):
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class CitizenContact(EventPayload):
    """Only what notify needs to reach the citizen: never the national ID or name."""

    mobile: str | None = Field(default=None, pattern=r"^\+989\d{9}$")
    email: str | None = None
    channel: Channel = Channel.SMS
    language: Language = Language.FA


class RequestSubmittedV1(EventPayload):
    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "service_code": "ARD-101",
            "category": "complaint",
            "description": "چراغ‌های خیابان امام در محدوده میدان قیام دو هفته است خاموش است.",
            "attributes": {"pole_count": 3},
            "district": "1",
            "location": {"lat": 38.2498, "long": 48.2933},
            "address": "اردبیل، خیابان امام خمینی، نزدیک میدان قیام",
            "office_code": "ARD-E-017",
            "submitted_at": "2026-11-24T08:15:00Z",
            "sla_hours": 72,
            "contact": {"mobile": "+989141234567", "channel": "sms", "language": "fa"},
        }
    )
    event_type: ClassVar[str] = "request.submitted.v1"

    request_id: str
    tracking_code: str
    service_code: str
    category: RequestCategory
    description: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    district: str | None = None
    location: GeoPoint | None = None
    address: str | None = None
    office_code: str
    submitted_at: AwareDatetime
    sla_hours: int | None = Field(default=None, ge=1, description="the service's SLA in working hours")
    contact: CitizenContact


class RequestRoutedV1(EventPayload):
    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "unit_id": "d1-lighting",
            "unit_name_fa": "واحد روشنایی معابر منطقه یک",
            "unit_name_en": "District 1 Street Lighting",
            "rule_id": "lighting-d1",
            "routed_at": "2026-11-24T08:15:02Z",
            "due_at": None,
        }
    )
    event_type: ClassVar[str] = "request.routed.v1"

    request_id: str
    tracking_code: str
    unit_id: str
    unit_name_fa: str
    unit_name_en: str
    rule_id: str | None
    routed_at: AwareDatetime
    due_at: AwareDatetime | None = None
    note_fa: str = Field(default="", description="why, when not by a rule: a referral or reassignment")


class RequestStatusChangedV1(EventPayload):
    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "status": "in_progress",
            "previous_status": "routed",
            "note_fa": "کارشناس روشنایی برای بازدید اعزام شد.",
            "unit_id": "d1-lighting",
            "unit_name_fa": "واحد روشنایی معابر منطقه یک",
            "changed_at": "2026-11-24T10:40:00Z",
        }
    )
    event_type: ClassVar[str] = "request.status_changed.v1"

    request_id: str
    tracking_code: str
    status: RequestStatus
    previous_status: RequestStatus
    note_fa: str = ""
    unit_id: str | None = None
    unit_name_fa: str | None = None
    changed_at: AwareDatetime


class RequestEscalatedV1(EventPayload):
    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "unit_id": "d1-lighting",
            "escalated_to_unit_id": "d1-deputy",
            "escalated_to_unit_name_fa": "معاونت منطقه یک",
            "level": 1,
            "reason": "sla_breached",
            "due_at": "2026-11-26T12:30:00Z",
            "escalated_at": "2026-11-26T12:30:05Z",
        }
    )
    event_type: ClassVar[str] = "request.escalated.v1"

    request_id: str
    tracking_code: str
    unit_id: str
    escalated_to_unit_id: str | None
    escalated_to_unit_name_fa: str | None = None
    level: int = Field(ge=1)
    reason: str
    due_at: AwareDatetime
    escalated_at: AwareDatetime


class RequestSlaWarningV1(EventPayload):
    """A case has used the warning share of its SLA (75 % by default): its unit is told, once per case
    and unit (a case moved to another unit is watched afresh)."""

    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "unit_id": "d1-lighting",
            "share": 0.75,
            "due_at": "2026-11-26T12:30:00Z",
            "warned_at": "2026-11-26T06:45:00Z",
        }
    )
    event_type: ClassVar[str] = "request.sla_warning.v1"

    request_id: str
    tracking_code: str
    unit_id: str
    share: float = Field(gt=0, lt=1, description="the share of the SLA used when the warning was due")
    due_at: AwareDatetime | None = Field(default=None, description="None while the clock is paused")
    warned_at: AwareDatetime


class RequestDeadlineChangedV1(EventPayload):
    """A case's deadline moved without any step on it (a corrected working calendar): intake
    updates the expected date it shows; nobody is messaged."""

    model_config = _examples(
        {
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "unit_id": "d1-lighting",
            "due_at": "2026-11-29T10:30:00Z",
            "previous_due_at": "2026-11-26T12:30:00Z",
            "reason": "calendar_changed",
            "changed_at": "2026-11-25T06:00:00Z",
        }
    )
    event_type: ClassVar[str] = "request.deadline_changed.v1"

    request_id: str
    tracking_code: str
    unit_id: str | None = None
    due_at: AwareDatetime
    previous_due_at: AwareDatetime | None = None
    reason: str = Field(description="why it moved: `calendar_changed`")
    changed_at: AwareDatetime = Field(description="when routing recomputed it; a later change wins")


class ConsultationOpenedV1(EventPayload):
    model_config = _examples(
        {
            "draft_id": "d-1f3a9c07",
            "category": "ساماندهی مشاغل",
            "districts": ["1", "2"],
            "url": "http://127.0.0.1:8003/consultations/d-1f3a9c07",
            "version": 1,
            "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
            "summary_fa": "این پیش‌نویس ضوابط استقرار دستفروشان در معابر شهر را تعیین می‌کند.",
            "opens_at": "2026-11-24T08:00:00Z",
            "closes_at": "2026-12-08T20:29:59Z",
        }
    )
    event_type: ClassVar[str] = "consultation.opened.v1"

    draft_id: str
    category: str | None = None
    districts: list[str] = Field(default_factory=list, description="empty: city-wide")
    url: str | None = Field(default=None, description="the public page of the draft")
    version: int = Field(ge=1)
    title_fa: str
    summary_fa: str
    opens_at: AwareDatetime
    closes_at: AwareDatetime


class ConsultationClosingSoonV1(EventPayload):
    model_config = _examples(
        {
            "draft_id": "d-1f3a9c07",
            "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
            "closes_at": "2026-12-08T20:29:59Z",
        }
    )
    event_type: ClassVar[str] = "consultation.closing_soon.v1"

    draft_id: str
    category: str | None = None
    districts: list[str] = Field(default_factory=list, description="empty: city-wide")
    url: str | None = Field(default=None, description="the public page of the draft")
    title_fa: str
    closes_at: AwareDatetime


class ConsultationClosedV1(EventPayload):
    model_config = _examples(
        {
            "draft_id": "d-1f3a9c07",
            "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
            "closed_at": "2026-12-08T20:30:00Z",
            "comment_count": 42,
        }
    )
    event_type: ClassVar[str] = "consultation.closed.v1"

    draft_id: str
    category: str | None = None
    districts: list[str] = Field(default_factory=list, description="empty: city-wide")
    url: str | None = Field(default=None, description="the public page of the draft")
    title_fa: str
    closed_at: AwareDatetime
    comment_count: int = Field(ge=0)


class CommenterToTell(EventPayload):
    """A commenter who asked to hear the outcome; only what notify needs to reach them."""

    receipt: str
    mobile: str | None = Field(default=None, pattern=r"^\+989\d{9}$")
    email: str | None = None
    language: Language = Language.FA


class ConsultationFinalizedV1(EventPayload):
    model_config = _examples(
        {
            "draft_id": "d-1f3a9c07",
            "title_fa": "دستورالعمل ساماندهی دستفروشان",
            "final_version": 2,
            "finalized_at": "2026-12-20T07:00:00Z",
            "summary_of_changes_fa": "ساعت فعالیت در بازار سرپوشیده بر اساس نظرات کسبه اصلاح شد.",
        }
    )
    event_type: ClassVar[str] = "consultation.finalized.v1"

    draft_id: str
    category: str | None = None
    districts: list[str] = Field(default_factory=list, description="empty: city-wide")
    url: str | None = Field(default=None, description="the public page of the draft")
    title_fa: str
    final_version: int = Field(ge=1)
    finalized_at: AwareDatetime
    summary_of_changes_fa: str
    commenters_to_tell: list[CommenterToTell] = Field(default_factory=list)


class NotificationDeliveredV1(EventPayload):
    model_config = _examples(
        {
            "notification_id": "9c1d3b1e-1f7e-4bb5-93a1-0e6f1d2a8c44",
            "source_event_id": "1e4f4a3c-55b0-4e49-8d0b-5f7a2c9e0d11",
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "channel": "sms",
            "template": "request.routed",
            "provider": "log",
            "delivered_at": "2026-11-24T08:15:03Z",
        }
    )
    event_type: ClassVar[str] = "notification.delivered.v1"

    notification_id: str
    source_event_id: str
    request_id: str | None = None
    tracking_code: str | None = None
    channel: Channel
    template: str
    provider: str
    delivered_at: AwareDatetime


class NotificationFailedV1(EventPayload):
    model_config = _examples(
        {
            "notification_id": "9c1d3b1e-1f7e-4bb5-93a1-0e6f1d2a8c44",
            "source_event_id": "1e4f4a3c-55b0-4e49-8d0b-5f7a2c9e0d11",
            "request_id": "5b0f8a52-7e1b-4c1e-9a59-2f0d6c1f4b7a",
            "tracking_code": "140312345678",
            "channel": "sms",
            "template": "request.routed",
            "reason": "provider rejected the number",
            "attempts": 3,
            "failed_at": "2026-11-24T08:20:00Z",
        }
    )
    event_type: ClassVar[str] = "notification.failed.v1"

    notification_id: str
    source_event_id: str
    request_id: str | None = None
    tracking_code: str | None = None
    channel: Channel
    template: str
    reason: str
    attempts: int = Field(ge=1)
    failed_at: AwareDatetime


class OfficeUpdatedV1(EventPayload):
    """What notify needs about a licensed office to call its software back."""

    model_config = _examples(
        {
            "office_code": "ARD-E-017",
            "name_fa": "دفتر خدمات الکترونیک شهرداری شماره ۱۷ اردبیل",
            "status": "active",
            "callback_url": "https://office17.example.ir/pishkhan/callback",
            "signing_secret_ref": "office-ARD-E-017",
            "updated_at": "2026-11-24T08:00:00Z",
        }
    )
    event_type: ClassVar[str] = "office.updated.v1"

    office_code: str
    name_fa: str
    status: str
    callback_url: str | None = None
    signing_secret_ref: str | None = Field(default=None, description="names a secret; never the secret")
    updated_at: AwareDatetime


class UnitUpdatedV1(EventPayload):
    """What notify needs about a municipal unit to alert its staff: the unit's name and its
    organisational contact channels (a desk's line or shared mailbox, never a person's)."""

    model_config = _examples(
        {
            "unit_id": "d1-lighting",
            "name_fa": "واحد روشنایی معابر منطقه یک",
            "contact_phone": "09141230000",
            "contact_email": "lighting.d1@ardabil.example.ir",
            "active": True,
            "updated_at": "2026-11-24T08:00:00Z",
        }
    )
    event_type: ClassVar[str] = "unit.updated.v1"

    unit_id: str
    name_fa: str
    contact_phone: str | None = Field(default=None, description="as the admin typed it; SMS only if a mobile")
    contact_email: str | None = None
    active: bool = True
    updated_at: AwareDatetime = Field(description="when routing saved it; a later update wins")


EVENT_TYPES: dict[str, type[EventPayload]] = {
    model.event_type: model
    for model in (
        RequestSubmittedV1,
        RequestRoutedV1,
        RequestStatusChangedV1,
        RequestEscalatedV1,
        RequestDeadlineChangedV1,
        RequestSlaWarningV1,
        ConsultationOpenedV1,
        ConsultationClosingSoonV1,
        ConsultationClosedV1,
        ConsultationFinalizedV1,
        NotificationDeliveredV1,
        NotificationFailedV1,
        OfficeUpdatedV1,
        UnitUpdatedV1,
    )
}
