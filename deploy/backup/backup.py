"""Dump and restore one Pishkhan service database through the driver.

    .venv/bin/python deploy/backup/backup.py dump    --url mongodb://127.0.0.1:27101/intake --dir backups/intake
    .venv/bin/python deploy/backup/backup.py restore --url mongodb://127.0.0.1:27101/intake --dir backups/intake

The database is the one named in the URL's path. A dump is a directory with one JSON Lines
file per collection (`<collection>.jsonl`, canonical extended JSON, so dates, ObjectIds and
decimals come back as they were), `indexes.json` and `manifest.json`. Restore refuses a
database that already holds documents unless `--replace` is given, which drops each
collection in the dump before loading it (like `mongorestore --drop`).

In production use `mongodump`/`mongorestore` (see README.md next to this file); this tool is
for local stores and tests, where those tools are not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.uri_parser import parse_uri

FORMAT = "pishkhan-backup/1"
MANIFEST = "manifest.json"
INDEXES = "indexes.json"
BATCH = 1000
JSON_OPTIONS = CANONICAL_JSON_OPTIONS.with_options(tz_aware=True, tzinfo=UTC)

Document = dict[str, Any]


class BackupError(Exception):
    """Something an operator must fix before a dump or restore can go on."""


def _database(client: MongoClient[Document], url: str) -> Database[Document]:
    name = parse_uri(url).get("database")
    if not name:
        raise BackupError(f"the URL names no database (mongodb://host:port/<database>): {url}")
    return client[name]


def _collections(db: Database[Document]) -> list[Document]:
    return sorted(
        (dict(info) for info in db.list_collections() if not str(info["name"]).startswith("system.")),
        key=lambda info: str(info["name"]),
    )


def _encode(value: Any) -> str:
    return json_util.dumps(value, json_options=JSON_OPTIONS, ensure_ascii=False)


def _decode(text: str) -> Any:
    return json_util.loads(text, json_options=JSON_OPTIONS)


def dump(url: str, directory: Path) -> dict[str, int]:
    """Write every collection of the URL's database under `directory`; returns documents per collection."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; dump into a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    indexes: dict[str, list[Document]] = {}
    options: dict[str, Document] = {}
    client: MongoClient[Document] = MongoClient(url, tz_aware=True, tzinfo=UTC)
    with client:
        db = _database(client, url)
        for info in _collections(db):
            name = str(info["name"])
            options[name] = dict(info.get("options") or {})
            count = 0
            with (directory / f"{name}.jsonl").open("w", encoding="utf-8") as out:
                for document in db[name].find(sort=[("_id", 1)]):
                    out.write(_encode(document) + "\n")
                    count += 1
            counts[name] = count
            indexes[name] = [dict(index) for index in db[name].list_indexes()]
        database = db.name
    (directory / INDEXES).write_text(_encode(indexes), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "database": database,
        "dumped_at": datetime.now(UTC).isoformat(),
        "collections": counts,
        "options": options,
    }
    (directory / MANIFEST).write_text(_encode(manifest), encoding="utf-8")
    return counts


def _documents(path: Path) -> Iterator[Document]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield dict(_decode(line))


def _batches(documents: Iterator[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _index_options(index: Document) -> Document:
    return {key: value for key, value in index.items() if key not in {"v", "key", "ns"}}


def restore(url: str, directory: Path, replace: bool = False) -> dict[str, int]:
    """Load a dump into the URL's database; returns documents per collection."""
    manifest_file = directory / MANIFEST
    if not manifest_file.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}; not a dump made by this tool")
    manifest = dict(_decode(manifest_file.read_text(encoding="utf-8")))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown dump format {manifest.get('format')!r}")
    indexes: dict[str, list[Document]] = dict(_decode((directory / INDEXES).read_text(encoding="utf-8")))
    collections: dict[str, int] = dict(manifest["collections"])
    counts: dict[str, int] = {}
    client: MongoClient[Document] = MongoClient(url, tz_aware=True, tzinfo=UTC)
    with client:
        db = _database(client, url)
        occupied = [
            str(info["name"]) for info in _collections(db) if db[str(info["name"])].estimated_document_count()
        ]
        if occupied and not replace:
            raise BackupError(
                f"database {db.name} is not empty ({', '.join(occupied)}); pass --replace to drop and "
                "reload the collections in the dump"
            )
        for name in collections:
            if replace:
                db.drop_collection(name)
            options = manifest.get("options", {}).get(name) or {}
            if options:
                db.create_collection(name, **options)
            counts[name] = 0
            for batch in _batches(_documents(directory / f"{name}.jsonl")):
                db[name].insert_many(batch, ordered=True)
                counts[name] += len(batch)
            if counts[name] != collections[name]:
                raise BackupError(
                    f"{name}: loaded {counts[name]} documents, the dump says {collections[name]}"
                )
            for index in indexes.get(name, []):
                if index.get("name") == "_id_":
                    continue
                db[name].create_index(list(dict(index["key"]).items()), **_index_options(index))
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dump or restore one Pishkhan service database.")
    parser.add_argument("action", choices=["dump", "restore"])
    parser.add_argument("--url", required=True, help="mongodb://host:port/<database>")
    parser.add_argument("--dir", required=True, type=Path, help="directory of the dump")
    parser.add_argument(
        "--replace", action="store_true", help="restore: drop the dump's collections in a non-empty database"
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "dump":
            counts = dump(args.url, args.dir)
        else:
            counts = restore(args.url, args.dir, replace=args.replace)
    except BackupError as error:
        print(f"{args.action}: {error}", file=sys.stderr)
        return 2
    print(
        json.dumps({"action": args.action, "dir": str(args.dir), "collections": counts}, ensure_ascii=False)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
