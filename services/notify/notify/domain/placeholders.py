"""Message templates with `((name))` placeholders, the syntax of GOV.UK Notify.

A template is checked when it is saved, against what its event can fill, so a placeholder no
event provides is refused then rather than when a citizen's message is due. Rendering replaces
each placeholder once, with the value's text as is: nothing is evaluated and a value that itself
looks like `((x))` stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

_PLACEHOLDER = re.compile(r"\(\(([^()]*)\)\)")
_NAME = re.compile(r"[a-z][a-z0-9_]*")

REQUEST_PLACEHOLDERS: Final = frozenset({"tracking_code", "tracking_link"})

EVENT_PLACEHOLDERS: Final[dict[str, frozenset[str]]] = {
    "request.submitted.v1": REQUEST_PLACEHOLDERS,
    "request.routed.v1": REQUEST_PLACEHOLDERS | {"unit_name", "due_date"},
    "request.status_changed.v1": REQUEST_PLACEHOLDERS | {"status", "note", "unit_name"},
    "request.escalated.v1": REQUEST_PLACEHOLDERS | {"unit_name"},
    "consultation.opened.v1": frozenset({"title", "summary", "closes_at", "url"}),
    "consultation.closing_soon.v1": frozenset({"title", "closes_at", "url"}),
    "consultation.closed.v1": frozenset({"title", "closed_at", "comment_count", "url"}),
    "consultation.finalized.v1": frozenset({"title", "finalized_at", "summary_of_changes", "url"}),
}


class TemplateError(ValueError):
    """A template or its values do not fit; `names` are the placeholders at fault."""

    def __init__(self, message: str, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(f"{message}: {', '.join(self.names)}")


def _raw_names(template: str) -> list[str]:
    return [match.group(1).strip() for match in _PLACEHOLDER.finditer(template)]


def placeholders(template: str) -> set[str]:
    """Every placeholder name used, malformed ones included, so that checking can name them."""
    return set(_raw_names(template))


def check_template(template: str, available: Iterable[str]) -> None:
    names = placeholders(template)
    malformed = {name for name in names if _NAME.fullmatch(name) is None}
    if malformed:
        raise TemplateError("malformed placeholders", malformed)
    unknown = names - set(available)
    if unknown:
        raise TemplateError("placeholders the event does not provide", unknown)


def check_event_template(event_type: str, template: str) -> None:
    available = EVENT_PLACEHOLDERS.get(event_type)
    if available is None:
        raise KeyError(f"no placeholders are defined for event {event_type!r}")
    check_template(template, available)


def render(template: str, values: Mapping[str, str]) -> str:
    missing = placeholders(template) - set(values)
    if missing:
        raise TemplateError("no value for placeholders", missing)

    def value_for(match: re.Match[str]) -> str:
        return values[match.group(1).strip()]

    return _PLACEHOLDER.sub(value_for, template)
