"""Units as admins save them. Every save tells notify the unit's name and contact channels through
the unit's own outbox, so staff alerts reach the unit's contact as it is now."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import UnitUpdatedV1
from routing.domain.rules import Unit
from routing.store.repository import UNITS, RoutingRepository
from servicekit.outbox import Outbox, envelopes

PRODUCER = "routing"


def unit_updated(unit: Unit, updated_at: datetime) -> UnitUpdatedV1:
    return UnitUpdatedV1(
        unit_id=unit.unit_id,
        name_fa=unit.name_fa,
        contact_phone=unit.contact_phone,
        contact_email=unit.contact_email,
        active=unit.active,
        updated_at=updated_at,
    )


def _now() -> datetime:
    """Milliseconds, as the store keeps them, so the event says the time stored."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class UnitBook:
    def __init__(self, repo: RoutingRepository, outbox: Outbox) -> None:
        self._repo = repo
        self._outbox = outbox

    async def save(self, unit: Unit) -> None:
        now = _now()
        await self._repo.save_unit(unit, now, envelopes(PRODUCER, unit_updated(unit, now)))
        await self._outbox.relay(UNITS, unit.unit_id)

    async def announce_unannounced(self) -> int:
        """Tell of the units stored before saves were told (they have no `updated_at`), each once
        whichever routing process gets to it first; returns how many this process told."""
        told = 0
        for unit in await self._repo.units_never_announced():
            now = _now()
            if await self._repo.announce_unit(
                unit.unit_id, now, envelopes(PRODUCER, unit_updated(unit, now))
            ):
                await self._outbox.relay(UNITS, unit.unit_id)
                told += 1
        return told
