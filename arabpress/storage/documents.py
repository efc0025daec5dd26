"""The stored form of an article: the item's fields plus storage bookkeeping.

An article is keyed by ``_id`` = its URL key (arabpress.urls.url_key), the same value as
its ``url`` field. Storage owns the key and the bookkeeping fields (first_seen_at,
last_seen_at, updated_at, version, crawl_id) and stamps ``extractor_version`` and
``record_hash``; an item that carries any of them has them ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import bson
from bson.errors import InvalidDocument
from itemadapter import ItemAdapter

from arabpress.rules import EXTRACTOR_VERSION
from arabpress.urls import url_key

# Fields set by storage, never by the crawl.
BOOKKEEPING_FIELDS = ("first_seen_at", "last_seen_at", "updated_at", "version", "crawl_id")
# Fields stamped by storage from what produced the article, not by the item.
STAMPED_FIELDS = ("extractor_version", "record_hash")
# Fields that say how and when a page was fetched, not what the article says: a new fetch
# of the same article changes them without changing the article.
CONTEXT_FIELDS = ("fetched_at", "fetched_url", "sitemap_lastmod")
# What storage sets itself, whatever an item says.
LEFT_OUT_OF_ITEMS = frozenset({*BOOKKEEPING_FIELDS, *STAMPED_FIELDS, "_id"})
# Item fields stored as BSON dates in UTC.
DATE_FIELDS = ("published_at", "modified_at", "fetched_at", "sitemap_lastmod")
# Room left under the server's size limit for the bookkeeping fields.
BOOKKEEPING_ROOM = 1024
# The bytes of a BSON document around its elements: its int32 length and the closing NUL.
BSON_FRAME = 5
# The text index's language_override: a field no article has, so that every article is
# indexed with the index's default_language "none" whatever its ``language`` says.
TEXT_LANGUAGE_FIELD = "text_search_language"


class DocumentError(ValueError):
    """An article that no server would store as it is; the message says why."""


def article_document(item: Any) -> dict[str, Any]:
    """Return the fields of *item* to store, aware datetimes converted to UTC, with extractor_version."""
    # A mapping (a scrapy Item, a dict) is read directly: through ItemAdapter each field costs two more calls.
    fields = item if isinstance(item, Mapping) else ItemAdapter(item)
    document = {name: value for name, value in fields.items() if name not in LEFT_OUT_OF_ITEMS}
    for name in DATE_FIELDS:
        value = document.get(name)
        if isinstance(value, datetime) and value.tzinfo is not None:
            document[name] = value.astimezone(UTC)
    document["extractor_version"] = EXTRACTOR_VERSION
    return document


def article_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the article says: *document* without bookkeeping, stamps and crawl context."""
    left_out = {"_id", *BOOKKEEPING_FIELDS, *STAMPED_FIELDS, *CONTEXT_FIELDS}
    return {name: value for name, value in document.items() if name not in left_out}


def record_hash(document: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex of the article's fields as BSON, the same for a document and its stored copy.

    Keys are sorted at every level and BSON keeps dates to the millisecond, so a document read
    back from the server hashes like the one that was written.
    """
    return hash_of(article_bson(document))


def article_bson(document: Mapping[str, Any]) -> bytes:
    """Return the article's fields of *document* as BSON, keys sorted at every level (what record_hash hashes)."""
    return bson.encode(_sorted(article_fields(document)))


def hash_of(encoded: bytes) -> str:
    """Return the record hash of the article fields encoded by article_bson."""
    return hashlib.sha256(encoded).hexdigest()


# Values with nothing inside to sort or check, told apart from mappings and lists by their type alone
# (an isinstance against an ABC such as Mapping costs several times more).
SCALARS = (str, int, float, datetime, bytes, type(None))


def _sorted(value: Any) -> Any:
    """Return *value* with the keys of every mapping in it sorted."""
    # Scalars are kept without a call: most values are, and lists of URLs are long.
    if isinstance(value, Mapping):
        return {key: child if isinstance(child := value[key], SCALARS) else _sorted(child) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [child if isinstance(child, SCALARS) else _sorted(child) for child in value]
    return value


def keyed(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return *document* with ``url`` as its URL key and ``_id`` the same; raise DocumentError without a usable url."""
    url = document.get("url")
    if not isinstance(url, str) or not url:
        raise DocumentError("no url")
    try:
        key = url_key(url)
    except ValueError as error:
        raise DocumentError(f"url {url!r} is not a URL: {error}") from None
    if not key.startswith(("http://", "https://")):
        raise DocumentError(f"url {url!r} is not an absolute http(s) URL")
    return {"_id": key, **{name: value for name, value in document.items() if name != "_id"}, "url": key}


def check_document(document: Mapping[str, Any], max_size: int) -> str:
    """Raise DocumentError when *document* cannot be stored as it is on any server; else return its record_hash.

    Checked here rather than left to the server because the servers differ: FerretDB
    accepts documents over 16 MiB, and the driver refuses a whole batch for one key
    with a NUL byte. The article's fields are encoded once for both the size and the hash.
    """
    if document.get("_id") != document.get("url"):
        raise DocumentError("_id is not the url key (arabpress.storage.documents.keyed)")
    if not isinstance(document.get("content_hash"), str):
        raise DocumentError("no content_hash")
    for name in DATE_FIELDS:
        value = document.get(name)
        if value is None:
            continue
        if not isinstance(value, datetime):
            raise DocumentError(f"{name} is a {type(value).__name__}, not a datetime")
        if value.tzinfo is None:
            raise DocumentError(f"{name} has no time zone")
    if TEXT_LANGUAGE_FIELD in document:
        raise DocumentError(f"{TEXT_LANGUAGE_FIELD} is reserved for the text index")
    check_keys(document)
    try:
        fields = article_fields(document)
        encoded = bson.encode(_sorted(fields))
        # A BSON document is its elements between a 4-byte length and a NUL, in any order: the
        # size of the whole is the two parts' sizes less one frame.
        rest = bson.encode({name: value for name, value in document.items() if name not in fields})
    except (InvalidDocument, OverflowError, UnicodeEncodeError) as error:
        # A lone surrogate in a string is no UTF-8: the encoder raises UnicodeEncodeError.
        raise DocumentError(f"not storable as BSON: {error}") from None
    size = len(encoded) + len(rest) - BSON_FRAME
    if size > max_size - BOOKKEEPING_ROOM:
        raise DocumentError(f"{size} bytes, over the server's limit of {max_size}")
    return hash_of(encoded)


def check_keys(value: Any, path: str = "") -> None:
    """Raise DocumentError for a field name MongoDB-compatible servers refuse or misread."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            if not isinstance(key, str) or not key:
                raise DocumentError(f"field name {key!r} under {path or 'the top level'} is empty or not text")
            if key.startswith("$") or "." in key or "\x00" in key:
                where = f"{path}.{key}" if path else key
                raise DocumentError(f"field name {where!r} has '$', '.' or NUL")
            if not isinstance(child, SCALARS):
                check_keys(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            if not isinstance(child, SCALARS):
                check_keys(child, f"{path}.{index}")
