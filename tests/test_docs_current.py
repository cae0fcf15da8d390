"""The committed OpenAPI and AsyncAPI documents under docs/ describe the code as it is."""

from __future__ import annotations

import json

import httpx
import pytest
from support import System

from contracts.topology import PUBLISHES
from pishkhan_local.docs import DOCS, stale


def test_committed_api_and_event_documents_match_the_code() -> None:
    assert [str(path) for path in stale()] == [], "run `make docs` and commit docs/"


@pytest.mark.e2e
def test_a_running_service_serves_its_event_document(system: System) -> None:
    served = httpx.get(f"{system.url('routing')}/asyncapi.json", timeout=10).json()
    committed = json.loads((DOCS / "routing" / "asyncapi.json").read_text(encoding="utf-8"))
    assert set(served["channels"]) == set(committed["channels"])
    assert "routing.request-submitted" in served["channels"]


def test_the_readme_says_what_personal_data_every_event_carries() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Personal data") : readme.index("## Configuration")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    missing = [
        event
        for events in PUBLISHES.values()
        for event in events
        if not any(f"`{event}`" in row or f"`.{event.split('.', 1)[1]}`" in row for row in rows)
    ]
    assert missing == [], "add these events to the README's personal data table"
