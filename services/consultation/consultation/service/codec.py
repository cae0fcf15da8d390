"""Stored documents <-> domain objects: consultations, their text and their comments."""

from __future__ import annotations

from typing import Any

from consultation.domain.comments import Comment
from consultation.domain.document import Document, Version
from consultation.domain.lifecycle import AuditEntry, Consultation
from consultation.domain.report import Response
from servicekit.store import Document as Stored

STATE_FIELDS = ("status", "revision", "author", "consulted_version", "final_version", "windows")
COMMENT_FIELDS = tuple(name for name in Comment.model_fields if name not in {"receipt", "reporters"})


def state_of(stored: Stored) -> Consultation:
    return Consultation.model_validate(
        {"id": stored["_id"]} | {name: stored.get(name) for name in STATE_FIELDS}
    )


def state_fields(state: Consultation) -> Stored:
    dumped = state.model_dump(mode="python")
    dumped["status"] = state.status.value
    return {name: dumped[name] for name in STATE_FIELDS}


def version_field(version: Version) -> Stored:
    return version.model_dump(mode="json")


def document_of(stored: Stored) -> Document:
    return Document.model_validate({"draft_id": stored["_id"], "versions": stored["versions"]})


def audit_field(entry: AuditEntry) -> Stored:
    return entry.model_dump(mode="python")


def comment_of(stored: Stored) -> Comment:
    fields: dict[str, Any] = {name: stored.get(name) for name in COMMENT_FIELDS if name in stored}
    return Comment.model_validate(
        fields | {"receipt": stored["_id"], "reporters": frozenset(stored.get("reporters") or ())}
    )


def comment_fields(comment: Comment) -> Stored:
    dumped = comment.model_dump(mode="python", exclude={"receipt", "reporters"})
    dumped["stance"] = comment.stance.value
    dumped["status"] = comment.status.value
    dumped["submitter"] = comment.submitter.model_dump(mode="json")
    dumped["contact"] = None if comment.contact is None else comment.contact.model_dump(mode="json")
    return dumped | {"reporters": sorted(comment.reporters)}


def response_of(stored: Stored) -> Response:
    return Response.model_validate({name: stored[name] for name in Response.model_fields})


def groups_of(comments: list[Stored]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for stored in comments:
        groups.setdefault(stored.get("group_id") or stored["_id"], []).append(stored["_id"])
    return groups
