"""The one module that talks to MongoDB (through motor).

Everything else sees `Store`, `Collection` and the error types re-exported here, so a
change of driver stays a one-file change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.uri_parser import parse_uri

Collection = AsyncIOMotorCollection[dict[str, Any]]
Document = dict[str, Any]

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "Collection",
    "Document",
    "DuplicateKeyError",
    "IndexSpec",
    "PyMongoError",
    "ReturnDocument",
    "Store",
]


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


class Store:
    def __init__(self, url: str, default_database: str) -> None:
        database = parse_uri(url).get("database") or default_database
        self._client: AsyncIOMotorClient[Document] = AsyncIOMotorClient(
            url, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000
        )
        self.db: AsyncIOMotorDatabase[Document] = self._client[database]

    def collection(self, name: str) -> Collection:
        return self.db[name]

    async def ensure_indexes(self, specs: Sequence[IndexSpec]) -> None:
        for spec in specs:
            await self.db[spec.collection].create_index(
                list(spec.keys), unique=spec.unique, name=spec.name, **spec.options
            )

    async def ping(self) -> bool:
        try:
            await self._client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    def close(self) -> None:
        self._client.close()
