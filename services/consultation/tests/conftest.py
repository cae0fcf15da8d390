"""Fixtures: the consultation app and use cases over an in-memory store and broker."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from consultation.app import create_app
from consultation.settings import ConsultationSettings
from servicekit.auth import Role, mint_staff_token
from servicekit.outbox import Outbox
from servicekit.store import DuplicateKeyError

SECRET = "s" * 40


def _match_one(value: Any, expected: Any) -> bool:
    if isinstance(expected, dict) and any(key.startswith("$") for key in expected):
        for operator, operand in expected.items():
            if operator == "$ne":
                ok = operand not in value if isinstance(value, list) else value != operand
            elif operator == "$in":
                ok = value in operand
            elif operator == "$exists":
                ok = (value is not None) == operand
            else:
                raise NotImplementedError(operator)
            if not ok:
                return False
        return True
    if isinstance(value, list) and not isinstance(expected, list):
        return expected in value
    return bool(value == expected)


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    return all(_match_one(document.get(key), expected) for key, expected in query.items())


def _project(document: dict[str, Any], projection: dict[str, int] | None) -> dict[str, Any]:
    result = copy.deepcopy(document)
    if projection and all(value == 0 for value in projection.values()):
        return {key: value for key, value in result.items() if key not in projection}
    if projection:
        return {key: value for key, value in result.items() if key == "_id" or projection.get(key)}
    return result


def _sort_key(value: Any) -> Any:
    return (value is None, value if value is not None else datetime.min.replace(tzinfo=UTC))


class FakeCursor:
    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._documents = documents

    def sort(self, keys: list[tuple[str, int]]) -> FakeCursor:
        for key, direction in reversed(keys):
            self._documents.sort(key=lambda document: _sort_key(document.get(key)), reverse=direction < 0)
        return self

    def skip(self, count: int) -> FakeCursor:
        self._documents = self._documents[count:]
        return self

    def limit(self, count: int) -> FakeCursor:
        self._documents = self._documents[:count]
        return self

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        for document in self._documents:
            yield document


def _apply(document: dict[str, Any], update: dict[str, Any]) -> None:
    assert set(update) <= {"$set", "$push", "$inc", "$pull"}, update
    document.update(copy.deepcopy(update.get("$set", {})))
    for key, amount in update.get("$inc", {}).items():
        document[key] = document.get(key, 0) + amount
    for key, clause in update.get("$push", {}).items():
        items = clause["$each"] if isinstance(clause, dict) and "$each" in clause else [clause]
        document.setdefault(key, []).extend(copy.deepcopy(items))
    for key, clause in update.get("$pull", {}).items():
        sent = set(clause["event_id"]["$in"])
        document[key] = [event for event in document.get(key, []) if event["event_id"] not in sent]


class FakeCollection:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def insert_one(self, document: dict[str, Any]) -> None:
        if document["_id"] in self.documents:
            raise DuplicateKeyError("E11000 duplicate key")
        self.documents[document["_id"]] = copy.deepcopy(document)

    async def find_one(self, query: dict[str, Any], projection: dict[str, int] | None = None) -> Any:
        found = [doc for doc in self.documents.values() if _matches(doc, query)]
        return _project(found[0], projection) if found else None

    def find(self, query: dict[str, Any], projection: dict[str, int] | None = None) -> FakeCursor:
        return FakeCursor(
            [_project(doc, projection) for doc in self.documents.values() if _matches(doc, query)]
        )

    async def count_documents(self, query: dict[str, Any]) -> int:
        return sum(_matches(doc, query) for doc in self.documents.values())

    async def aggregate(self, pipeline: list[dict[str, Any]]) -> FakeCursor:
        match, group = pipeline[0]["$match"], pipeline[1]["$group"]
        field = group["_id"].removeprefix("$")
        counts: dict[Any, int] = {}
        for doc in self.documents.values():
            if _matches(doc, match):
                counts[doc.get(field)] = counts.get(doc.get(field), 0) + 1
        return FakeCursor([{"_id": key, "count": count} for key, count in counts.items()])

    async def find_one_and_update(
        self,
        query: dict[str, Any],
        update: dict[str, Any],
        projection: Any = None,
        return_document: Any = None,
    ) -> Any:
        for document in self.documents.values():
            if _matches(document, query):
                _apply(document, update)
                return _project(document, projection)
        return None

    async def update_many(self, query: dict[str, Any], update: dict[str, Any]) -> Any:
        matched = [document for document in self.documents.values() if _matches(document, query)]
        for document in matched:
            _apply(document, update)
        return type("UpdateResult", (), {"modified_count": len(matched)})()

    async def update_one(self, query: dict[str, Any], update: dict[str, Any]) -> None:
        for document in self.documents.values():
            if _matches(document, query):
                _apply(document, update)
                return


class FakeStore:
    def __init__(self) -> None:
        self.collections: dict[str, FakeCollection] = {}

    def collection(self, name: str) -> FakeCollection:
        return self.collections.setdefault(name, FakeCollection())


class FakeBus:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, envelope: dict[str, Any]) -> None:
        self.published.append(envelope)

    def types(self) -> list[str]:
        return [event["type"] for event in self.published]


@pytest.fixture
def settings() -> ConsultationSettings:
    return ConsultationSettings(
        mongodb_url="mongodb://127.0.0.1:1/consultation",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
        public_base_url="https://rayzani.example.ir",
    )


@pytest.fixture
def fake_store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def fake_bus() -> FakeBus:
    return FakeBus()


@pytest.fixture
def outbox(fake_store: FakeStore, fake_bus: FakeBus) -> Outbox:
    return Outbox(fake_store, fake_bus, ["consultations"], sweep_seconds=60)  # type: ignore[arg-type]


@pytest.fixture
def app(settings: ConsultationSettings, fake_store: FakeStore, fake_bus: FakeBus) -> FastAPI:
    from consultation.service.comments import CommentService
    from consultation.service.consultations import ConsultationService
    from consultation.store import CommentRepository, ConsultationRepository, ResponseRepository

    app = create_app(settings)
    store: Any = fake_store
    outbox = Outbox(store, fake_bus, ["consultations"], sweep_seconds=60)  # type: ignore[arg-type]
    service = ConsultationService(
        ConsultationRepository(store), CommentRepository(store), ResponseRepository(store), outbox, settings
    )
    app.state.consultation_service = service
    app.state.comment_service = CommentService(service)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://consultation") as client:
        yield client


def token(subject: str, *roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(SECRET, subject, list(roles))}"}
