"""Collections and replay files written before articles were keyed by ``_id`` = URL key.

tests/data/legacy/articles.jsonl is the collection (Extended JSON, canonical) and
replay.jsonl a replay file that the writer of the previous schema produced: ObjectId keys,
a unique ``url`` index, and one Arabic article stored twice, once under its Arabic-script
URL and once under its percent-encoded one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bson import json_util
from bson.json_util import JSONOptions
from pymongo import ASCENDING, TEXT, IndexModel
from pymongo.collection import Collection
from pymongo.errors import WriteError

from arabpress.cli import main
from arabpress.storage.documents import TEXT_LANGUAGE_FIELD
from arabpress.storage.indexes import TEXT_INDEX, has_text_index
from arabpress.storage.schema import (
    LEGACY_URL_INDEX,
    MARKER_INDEX,
    drop_outdated_text_index,
    merged,
    migrate_articles,
    prepare_articles,
)
from arabpress.storage.writer import ArticleWriter
from arabpress.urls import url_key
from tests.storage_helpers import T0, client_for, entry, later, server_is_ferretdb

LEGACY = Path(__file__).parent / "data" / "legacy"
SITE = "https://www.arabpress.example"
AR_RAW = SITE + "/ar/2024/03/05/النفط-يرتفع/"
AR_KEY = url_key(AR_RAW)
OIL = SITE + "/2024/03/01/oil-rises/"
GOLD = SITE + "/2024/03/02/gold-falls/"
# The indexes the previous schema created that the current one does not.
LEGACY_INDEXES = [IndexModel([("url", ASCENDING)], name=LEGACY_URL_INDEX, unique=True)]


def load_legacy(collection: Collection[dict[str, Any]]) -> None:
    """Fill *collection* as the previous schema left it."""
    options = JSONOptions(tz_aware=True)
    lines = (LEGACY / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    collection.insert_many([json_util.loads(line, json_options=options) for line in lines])
    collection.create_indexes(LEGACY_INDEXES)


def everything(collection: Collection[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return every document, by key."""
    return list(collection.find().sort("_id", 1))


def test_a_collection_of_the_previous_schema_is_rekeyed_at_open_and_twice_changes_nothing(
    mongo_uri: str, mongo_database: str
) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        load_legacy(articles)
        assert articles.count_documents({}) == 4
        warnings = prepare_articles(articles)
        assert all("no text indexes" in warning for warning in warnings)
        documents = everything(articles)
        assert [document["_id"] for document in documents] == sorted([OIL, GOLD, AR_KEY])
        assert all(document["url"] == document["_id"] for document in documents)
        by_key = {document["_id"]: document for document in documents}
        # The two spellings of the Arabic article: one document, the later copy's content,
        # seen first when the first copy was.
        arabic = by_key[AR_KEY]
        assert arabic["body"] == "ارتفع النفط مجددا."
        assert (arabic["first_seen_at"], arabic["last_seen_at"], arabic["crawl_id"]) == (T0, later(120), "crawl-3")
        assert (by_key[GOLD]["version"], by_key[GOLD]["body"]) == (2, "Gold fell further.")
        assert by_key[OIL]["related_urls"] == [AR_KEY]
        names = set(articles.index_information())
        assert LEGACY_URL_INDEX not in names and MARKER_INDEX.document["name"] not in names

        assert prepare_articles(articles) == warnings
        assert everything(articles) == documents
        # The crawl now finds the article under either spelling.
        result = ArticleWriter(articles).write([entry(AR_RAW, body="ارتفع النفط مجددا.", seen_at=later(180))])
        assert (result.inserted, result.updated) == (0, 1)
        assert articles.count_documents({}) == 3


def test_a_migration_cut_short_carries_on_at_the_next_open(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        clean = client[mongo_database]["clean"]
        load_legacy(clean)
        prepare_articles(clean)
        articles = client[mongo_database]["articles"]
        load_legacy(articles)
        # Cut short after the first step and one copy, before that copy's old document was deleted.
        articles.create_indexes([MARKER_INDEX])
        articles.drop_index(LEGACY_URL_INDEX)
        first = articles.find_one({"url": OIL})
        assert first is not None
        articles.replace_one({"_id": OIL}, merged(first, None, OIL), upsert=True)
        assert articles.count_documents({}) == 5
        migration = migrate_articles(articles)
        assert migration.rekeyed == 4 and migration.left == []
        assert everything(articles) == everything(clean)


def test_a_document_without_a_usable_url_is_left_and_reported(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        load_legacy(articles)
        articles.insert_one({"url": "https://www.arabpress.example:99999/x/", "title": "bad port"})
        warnings = prepare_articles(articles)
        assert [warning for warning in warnings if "left under its old key" in warning] == [
            f"article {articles.find_one({'title': 'bad port'})['_id']!r} left under its old key: "  # type: ignore[index]
            "url 'https://www.arabpress.example:99999/x/': Port out of range 0-65535"
        ]
        assert articles.count_documents({}) == 4


def test_a_replay_file_of_the_previous_schema_still_replays(
    tmp_path: Path, mongo_uri: str, mongo_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    replay = tmp_path / "replay.jsonl"
    replay.write_bytes((LEGACY / "replay.jsonl").read_bytes())
    arguments = ["replay", str(replay), "--uri", mongo_uri, "--database", mongo_database]
    assert main(arguments) == 0
    assert "2 inserted" in capsys.readouterr().out
    assert main(arguments) == 0
    assert "2 unchanged" in capsys.readouterr().out
    with client_for(mongo_uri) as client:
        stored = everything(client[mongo_database]["articles"])
    assert [(document["_id"], document["url"]) for document in stored] == [
        (key, key) for key in sorted([AR_KEY, SITE + "/2024/03/03/wheat/"])
    ]


def test_a_text_index_with_the_previous_options_is_made_again(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_one({"_id": OIL, "url": OIL, "title": "Oil", "body": "running"})
        previous = IndexModel([("title", TEXT), ("body", TEXT)], name=TEXT_INDEX, default_language="none")
        ferretdb = server_is_ferretdb(client)
        if ferretdb:
            # No text indexes on FerretDB: nothing to drop, and none is made.
            assert drop_outdated_text_index(articles) is False
            assert not has_text_index(articles)
            return
        articles.create_indexes([previous])
        assert articles.index_information()[TEXT_INDEX]["language_override"] == "language"
        assert prepare_articles(articles) == []
        assert articles.index_information()[TEXT_INDEX]["language_override"] == TEXT_LANGUAGE_FIELD
        articles.insert_one({"_id": AR_KEY, "url": AR_KEY, "language": "ar", "title": "النفط", "body": "النفط"})
        assert [document["_id"] for document in articles.find({"$text": {"$search": "النفط"}})] == [AR_KEY]


def test_an_id_is_never_changed_in_place_so_rekeying_copies(mongo_uri: str, mongo_database: str) -> None:
    # MongoDB's rule (FerretDB follows it): a replacement or update may not change _id, so
    # the migration inserts the document under its key and then deletes the old one.
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_one({"url": OIL})
        with pytest.raises(WriteError) as refused:
            articles.replace_one({"url": OIL}, {"_id": OIL, "url": OIL})
        assert refused.value.code == 66  # ImmutableField
        assert articles.find_one({"_id": OIL}) is None
