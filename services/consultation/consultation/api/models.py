"""What the drafts API accepts and answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from consultation.domain import Draft, DraftStatus, jalali_date, normalise_fa


def _normalised(value: Any) -> Any:
    return normalise_fa(value) if isinstance(value, str) else value


PersianTitle = Annotated[str, BeforeValidator(_normalised), StringConstraints(min_length=3, max_length=200)]
PersianSummary = Annotated[
    str, BeforeValidator(_normalised), StringConstraints(min_length=1, max_length=2_000)
]
PersianBody = Annotated[
    str, BeforeValidator(_normalised), StringConstraints(min_length=1, max_length=200_000)
]
EnglishTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class DraftIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
                    "summary_fa": "این پیش‌نویس ضوابط استقرار دستفروشان در معابر شهر را تعیین می‌کند.",
                    "body_fa": "ماده ۱ - ...",
                    "title_en": "Draft instruction on street vendors",
                }
            ]
        },
    )

    title_fa: PersianTitle
    summary_fa: PersianSummary
    body_fa: PersianBody
    title_en: EnglishTitle | None = None


class DraftSummary(BaseModel):
    """A draft as listed: everything but its body."""

    id: str
    status: DraftStatus
    version: int
    title_fa: str
    title_en: str | None
    summary_fa: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    opens_at: AwareDatetime | None
    closes_at: AwareDatetime | None
    opens_at_jalali: str | None = Field(description="Opening day, Solar Hijri, local time, e.g. ۱۴۰۵/۰۹/۰۳")
    closes_at_jalali: str | None = Field(description="Last day of comment, Solar Hijri, e.g. ۱۴۰۵/۰۹/۱۷")

    @classmethod
    def of(cls, draft: Draft, tz: str) -> DraftSummary:
        return cls.model_validate(_fields(draft, tz))


class DraftOut(DraftSummary):
    body_fa: str

    @classmethod
    def of(cls, draft: Draft, tz: str) -> DraftOut:
        return cls.model_validate(_fields(draft, tz) | {"body_fa": draft.body_fa})


class DraftList(BaseModel):
    items: list[DraftSummary]
    count: int


def _fields(draft: Draft, tz: str) -> dict[str, Any]:
    return {
        "id": draft.id,
        "status": draft.status,
        "version": draft.version,
        "title_fa": draft.title_fa,
        "title_en": draft.title_en,
        "summary_fa": draft.summary_fa,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "opens_at": draft.opens_at,
        "closes_at": draft.closes_at,
        "opens_at_jalali": None if draft.opens_at is None else jalali_date(draft.opens_at, tz),
        "closes_at_jalali": None if draft.closes_at is None else jalali_date(draft.closes_at, tz),
    }
