"""Templates per (event type, channel, language), every save a new version; the newest is used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contracts import Channel, Language
from notify.domain import templates
from notify.domain.templates import Text
from servicekit.store import ASCENDING, DuplicateKeyError, IndexSpec, Store

TEMPLATES = "templates"
DESCENDING = -1
SEED_AUTHOR = "seed"

TEMPLATE_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        TEMPLATES,
        [("event_type", ASCENDING), ("channel", ASCENDING), ("language", ASCENDING), ("version", DESCENDING)],
        unique=True,
        name="template_version",
    ),
)


@dataclass(frozen=True)
class StoredTemplate:
    event_type: str
    channel: Channel
    language: Language
    version: int
    body: str
    subject: str | None
    saved_by: str
    saved_at: datetime

    @property
    def text(self) -> Text:
        return Text(self.body, self.subject)


def check(event_type: str, text: Text) -> None:
    """Raises `TemplateError` (or `KeyError` for an unknown event) before anything is stored."""
    templates.check_text(event_type, text.body)
    if text.subject:
        templates.check_text(event_type, text.subject)


class TemplateStore:
    def __init__(self, store: Store) -> None:
        self._templates = store.collection(TEMPLATES)

    async def newest(self, event_type: str, channel: Channel, language: Language) -> Text | None:
        found = await self.history(event_type, channel, language, limit=1)
        return found[0].text if found else None

    async def history(
        self, event_type: str, channel: Channel, language: Language, limit: int = 50
    ) -> list[StoredTemplate]:
        query = {"event_type": event_type, "channel": str(channel), "language": str(language)}
        cursor = self._templates.find(query).sort("version", DESCENDING).limit(limit)
        return [_from(document) async for document in cursor]

    async def save(
        self, event_type: str, channel: Channel, language: Language, text: Text, saved_by: str
    ) -> StoredTemplate:
        check(event_type, text)
        while True:  # two saves at once: the unique version index lets one win, the other takes the next
            current = await self.history(event_type, channel, language, limit=1)
            version = current[0].version + 1 if current else 1
            stored = StoredTemplate(
                event_type, channel, language, version, text.body, text.subject, saved_by, _now()
            )
            try:
                await self._templates.insert_one(_document(stored))
            except DuplicateKeyError:
                continue
            return stored

    async def seed(self) -> int:
        """Store the shipped text for every key that has no template yet; returns how many."""
        added = 0
        for language, texts in templates.DEFAULTS.items():
            for event_type, text in texts.items():
                for channel in templates.seeded_channels(event_type):
                    added += await self._seed_one(event_type, channel, language, text)
        return added

    async def _seed_one(self, event_type: str, channel: Channel, language: Language, text: Text) -> int:
        stored = StoredTemplate(
            event_type, channel, language, 1, text.body, text.subject, SEED_AUTHOR, _now()
        )
        try:
            await self._templates.insert_one(_document(stored))
        except DuplicateKeyError:
            return 0
        return 1


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _document(stored: StoredTemplate) -> dict[str, object]:
    return {
        "_id": f"{stored.event_type}:{stored.channel}:{stored.language}:{stored.version}",
        "event_type": stored.event_type,
        "channel": str(stored.channel),
        "language": str(stored.language),
        "version": stored.version,
        "body": stored.body,
        "subject": stored.subject,
        "saved_by": stored.saved_by,
        "saved_at": stored.saved_at,
    }


def _from(document: dict[str, object]) -> StoredTemplate:
    return StoredTemplate(
        event_type=str(document["event_type"]),
        channel=Channel(str(document["channel"])),
        language=Language(str(document["language"])),
        version=int(str(document["version"])),
        body=str(document["body"]),
        subject=document["subject"] if isinstance(document.get("subject"), str) else None,  # type: ignore[arg-type]
        saved_by=str(document["saved_by"]),
        saved_at=document["saved_at"],  # type: ignore[arg-type]
    )
