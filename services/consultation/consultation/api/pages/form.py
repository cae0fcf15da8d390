"""The comment form: what was typed, kept for re-display, and checked into the comment's parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from consultation.domain.comments import MAX_TEXT, PrivateContact, Stance, Submitter, SubmitterType
from consultation.domain.text import normalise_fa

STANCE_MISSING_FA = "موافق، بی‌نظر یا مخالف بودن خود را انتخاب کنید."
TEXT_MISSING_FA = "متن نظر را بنویسید."
TEXT_TOO_LONG_FA = "متن نظر حداکثر {limit} نویسه است؛ متن شما {length} نویسه دارد."
SUBMITTER_FA = "نوع فرستنده را از میان بی‌نام، شخص یا سازمان انتخاب کنید."
ANONYMOUS_NAMED_FA = "برای نظر بی‌نام، نام و سازمان را خالی بگذارید یا «شخص» را انتخاب کنید."
ORGANIZATION_MISSING_FA = "نام سازمان یا نهاد را بنویسید."
NAME_TOO_LONG_FA = "نام حداکثر ۲۰۰ نویسه است."
CONTACT_FA = "شماره همراه (مانند ۰۹۱۲۳۴۵۶۷۸۹) یا نشانی رایانامه درست نیست."
FIX_BELOW_FA = "لطفاً موارد مشخص‌شده در فرم را اصلاح کنید."
FIELDS = ("article_id", "stance", "text_fa", "submitter_type", "name", "organization", "contact")


@dataclass
class CommentForm:
    article_id: str = ""
    stance: str = ""
    text_fa: str = ""
    submitter_type: str = SubmitterType.ANONYMOUS.value
    name: str = ""
    organization: str = ""
    contact: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, data: Mapping[str, object]) -> CommentForm:
        value = {name: _text(data.get(name)) for name in FIELDS}
        form = cls(
            article_id=value["article_id"].strip(),
            stance=value["stance"],
            text_fa=value["text_fa"],
            submitter_type=value["submitter_type"] or SubmitterType.ANONYMOUS.value,
            name=value["name"],
            organization=value["organization"],
            contact=value["contact"],
        )
        form.check()
        return form

    def check(self) -> None:
        if self.stance not in set(Stance):
            self.errors["stance"] = STANCE_MISSING_FA
        text = normalise_fa(self.text_fa)
        if not text:
            self.errors["text_fa"] = TEXT_MISSING_FA
        elif len(text) > MAX_TEXT:
            self.errors["text_fa"] = TEXT_TOO_LONG_FA.format(limit=MAX_TEXT, length=len(text))
        self._check_submitter()
        self._check_contact()

    def _check_submitter(self) -> None:
        if self.submitter_type not in set(SubmitterType):
            self.errors["submitter_type"] = SUBMITTER_FA
            return
        kind = SubmitterType(self.submitter_type)
        if kind is SubmitterType.ANONYMOUS and (self.name.strip() or self.organization.strip()):
            self.errors["name"] = ANONYMOUS_NAMED_FA
        elif kind is SubmitterType.ORGANIZATION and not self.organization.strip():
            self.errors["organization"] = ORGANIZATION_MISSING_FA
        elif len(self.name.strip()) > 200 or len(self.organization.strip()) > 200:
            self.errors["name"] = NAME_TOO_LONG_FA

    def _check_contact(self) -> None:
        if self.contact.strip():
            try:
                self.private_contact()
            except ValidationError:
                self.errors["contact"] = CONTACT_FA

    @property
    def valid(self) -> bool:
        return not self.errors

    def submitter(self) -> Submitter:
        return Submitter(
            type=SubmitterType(self.submitter_type),
            name=self.name.strip() or None,
            organization=self.organization.strip() or None,
        )

    def private_contact(self) -> PrivateContact | None:
        raw = self.contact.strip()
        if not raw:
            return None
        return PrivateContact(email=raw) if "@" in raw else PrivateContact(mobile=raw)

    def target(self) -> str | None:
        return self.article_id or None

    def chosen_stance(self) -> Stance:
        return Stance(self.stance)


def _text(value: object) -> str:
    """Form fields are text (the body limit bounds their size); an uploaded file counts as empty."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""
