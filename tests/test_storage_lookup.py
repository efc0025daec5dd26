"""Lookups by URL key: one {_id: key} query each, answered from the _id index on every server."""

from __future__ import annotations

import json

from arabpress.storage.lookup import find_by_ids
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


def test_a_lookup_by_id_uses_the_id_index(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "body": "x" * 100} for number in range(50)])
        plan = articles.find({"_id": f"{SITE}/49/"}).limit(1).explain()
        text = json.dumps(plan["queryPlanner"], default=str)
        if server_is_ferretdb(client):
            # FerretDB 1.24 as built by scripts/install-ferretdb.sh: the SQLite plan searches
            # the _id index (the released build scans the table: docs/storage.md).
            assert "USING INDEX" in text and "_id_" in text, text
        else:
            # MongoDB: the _id fast path (IDHACK, EXPRESS_IDHACK from 8.0) or an index scan.
            assert "IDHACK" in text or "IXSCAN" in text, text


def test_a_guarded_lookup_by_id_uses_the_id_index_and_still_checks_the_guard(
    mongo_uri: str, mongo_database: str
) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_many([{"_id": f"{SITE}/{number}/", "version": 1} for number in range(50)])
        guard = {"_id": f"{SITE}/49/", "version": 1}
        plan = articles.find(guard).limit(1).explain()
        text = json.dumps(plan["queryPlanner"], default=str)
        if server_is_ferretdb(client):
            # The writer's guarded replacement: _id with other keys still searches the index.
            assert "USING INDEX" in text and "_id_" in text, text
        else:
            assert "IDHACK" in text or "IXSCAN" in text, text
        stale = articles.replace_one({"_id": f"{SITE}/49/", "version": 0}, {"version": 2})
        current = articles.replace_one(guard, {"version": 2})
        assert (stale.matched_count, current.matched_count) == (0, 1)
        assert articles.find_one({"_id": f"{SITE}/49/"}) == {"_id": f"{SITE}/49/", "version": 2}
