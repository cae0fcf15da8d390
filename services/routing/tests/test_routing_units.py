"""Saving a unit tells notify its name and contact channels (`unit.updated`) through the unit's
outbox; units stored before saves were told are told once, whichever process gets there first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from routing.domain.rules import Unit
from routing.store.repository import UNITS
from routing.units import UnitBook

pytestmark = pytest.mark.unit

LIGHTING = Unit(
    unit_id="d1-lighting",
    name_fa="واحد روشنایی معابر منطقه یک",
    name_en="District 1 Street Lighting",
    contact_phone="۰۹۱۴۱۲۳۰۰۰۰",
    contact_email="lighting.d1@ardabil.example.ir",
)


class FakeRepository:
    def __init__(self) -> None:
        self.units: dict[str, dict[str, Any]] = {}

    async def save_unit(self, unit: Unit, updated_at: datetime, events: list[dict[str, Any]]) -> None:
        stored = self.units.setdefault(unit.unit_id, {"outbox": []})
        stored |= {"unit": unit, "updated_at": updated_at}
        stored["outbox"].extend(events)

    async def units_never_announced(self) -> list[Unit]:
        return [stored["unit"] for stored in self.units.values() if "updated_at" not in stored]

    async def announce_unit(self, unit_id: str, updated_at: datetime, events: list[dict[str, Any]]) -> bool:
        stored = self.units[unit_id]
        if "updated_at" in stored:
            return False
        stored["updated_at"] = updated_at
        stored["outbox"].extend(events)
        return True


class FakeOutbox:
    def __init__(self) -> None:
        self.relayed: list[tuple[str, str]] = []

    async def relay(self, collection: str, document_id: str) -> None:
        self.relayed.append((collection, document_id))


async def test_a_saved_unit_stages_its_contact_channels_for_notify_and_relays_them() -> None:
    repo, outbox = FakeRepository(), FakeOutbox()
    book = UnitBook(repo, outbox)  # type: ignore[arg-type]
    await book.save(LIGHTING)
    await book.save(LIGHTING.model_copy(update={"contact_email": "roshanaei@ardabil.example.ir"}))
    first, second = repo.units["d1-lighting"]["outbox"]
    assert first["type"] == second["type"] == "unit.updated.v1"
    assert first["payload"] | {"updated_at": None} == {
        "unit_id": "d1-lighting",
        "name_fa": "واحد روشنایی معابر منطقه یک",
        "contact_phone": "۰۹۱۴۱۲۳۰۰۰۰",
        "contact_email": "lighting.d1@ardabil.example.ir",
        "active": True,
        "updated_at": None,
    }
    assert second["payload"]["contact_email"] == "roshanaei@ardabil.example.ir"
    assert second["payload"]["updated_at"] >= first["payload"]["updated_at"]
    # the event says the time stored, to the millisecond the store keeps: notify keeps the later
    assert datetime.fromisoformat(second["payload"]["updated_at"]) == repo.units["d1-lighting"]["updated_at"]
    assert repo.units["d1-lighting"]["updated_at"].microsecond % 1000 == 0
    assert outbox.relayed == [(UNITS, "d1-lighting")] * 2


async def test_units_stored_before_saves_were_told_are_told_once_by_two_processes() -> None:
    repo = FakeRepository()
    repo.units["d1-lighting"] = {"unit": LIGHTING, "outbox": []}  # as an older routing stored it
    first, second = UnitBook(repo, FakeOutbox()), UnitBook(repo, FakeOutbox())  # type: ignore[arg-type]
    told = [await first.announce_unannounced(), await second.announce_unannounced()]
    assert told == [1, 0]
    [event] = repo.units["d1-lighting"]["outbox"]
    assert event["payload"]["contact_email"] == "lighting.d1@ardabil.example.ir"
    assert await first.announce_unannounced() == 0
