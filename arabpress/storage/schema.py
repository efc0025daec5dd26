"""Bring an articles collection to the current schema, then create its indexes.

Collections written before articles were keyed by ``_id`` = URL key hold documents with
driver-made ObjectId keys, a unique ``url`` index and a text index that reads each
article's ``language`` as its stemming language. Opening such a collection migrates it:

1. a marker index (``rekey_pending``) is created, then the unique ``url`` index dropped;
2. each document whose ``_id`` is not a string is copied under ``_id`` = its URL key (its
   ``url`` and ``related_urls`` made URL keys too), merged with a document already stored
   under that key, and only then deleted;
3. the marker is dropped, and a text index with other options than the current one is
   dropped to be created again.

A migration cut short (a crash, a lost connection) leaves the marker, so the next open
carries on; each step is safe to repeat: the merge of a document with its own copy gives
the same copy. MongoDB never changes an ``_id`` in place, hence the copy and delete.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.collection import Collection

from arabpress.storage.documents import TEXT_LANGUAGE_FIELD
from arabpress.storage.indexes import TEXT_INDEX, ensure_article_indexes
from arabpress.urls import url_key

logger = logging.getLogger(__name__)

LEGACY_URL_INDEX = "url_unique"
MARKER_INDEX = IndexModel([("_id", ASCENDING), ("url", ASCENDING)], name="rekey_pending")
PROGRESS_EVERY = 1000


@dataclass
class Migration:
    """What a migration did."""

    rekeyed: int = 0
    left: list[tuple[Any, str]] = field(default_factory=list)  # (_id, why) of documents it could not key
    text_index_dropped: bool = False


def prepare_articles(collection: Collection[dict[str, Any]]) -> list[str]:
    """Migrate *collection* when written by an earlier schema, then create the indexes; return warnings."""
    migration = migrate_articles(collection)
    warnings = [f"article {_id!r} left under its old key: {why}" for _id, why in migration.left]
    return warnings + ensure_article_indexes(collection)


def migrate_articles(collection: Collection[dict[str, Any]]) -> Migration:
    """Rekey the documents of an earlier schema by URL key (nothing to do on a current collection)."""
    migration = Migration()
    names = set(collection.index_information())
    if LEGACY_URL_INDEX in names or MARKER_INDEX.document["name"] in names:
        if MARKER_INDEX.document["name"] not in names:
            collection.create_indexes([MARKER_INDEX])
        if LEGACY_URL_INDEX in names:
            collection.drop_index(LEGACY_URL_INDEX)
        rekey_all(collection, migration)
        collection.drop_index(MARKER_INDEX.document["name"])
    migration.text_index_dropped = drop_outdated_text_index(collection)
    return migration


def rekey_all(collection: Collection[dict[str, Any]], migration: Migration) -> None:
    """Copy every document not keyed by a string under its URL key, then delete the old one."""
    old_ids = [document["_id"] for document in collection.find({"_id": {"$not": {"$type": "string"}}}, {"_id": 1})]
    if old_ids:
        logger.info("migrating %d articles to _id = URL key", len(old_ids))
    for number, old_id in enumerate(old_ids, start=1):
        old = collection.find_one({"_id": old_id})
        if old is not None:
            rekey(collection, old, migration)
        if number % PROGRESS_EVERY == 0:
            logger.info("migrated %d of %d articles", number, len(old_ids))


def rekey(collection: Collection[dict[str, Any]], old: dict[str, Any], migration: Migration) -> None:
    """Store *old* under its URL key (merged with what is there) and delete it; note it when it has no usable url."""
    url = old.get("url")
    try:
        key = url_key(url) if isinstance(url, str) and url else None
    except ValueError as error:
        migration.left.append((old["_id"], f"url {url!r}: {error}"))
        return
    if key is None:
        migration.left.append((old["_id"], "no url"))
        return
    stored = collection.find_one({"_id": key})
    collection.replace_one({"_id": key}, merged(old, stored, key), upsert=True)
    collection.delete_one({"_id": old["_id"]})
    migration.rekeyed += 1


def merged(old: Mapping[str, Any], stored: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    """Return the document for *key*: the copy seen last, first and last seen over both, the higher version."""
    copies = [copy for copy in (stored, old) if copy is not None]
    # max keeps the first of equals: the stored copy, so that repeating a merge changes nothing.
    latest = max(copies, key=lambda copy: seen(copy, "last_seen_at"))
    document = {name: value for name, value in latest.items() if name != "_id"}
    first_seen = [copy["first_seen_at"] for copy in copies if isinstance(copy.get("first_seen_at"), datetime)]
    last_seen = [copy["last_seen_at"] for copy in copies if isinstance(copy.get("last_seen_at"), datetime)]
    versions = [copy["version"] for copy in copies if isinstance(copy.get("version"), int)]
    if first_seen:
        document["first_seen_at"] = min(first_seen)
    if last_seen:
        document["last_seen_at"] = max(last_seen)
    if versions:
        document["version"] = max(versions)
    document["url"] = key
    if isinstance(document.get("related_urls"), list):
        document["related_urls"] = [keyed_link(link) for link in document["related_urls"]]
    return {"_id": key, **document}


def seen(document: Mapping[str, Any], name: str) -> float:
    """Return the date *name* of *document* as a timestamp (-inf when missing), for ordering."""
    value = document.get(name)
    return value.timestamp() if isinstance(value, datetime) else float("-inf")


def keyed_link(link: Any) -> Any:
    """Return the URL key of a stored related link, or the link as it is when it is not a URL."""
    if not isinstance(link, str):
        return link
    try:
        return url_key(link)
    except ValueError:
        return link


def drop_outdated_text_index(collection: Collection[dict[str, Any]]) -> bool:
    """Drop the articles' text index when its language_override is not the current one; return True if dropped."""
    info = collection.index_information().get(TEXT_INDEX)
    if info is None or info.get("language_override") == TEXT_LANGUAGE_FIELD:
        return False
    collection.drop_index(TEXT_INDEX)
    return True
