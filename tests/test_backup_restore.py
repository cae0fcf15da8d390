"""deploy/backup/backup.py dumps a service database and restores it document for document."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bson import Decimal128, ObjectId
from pymongo import MongoClient
from support import System, eventually, file_request, read_request

pytestmark = pytest.mark.e2e

TOOL = Path(__file__).resolve().parents[1] / "deploy" / "backup" / "backup.py"
Snapshot = dict[str, list[dict[str, Any]]]


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=120, check=False
    )


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _snapshot(url: str) -> Snapshot:
    with MongoClient(url, tz_aware=True) as client:
        db = client.get_default_database()
        return {
            name: list(db[name].find(sort=[("_id", 1)]))
            for name in sorted(db.list_collection_names())
            if not name.startswith("system.")
        }


def _index_names(url: str) -> dict[str, set[str]]:
    with MongoClient(url) as client:
        db = client.get_default_database()
        return {
            name: {index["name"] for index in db[name].list_indexes()}
            for name in db.list_collection_names()
            if not name.startswith("system.")
        }


def _values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _values(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _values(item)]
    return [value]


def _dump_quiet_store(url: str, directory: Path) -> Snapshot:
    """Dump while nothing writes: the store reads the same before and after the dump."""
    for attempt in range(5):
        target = directory / f"dump-{attempt}"
        before = _snapshot(url)
        done = _tool("dump", "--url", url, "--dir", str(target))
        assert done.returncode == 0, done.stderr
        if _snapshot(url) == before:
            return before
        time.sleep(1)
    raise AssertionError("the store kept changing during every dump")


def test_intake_store_round_trips_through_dump_and_restore(system: System, tmp_path: Path) -> None:
    marker = f"نشتی آب در کوچهٔ شهید {uuid.uuid4().hex[:6]}"
    filed = [file_request(system, marker), file_request(system, marker)]
    for request in filed:
        eventually(lambda r=request: read_request(system, str(r["tracking_code"]))["status"] == "routed")
    source = system.cluster.stores["intake"].url
    original = _dump_quiet_store(source, tmp_path)
    dump_dir = sorted(tmp_path.glob("dump-*"))[-1]
    assert (dump_dir / "manifest.json").is_file() and (dump_dir / "indexes.json").is_file()

    target = _with_database(source, f"intake_restore_{uuid.uuid4().hex[:8]}")
    restored = _tool("restore", "--url", target, "--dir", str(dump_dir))
    assert restored.returncode == 0, restored.stderr

    copy = _snapshot(target)
    assert copy.keys() == original.keys()
    for name, documents in original.items():
        assert copy[name] == documents, name
    leaves = _values(copy)
    assert sum(isinstance(leaf, str) and marker in leaf for leaf in leaves) >= 2
    assert any(isinstance(leaf, datetime) and leaf.tzinfo is not None for leaf in leaves)
    source_indexes, target_indexes = _index_names(source), _index_names(target)
    assert {name: target_indexes.get(name, set()) for name in source_indexes} == source_indexes


def test_restore_refuses_a_non_empty_database_unless_replace(system: System, tmp_path: Path) -> None:
    source = _with_database(system.cluster.stores["intake"].url, f"scratch_{uuid.uuid4().hex[:8]}")
    document = {
        "_id": ObjectId(),
        "fee": Decimal128(Decimal("125000.50")),
        "at": datetime(2026, 3, 20, 9, 30, 15, 123000, tzinfo=UTC),
        "citizen": {"name": "زهرا محمدی", "notes": ["درخواست «فوری»", {"نوع": "شکایت"}]},
        "raw": b"\x00\x01pishkhan",
    }
    with MongoClient(source, tz_aware=True) as client:
        client.get_default_database()["things"].insert_one(document)
        client.get_default_database()["things"].create_index([("at", -1)], name="by_at")
    dump_dir = tmp_path / "scratch"
    assert _tool("dump", "--url", source, "--dir", str(dump_dir)).returncode == 0
    assert _tool("dump", "--url", source, "--dir", str(dump_dir)).returncode == 2  # never over a dump

    refused = _tool("restore", "--url", source, "--dir", str(dump_dir))
    assert refused.returncode == 2 and "--replace" in refused.stderr
    with MongoClient(source, tz_aware=True) as client:
        client.get_default_database()["things"].update_one({"_id": document["_id"]}, {"$set": {"fee": 0}})
    replaced = _tool("restore", "--url", source, "--dir", str(dump_dir), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert _snapshot(source) == {"things": [document]}
    assert "by_at" in _index_names(source)["things"]
