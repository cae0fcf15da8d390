"""Template management: save a new version (checked against its event), list versions, preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from contracts import Channel, Language
from notify.domain import placeholders, segments
from notify.domain.templates import Text, tidy
from notify.store.templates import StoredTemplate, TemplateStore, check
from servicekit.auth import Role, Staff, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1/templates", tags=["templates"])
TemplateChannel = Annotated[Channel, Field(description="sms or email")]


def template_store(request: Request) -> TemplateStore:
    found: TemplateStore = request.app.state.templates
    return found


TemplatesDep = Annotated[TemplateStore, Depends(template_store)]


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=2000, description="text with ((placeholder)) names")
    subject: str | None = Field(default=None, max_length=200, description="e-mail only")


class TemplateOut(BaseModel):
    event_type: str
    channel: Channel
    language: Language
    version: int
    body: str
    subject: str | None
    saved_by: str

    @classmethod
    def of(cls, stored: StoredTemplate) -> TemplateOut:
        return cls(**{name: getattr(stored, name) for name in cls.model_fields})


class PreviewIn(TemplateIn):
    values: dict[str, str] = Field(default_factory=dict, description="sample values; the rest are named")


class PreviewOut(BaseModel):
    text: str
    subject: str | None
    encoding: str
    characters: int
    segments: int


def _checked(event_type: str, text: Text) -> None:
    try:
        check(event_type, text)
    except KeyError as error:
        raise Problem(404, "unknown_event", f"no template can be kept for {event_type!r}") from error
    except placeholders.TemplateError as error:
        errors = [{"loc": ["body"], "msg": str(error), "names": list(error.names)}]
        raise Problem(422, "invalid_template", str(error), errors=errors) from error


@router.put(
    "/{event_type}/{channel}/{language}",
    status_code=201,
    summary="Save a new version of a template; refused when it uses a placeholder the event lacks",
)
async def save_template(
    event_type: str,
    channel: TemplateChannel,
    language: Language,
    body: TemplateIn,
    templates: TemplatesDep,
    claims: Staff,
    _: Annotated[object, require_roles(Role.ADMIN)],
) -> TemplateOut:
    text = Text(body.body, body.subject)
    _checked(event_type, text)
    return TemplateOut.of(await templates.save(event_type, channel, language, text, claims.sub))


@router.get(
    "/{event_type}/{channel}/{language}",
    summary="Versions of a template, newest (the one in use) first",
    dependencies=[require_roles(Role.ADMIN, Role.SUPERVISOR)],
)
async def template_versions(
    event_type: str, channel: TemplateChannel, language: Language, templates: TemplatesDep
) -> list[TemplateOut]:
    return [TemplateOut.of(stored) for stored in await templates.history(event_type, channel, language)]


@router.post(
    "/{event_type}/preview",
    summary="Render a template with sample values; shows the SMS encoding and segment count",
    dependencies=[require_roles(Role.ADMIN, Role.SUPERVISOR)],
)
async def preview(event_type: str, body: PreviewIn) -> PreviewOut:
    text = Text(body.body, body.subject)
    _checked(event_type, text)
    values = {name: f"<{name}>" for name in placeholders.placeholders(body.body)} | body.values
    rendered = tidy(placeholders.render(body.body, values))
    subject = placeholders.render(body.subject, values | _samples(body.subject)) if body.subject else None
    size = segments.analyse(rendered)
    return PreviewOut(
        text=rendered, subject=subject, encoding=size.encoding, characters=size.units, segments=size.segments
    )


def _samples(template: str) -> dict[str, str]:
    return {name: f"<{name}>" for name in placeholders.placeholders(template)}
