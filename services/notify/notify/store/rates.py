"""The provider's rate windows, shared by every notify process: one small counter document a window."""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.store import ASCENDING, DuplicateKeyError, IndexSpec, Store

RATE_WINDOWS = "rate_windows"
RATE_INDEXES: tuple[IndexSpec, ...] = (IndexSpec(RATE_WINDOWS, [("at", ASCENDING)], name="by_at"),)


class StoreWindows:
    def __init__(self, store: Store) -> None:
        self._windows = store.collection(RATE_WINDOWS)

    async def take(self, key: str, window: int, capacity: int) -> bool:
        """Raise the window's count only while it is below `capacity` (a conditional update); a full
        window matches nothing, and its upsert then collides with the window's own `_id`."""
        for _ in range(2):  # two first takes at once: the loser of the insert counts again
            try:
                await self._windows.update_one(
                    {"_id": f"{key}:{window}", "count": {"$lt": capacity}},
                    {"$inc": {"count": 1}, "$setOnInsert": {"key": key, "at": datetime.now(UTC)}},
                    upsert=True,
                )
            except DuplicateKeyError:
                continue
            return True
        return False

    async def forget_before(self, before: datetime) -> int:
        """Windows are only needed while they last; no TTL index here, so a job removes old ones."""
        result = await self._windows.delete_many({"at": {"$lt": before}})
        return int(result.deleted_count)
