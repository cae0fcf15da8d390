"""In-memory stand-ins for the store and the broker, enough for the drafts API."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from consultation.app import create_app
from consultation.settings import ConsultationSettings
from servicekit.auth import Role, mint_staff_token
from servicekit.outbox import Outbox
from servicekit.store import DuplicateKeyError, ReturnDocument

SECRET = "s" * 40


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    for key, expected in query.items():
        if isinstance(expected, dict) and "$exists" in expected:
            raise NotImplementedError(key)
        if document.get(key) != expected:
            return False
    return True


def _project(document: dict[str, Any], projection: dict[str, int] | None) -> dict[str, Any]:
    result = copy.deepcopy(document)
    if projection and all(value == 0 for value in projection.values()):
        return {key: value for key, value in result.items() if key not in projection}
    if projection:
        return {key: value for key, value in result.items() if key == "_id" or projection.get(key)}
    return result


class FakeCursor:
    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._documents = documents

    def sort(self, keys: list[tuple[str, int]]) -> FakeCursor:
        for key, direction in reversed(keys):
            self._documents.sort(key=lambda document: document[key], reverse=direction < 0)
        return self

    def limit(self, count: int) -> FakeCursor:
        self._documents = self._documents[:count]
        return self

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        for document in self._documents:
            yield document


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
        found = [_project(doc, projection) for doc in self.documents.values() if _matches(doc, query)]
        return FakeCursor(found)

    async def find_one_and_update(
        self, query: dict[str, Any], update: dict[str, Any], return_document: bool = ReturnDocument.BEFORE
    ) -> Any:
        assert set(update) <= {"$set", "$push"}, update
        for document in self.documents.values():
            if _matches(document, query):
                document.update(copy.deepcopy(update.get("$set", {})))
                for key, clause in update.get("$push", {}).items():
                    document.setdefault(key, []).extend(copy.deepcopy(clause["$each"]))
                return copy.deepcopy(document)
        return None

    async def update_one(self, query: dict[str, Any], update: dict[str, Any]) -> None:
        ((key, clause),) = update["$pull"].items()
        sent = set(clause["event_id"]["$in"])
        for document in self.documents.values():
            if _matches(document, query):
                document[key] = [event for event in document.get(key, []) if event["event_id"] not in sent]


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


@pytest.fixture
def settings() -> ConsultationSettings:
    return ConsultationSettings(
        mongodb_url="mongodb://127.0.0.1:1/consultation",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
    )


@pytest.fixture
def fake_store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def fake_bus() -> FakeBus:
    return FakeBus()


@pytest.fixture
def app(settings: ConsultationSettings, fake_store: FakeStore, fake_bus: FakeBus) -> FastAPI:
    app = create_app(settings)
    app.state.store.close()  # never connected: requests here reach the in-memory store only
    app.state.store = fake_store
    app.state.outbox = Outbox(fake_store, fake_bus, ["drafts"], sweep_seconds=60)  # type: ignore[arg-type]
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://consultation") as client:
        yield client


def token(*roles: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(SECRET, 'staff-7', list(roles))}"}


@pytest.fixture
def moderator() -> dict[str, str]:
    return token(Role.MODERATOR)


@pytest.fixture
def clerk() -> dict[str, str]:
    return token(Role.CLERK)
