"""Lookups by URL key: one {_id: {$in: keys}} query per chunk of keys, answered from the _id index on every server."""

from __future__ import annotations

import json
from typing import Any

import pymongo
from pymongo import monitoring

from arabpress.storage.lookup import LOOKUP_CHUNK, find_by_ids
from tests.storage_helpers import client_for, server_is_ferretdb

SITE = "https://www.arabpress.example"


def test_find_by_ids_returns_the_stored_documents_by_key(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "version": number} for number in range(5)])
        keys = [f"{SITE}/3/", f"{SITE}/missing/", f"{SITE}/1/", f"{SITE}/3/"]
        found = find_by_ids(articles, keys, {"version": 1})
    assert found == {
        f"{SITE}/3/": {"_id": f"{SITE}/3/", "version": 3},
        f"{SITE}/1/": {"_id": f"{SITE}/1/", "version": 1},
    }


def searches_the_id_index(plan: dict[str, Any], ferretdb: bool, mongodb_stages: tuple[str, ...]) -> bool:
    """Return True when an explained *plan* searches the _id index.

    FerretDB 1.24 as built by scripts/install-ferretdb.sh: its SQLite plan searches the _id
    index (the released build scans the table: docs/storage.md). MongoDB: one of
    *mongodb_stages* (IDHACK, EXPRESS_IDHACK from 8.0, or an index scan).
    """
    text = json.dumps(plan["queryPlanner"], default=str)
    if ferretdb:
        return "USING INDEX" in text and "_id_" in text
    return "_id" in text and any(stage in text for stage in mongodb_stages)


def test_a_lookup_by_id_uses_the_id_index(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "body": "x" * 100} for number in range(50)])
        plan = articles.find({"_id": f"{SITE}/49/"}).limit(1).explain()
        assert searches_the_id_index(plan, server_is_ferretdb(client), ("IDHACK", "IXSCAN")), plan


def test_a_guarded_lookup_by_id_uses_the_id_index_and_still_checks_the_guard(
    mongo_uri: str, mongo_database: str
) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "version": 1} for number in range(50)])
        guard = {"_id": f"{SITE}/49/", "version": 1}
        plan = articles.find(guard).limit(1).explain()
        # The writer's guarded replacement: _id with other keys still searches the index.
        assert searches_the_id_index(plan, server_is_ferretdb(client), ("IDHACK", "IXSCAN")), plan
        stale = articles.replace_one({"_id": f"{SITE}/49/", "version": 0}, {"version": 2})
        current = articles.replace_one(guard, {"version": 2})
        assert (stale.matched_count, current.matched_count) == (0, 1)
        assert articles.find_one({"_id": f"{SITE}/49/"}) == {"_id": f"{SITE}/49/", "version": 2}


class CommandNames(monitoring.CommandListener):
    """Keep the name of every command a client sends."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Keep a command's name."""
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Nothing to keep."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Nothing to keep."""


def test_keys_are_looked_up_in_one_query_per_chunk_that_uses_the_id_index(mongo_uri: str, mongo_database: str) -> None:
    stored = [f"{SITE}/{number:04}/" for number in range(LOOKUP_CHUNK * 2)]
    keys = [*stored, *(f"{SITE}/missing-{number}/" for number in range(100))]
    commands = CommandNames()
    client: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000, event_listeners=[commands]) as client:
        articles = client[mongo_database]["articles"]
        for start in range(0, len(stored), 100):
            articles.insert_many(
                [{"_id": key, "body": "x" * 1000, "version": 1} for key in stored[start : start + 100]]
            )
        commands.names.clear()
        found = find_by_ids(articles, keys, {"version": 1})
        sent = list(commands.names)
        plan = articles.find({"_id": {"$in": keys[:LOOKUP_CHUNK]}}, {"version": 1}).explain()
        ferretdb = server_is_ferretdb(client)
    assert found == {key: {"_id": key, "version": 1} for key in stored}
    # 1,100 keys: three queries, each answered in its first batch.
    assert sent == ["find", "find", "find"]
    assert searches_the_id_index(plan, ferretdb, ("IXSCAN",)), plan


def test_an_id_in_is_answered_whole_with_keys_of_other_types_and_other_conditions(
    mongo_uri: str, mongo_database: str
) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "version": number % 2} for number in range(10)])
        articles.insert_one({"_id": 7, "version": 1})
        mixed = articles.find({"_id": {"$in": [f"{SITE}/3/", 7, f"{SITE}/missing/"]}}, {"_id": 1})
        guarded = articles.find({"_id": {"$in": [f"{SITE}/3/", f"{SITE}/4/", f"{SITE}/5/"]}, "version": 1})
        mixed_ids = sorted(str(document["_id"]) for document in mixed)
        guarded_ids = sorted(document["_id"] for document in guarded)
    assert mixed_ids == ["7", f"{SITE}/3/"]
    assert guarded_ids == [f"{SITE}/3/", f"{SITE}/5/"]


def projected(document: dict[str, Any], projection: dict[str, int]) -> dict[str, Any]:
    """Return *document* as MongoDB projects it by *projection* (top-level fields, 1 or 0)."""
    if any(projection.values()):  # an inclusion (`_id` kept unless excluded)
        keep = [name for name, value in projection.items() if value] + ["_id"] * projection.get("_id", 1)
        return {name: value for name, value in document.items() if name in keep}
    return {name: value for name, value in document.items() if name not in projection}


def test_a_projection_gives_what_the_whole_documents_projected_give(mongo_uri: str, mongo_database: str) -> None:
    # The FerretDB build decodes only the fields a projection, filter and sort name (docs/storage.md).
    documents = [
        {
            "_id": f"{SITE}/{number}/",
            "version": number % 3,
            "meta": {"lang": "ar" if number % 2 else "en"},
            "title": f"title {number}",
            "body": f'"{number}" \\ }} ] , ' * 50,
            **({"subtitle": f"subtitle {number}"} if number % 4 == 0 else {}),
        }
        for number in range(12)
    ]
    cases: list[tuple[dict[str, Any], dict[str, int], list[tuple[str, int]]]] = [
        ({"version": {"$gte": 1}}, {"title": 1}, [("_id", 1)]),  # a filter on a field not projected
        ({}, {"title": 1}, [("version", -1), ("_id", 1)]),  # a sort on fields not projected
        ({"meta.lang": "ar"}, {"title": 1, "_id": 0}, [("_id", 1)]),  # a path
        ({"$or": [{"version": 2}, {"meta.lang": "en"}]}, {"subtitle": 1}, [("_id", 1)]),  # an operator; missing fields
        ({}, {"_id": 1}, [("_id", -1)]),
        ({}, {"_id": 0}, [("_id", 1)]),  # an exclusion
        ({"version": 0}, {"body": 0, "meta": 0}, [("_id", 1)]),
    ]
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many(documents)
        for query, projection, order in cases:
            whole = list(articles.find(query).sort(order))
            assert whole, query
            found = list(articles.find(query, projection).sort(order))
            assert found == [projected(document, projection) for document in whole], (query, projection)
