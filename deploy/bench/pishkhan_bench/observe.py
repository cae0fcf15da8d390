"""What the stores say happened: the requests intake kept, the cases routing opened, the
notifications notify recorded. Reading stores is what a measuring tool may do; the services
never read each other's."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import MongoClient

SUBMITTED, ROUTED = "request.submitted.v1", "request.routed.v1"
NOTE_FIELDS = {
    "_id": 0,
    "request_id": 1,
    "event_type": 1,
    "recipient_key": 1,
    "channel": 1,
    "created_at": 1,
    "finished_at": 1,
}


@dataclass(frozen=True)
class Note:
    request_id: str
    event_type: str
    recipient_key: str
    channel: str
    created_at: float
    finished_at: float | None


def duplicate_count(keys: Iterable[tuple[str, ...]]) -> int:
    """Copies beyond the first of every key: 0 when each key occurs once."""
    return sum(count - 1 for count in Counter(keys).values() if count > 1)


def note_key(note: Note) -> tuple[str, str, str, str]:
    """One message per request, event, recipient and channel: a second one is a duplicate."""
    return (note.request_id, note.event_type, note.recipient_key, note.channel)


def latencies(
    accepted: Mapping[str, float], notes: Iterable[Note], event_type: str, *, delivered: bool = False
) -> list[float]:
    """Seconds from each request's 201 to its first notification of `event_type` (recorded or delivered)."""
    first: dict[str, float] = {}
    for note in notes:
        moment = note.finished_at if delivered else note.created_at
        if note.event_type != event_type or note.request_id not in accepted or moment is None:
            continue
        first[note.request_id] = min(moment, first.get(note.request_id, moment))
    return [first[request_id] - accepted[request_id] for request_id in first]


def missing(expected: Iterable[str], found: Iterable[str]) -> int:
    return len(set(expected) - set(found))


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


class Stores:
    def __init__(self, urls: Mapping[str, str]) -> None:
        self._clients: dict[str, MongoClient[dict[str, Any]]] = {
            name: MongoClient(url, tz_aware=True) for name, url in urls.items()
        }
        self._db = {name: client.get_default_database() for name, client in self._clients.items()}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def request_count(self) -> int:
        return int(self._db["intake"]["requests"].estimated_document_count())

    def stored_codes(self, since: datetime) -> set[str]:
        cursor = self._db["intake"]["requests"].find({"requested_at": {"$gte": since}}, {"_id": 1})
        return {str(document["_id"]) for document in cursor}

    def routed_timeline_duplicates(self, since: datetime) -> int:
        cursor = self._db["intake"]["requests"].find(
            {"requested_at": {"$gte": since}}, {"timeline.event_id": 1}
        )
        keys = (
            (str(document["_id"]), str(step.get("event_id")))
            for document in cursor
            for step in document.get("timeline", [])
            if step.get("event_id")
        )
        return duplicate_count(keys)

    def case_ids(self, since: datetime) -> set[str]:
        cursor = self._db["routing"]["cases"].find({"submitted_at": {"$gte": since}}, {"_id": 1})
        return {str(document["_id"]) for document in cursor}

    def notes(self, since: datetime) -> list[Note]:
        cursor = self._db["notify"]["notifications"].find({"created_at": {"$gte": since}}, NOTE_FIELDS)
        return [
            Note(
                str(doc.get("request_id")),
                str(doc.get("event_type")),
                str(doc.get("recipient_key")),
                str(doc.get("channel")),
                doc["created_at"].timestamp(),
                _epoch(doc.get("finished_at")),
            )
            for doc in cursor
        ]

    def routed_count(self, since: datetime) -> int:
        query: dict[str, Any] = {"created_at": {"$gte": since}, "event_type": ROUTED}
        return int(self._db["notify"]["notifications"].count_documents(query))

    def wait_for_routed(self, since: datetime, expected: int, timeout: float) -> bool:
        """Poll notify's store until `expected` routed notifications since `since` are there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.routed_count(since) >= expected:
                return True
            time.sleep(0.5)
        return False
