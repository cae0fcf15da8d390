"""The local store answers queries through its indexes exactly as a full read would.

The launcher narrows a query to an index's candidates (a unique index whose keys the query pins,
or a non-unique one for equality, `$in` and ranges) and matches the whole query on them. These tests
write a random mix of inserts, conditional updates, upserts and deletes, then compare every
answer with the same query evaluated here over all the documents.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from support import store_process

pytestmark = pytest.mark.integration

MISSING = object()
STATUSES = ["open", "routed", "closed", None]
TAGS: list[Any] = [["a", "b"], "a", "c", None, []]
# like an outbox: an array of staged events with their times, emptied once they are published
OUTBOXES: list[Any] = [[{"at": "t3"}], [{"at": "t1"}, {"at": "t7"}], [], [{"other": 1}], None]


@pytest.fixture(scope="module")
def things(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection[dict[str, Any]]]:
    for base in store_process(Path(tmp_path_factory.mktemp("local-store")), "local"):
        client: MongoClient[dict[str, Any]] = MongoClient(base)
        try:
            yield _filled(client["local"]["things"], random.Random(7))
        finally:
            client.close()


def _filled(collection: Collection[dict[str, Any]], rng: random.Random) -> Collection[dict[str, Any]]:
    collection.create_index([("status", ASCENDING), ("n", ASCENDING)])
    collection.create_index([("tags", ASCENDING)])
    collection.create_index([("code", ASCENDING)], unique=True)
    collection.create_index([("outbox.at", ASCENDING)])
    documents = []
    for number in range(2000):
        document: dict[str, Any] = {"_id": number, "n": rng.randint(0, 100), "code": f"c{number}"}
        for field, choices in (("status", STATUSES), ("tags", TAGS), ("outbox", OUTBOXES)):
            value = rng.choice(choices)
            if value is not None or rng.random() < 0.5:  # both a missing field and an explicit null
                document[field] = value
        documents.append(document)
    collection.insert_many(documents)
    for number in range(0, 2000, 7):
        collection.update_one({"_id": number, "status": {"$exists": True}}, {"$set": {"status": "closed"}})
    for number in range(3, 2000, 13):
        collection.update_one({"_id": number}, {"$set": {"tags": rng.choice(TAGS)}, "$unset": {"status": ""}})
    for number in range(1, 2000, 5):  # events published and pulled, or more staged
        collection.update_one({"_id": number}, {"$pull": {"outbox": {"at": {"$in": ["t1", "t3"]}}}})
        collection.update_one({"_id": number + 2}, {"$push": {"outbox": {"at": f"t{number % 9}"}}})
    for number in range(0, 2000, 11):
        collection.delete_one({"_id": number, "n": {"$gte": 0}})
    collection.update_one({"_id": 5000, "status": "open"}, {"$set": {"n": 5}}, upsert=True)
    collection.update_many({"status": "routed", "n": {"$lt": 10}}, {"$set": {"status": "open"}})
    collection.insert_one({"_id": 0, "status": "open", "n": 1, "code": "c0", "tags": "a"})  # a freed slot
    return collection


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    return all(_field_matches(_value(document, field), condition) for field, condition in query.items())


def _value(document: dict[str, Any], path: str) -> Any:
    """A field's value; a dotted path through an array of documents gives their values."""
    head, _, rest = path.partition(".")
    value = document.get(head, MISSING)
    if not rest:
        return value
    if isinstance(value, list):
        found = [item[rest] for item in value if isinstance(item, dict) and rest in item]
        return found if found else MISSING
    return value.get(rest, MISSING) if isinstance(value, dict) else MISSING


def _field_matches(value: Any, condition: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if not isinstance(condition, dict):
        if condition is None:
            return value is MISSING or value is None
        return condition in values
    return all(_operator_holds(value, values, operator, argument) for operator, argument in condition.items())


def _operator_holds(value: Any, values: list[Any], operator: str, argument: Any) -> bool:
    comparable = value is not MISSING and value is not None
    if operator == "$in":
        return any(item in argument for item in values)
    if operator == "$nin":
        return not any(item in argument for item in values)
    if operator == "$eq":
        return argument in values
    ranges = {
        "$lt": lambda item: item < argument,
        "$lte": lambda item: item <= argument,
        "$gt": lambda item: item > argument,
        "$gte": lambda item: item >= argument,
    }
    if operator in ranges:  # any element of an array, of the argument's type
        same_type = [item for item in values if comparable and type(item) is type(argument)]
        return any(ranges[operator](item) for item in same_type)
    if operator == "$exists":
        return bool((value is not MISSING) == argument)
    raise ValueError(operator)


QUERIES: list[dict[str, Any]] = [
    {"status": "open"},
    {"status": {"$in": ["open", "routed"]}, "n": {"$lte": 50}},
    {"status": {"$eq": "routed"}, "tags": "c"},
    {"status": None},
    {"status": {"$exists": False}},
    {"_id": 14, "status": "closed"},
    {"_id": 15, "status": {"$in": ["open", "routed", "closed"]}},
    {"_id": {"$in": [1, 2, 3, 4, 5000]}, "n": {"$gt": 3}},
    {"code": "c20", "n": {"$lte": 100}},
    {"tags": "a"},
    {"tags": {"$in": ["b", "c"]}},
    {"tags": None},
    {"n": 5},
    {"status": "open", "_id": 5000},
    {"status": {"$in": []}},
    {"outbox.at": {"$lte": "t3"}},
    {"outbox.at": {"$gt": "t3", "$lte": "t8"}},
    {"outbox.at": {"$lte": "t5"}, "_id": {"$nin": [2, 7, 12]}},
    {"tags": {"$gte": "b"}},
    {"status": {"$gte": "open", "$lt": "z"}},
    {"n": {"$lt": 10}},
]


@pytest.mark.parametrize("query", QUERIES, ids=[str(query) for query in QUERIES])
def test_an_indexed_query_finds_what_a_full_read_finds(
    things: Collection[dict[str, Any]], query: dict[str, Any]
) -> None:
    everything = list(things.find({}))
    expected = sorted(document["_id"] for document in everything if _matches(document, query))
    found = sorted(document["_id"] for document in things.find(query))
    assert found == expected
    assert things.count_documents(query) == len(expected)


def test_a_conditional_update_changes_only_the_document_whose_condition_holds(
    things: Collection[dict[str, Any]],
) -> None:
    target = things.find_one({"status": "open", "_id": {"$ne": 5000}})
    assert target is not None
    assert (
        things.update_one({"_id": target["_id"], "status": "closed"}, {"$set": {"n": -1}}).matched_count == 0
    )
    assert things.update_one(
        {"_id": target["_id"], "status": "open"}, {"$set": {"status": "routed"}}
    ).modified_count
    assert target["_id"] not in {document["_id"] for document in things.find({"status": "open"})}
    assert target["_id"] in {document["_id"] for document in things.find({"status": "routed"})}


def test_unsorted_answers_come_in_insertion_order(things: Collection[dict[str, Any]]) -> None:
    found = [document["_id"] for document in things.find({"status": "closed"})]
    natural = [document["_id"] for document in things.find({}) if document.get("status") == "closed"]
    assert found == natural
