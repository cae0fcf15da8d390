"""A draft's text: numbered sections of numbered articles, kept as immutable versions.

An article keeps its id across versions, so a diff can tell a changed article from a
renumbered one and comments on an article still point at it after revision.
"""

from __future__ import annotations

import difflib
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from consultation.domain.errors import Refusal
from consultation.domain.text import normalise_fa

ARTICLE_ID_PREFIX = "a-"


def _normalised(value: Any) -> Any:
    return normalise_fa(value) if isinstance(value, str) else value


PersianLine = Annotated[str, BeforeValidator(_normalised), Field(min_length=1, max_length=300)]
PersianText = Annotated[str, BeforeValidator(_normalised), Field(min_length=1, max_length=50_000)]
_Frozen = ConfigDict(frozen=True, extra="forbid")


def new_article_id() -> str:
    return f"{ARTICLE_ID_PREFIX}{secrets.token_hex(4)}"


class Attachment(BaseModel):
    model_config = _Frozen
    title_fa: PersianLine
    url: AnyHttpUrl
    media_type: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", examples=["application/pdf"])


class Article(BaseModel):
    model_config = _Frozen
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description="stable across versions")
    number: int = Field(ge=1, le=100_000)
    title_fa: PersianLine | None = None
    text_fa: PersianText


class Section(BaseModel):
    model_config = _Frozen
    number: int = Field(ge=1, le=10_000)
    title_fa: PersianLine | None = None
    articles: tuple[Article, ...] = Field(min_length=1, max_length=1_000)


def _unique(values: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice")
        seen.add(value)


class Content(BaseModel):
    model_config = _Frozen
    title_fa: PersianLine
    summary_fa: PersianText
    authority_fa: PersianLine
    category: str = Field(min_length=1, max_length=100)
    districts: tuple[str, ...] = Field(default=(), description="Districts affected; empty means city-wide")
    stakeholders_fa: tuple[PersianLine, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbering_is_unambiguous(self) -> Self:
        _unique([section.number for section in self.sections], "section number")
        _unique([article.id for article in self.articles()], "article id")
        _unique([article.number for article in self.articles()], "article number")
        return self

    def articles(self) -> list[Article]:
        return [article for section in self.sections for article in section.articles]

    def article(self, article_id: str) -> Article | None:
        return next((article for article in self.articles() if article.id == article_id), None)

    @property
    def city_wide(self) -> bool:
        return not self.districts


class Version(BaseModel):
    model_config = _Frozen
    number: int = Field(ge=1)
    author: str
    at: AwareDatetime
    note: str | None = None
    content: Content


class Document(BaseModel):
    model_config = _Frozen
    draft_id: str
    versions: tuple[Version, ...] = Field(min_length=1)

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version(self, number: int) -> Version:
        for version in self.versions:
            if version.number == number:
                return version
        raise Refusal("unknown_version", f"no version {number}", f"نسخه {number} وجود ندارد")


def start_document(
    draft_id: str, content: Content, author: str, at: datetime, note: str | None = None
) -> Document:
    return Document(
        draft_id=draft_id, versions=(Version(number=1, author=author, at=at, note=note, content=content),)
    )


def revise(
    document: Document, content: Content, author: str, at: datetime, note: str | None = None
) -> Document:
    """A new document with `content` as its next version; earlier versions stay as they were."""
    latest = document.latest
    if at < latest.at:
        raise Refusal(
            "stale_edit",
            "an edit cannot predate the latest version",
            "ویرایش نمی‌تواند پیش از آخرین نسخه باشد",
        )
    version = Version(number=latest.number + 1, author=author, at=at, note=note, content=content)
    return document.model_copy(update={"versions": (*document.versions, version)})


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class ArticleChange(BaseModel):
    model_config = _Frozen
    article_id: str
    kind: ChangeKind
    number_before: int | None
    number_after: int | None
    title_fa: str | None
    diff: str = Field(default="", description="Text diff of a changed article; empty otherwise")


class VersionDiff(BaseModel):
    model_config = _Frozen
    draft_id: str
    from_version: int
    to_version: int
    articles: tuple[ArticleChange, ...]

    def of(self, kind: ChangeKind) -> list[ArticleChange]:
        return [change for change in self.articles if change.kind is kind]

    def article(self, article_id: str) -> ArticleChange | None:
        return next((change for change in self.articles if change.article_id == article_id), None)


DiffStyle = Literal["unified", "ndiff"]


def _lines(article: Article) -> list[str]:
    heading = f"ماده {article.number}" + (f" - {article.title_fa}" if article.title_fa else "")
    return [heading, *article.text_fa.splitlines()]


def _text_diff(before: Article, after: Article, style: DiffStyle, names: tuple[str, str]) -> str:
    if style == "ndiff":
        return "\n".join(difflib.ndiff(_lines(before), _lines(after)))
    return "\n".join(difflib.unified_diff(_lines(before), _lines(after), *names, lineterm=""))


def _change(
    before: Article | None, after: Article | None, style: DiffStyle, names: tuple[str, str]
) -> ArticleChange:
    shown = after or before
    assert shown is not None
    if before is None or after is None:
        kind = ChangeKind.ADDED if before is None else ChangeKind.REMOVED
        diff = ""
    else:
        same = (before.number, before.title_fa, before.text_fa) == (
            after.number,
            after.title_fa,
            after.text_fa,
        )
        kind = ChangeKind.UNCHANGED if same else ChangeKind.CHANGED
        diff = "" if same else _text_diff(before, after, style, names)
    return ArticleChange(
        article_id=shown.id,
        kind=kind,
        number_before=None if before is None else before.number,
        number_after=None if after is None else after.number,
        title_fa=shown.title_fa,
        diff=diff,
    )


def diff_versions(
    document: Document, from_version: int, to_version: int, style: DiffStyle = "unified"
) -> VersionDiff:
    """Article by article, matched on id: the target version's order first, then removed articles."""
    old, new = document.version(from_version).content, document.version(to_version).content
    old_by_id = {article.id: article for article in old.articles()}
    new_ids = {article.id for article in new.articles()}
    changes = []
    for article in new.articles():
        names = (f"v{from_version}/{article.id}", f"v{to_version}/{article.id}")
        changes.append(_change(old_by_id.get(article.id), article, style, names))
    for article in old.articles():
        if article.id not in new_ids:
            changes.append(_change(article, None, style, ("", "")))
    return VersionDiff(
        draft_id=document.draft_id, from_version=from_version, to_version=to_version, articles=tuple(changes)
    )
