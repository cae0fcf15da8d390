"""The one module that talks to MongoDB (through PyMongo's asyncio client).

Everything else sees `Store`, `Collection` and the error types re-exported here, so a
change of driver stays a one-file change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError
from pymongo.uri_parser import parse_uri

Collection = AsyncCollection[dict[str, Any]]
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
    "StoreUnavailable",
]

# The store cannot be reached (down, restarting, failing over): the caller may try again.
StoreUnavailable = ConnectionFailure
# How long an operation waits for a reachable store before it fails with StoreUnavailable.
SERVER_SELECTION_TIMEOUT_MS = 5000
PING_TIMEOUT_SECONDS = 2.0


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
        self._client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
            connectTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
        )
        self.db: AsyncDatabase[Document] = self._client[database]

    def collection(self, name: str) -> Collection:
        return self.db[name]

    async def ensure_indexes(self, specs: Sequence[IndexSpec]) -> None:
        for spec in specs:
            await self.db[spec.collection].create_index(
                list(spec.keys), unique=spec.unique, name=spec.name, **spec.options
            )

    async def ping(self) -> bool:
        """Whether the store answers within PING_TIMEOUT_SECONDS (a probe must not hang)."""
        try:
            await asyncio.wait_for(self._client.admin.command("ping"), PING_TIMEOUT_SECONDS)
        except (PyMongoError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        await self._client.close()
