"""The ``pages`` collection: the fetched page of each stored article, for ``arabpress reextract``.

One document per article, ``_id`` the article's key (:func:`page_key`), with the page's bytes
as received (after Content-Encoding), compressed (``compression`` names the codec: ``zstd``,
or ``zlib`` for pages kept before Zstandard was used), and what decoding them again needs:
the requested and final URLs, status, Content-Type and the charset the crawl decoded with,
``fetched_at``, the sitemap's lastmod and the crawl id. Only the latest copy is kept; with
history on, every distinct copy (by SHA-256 of the bytes) is also kept in
``<collection>_history`` under ``_id`` ``"<key> <sha256>"``.

A compressed page too large for one document (MongoDB's limit is 16 MiB) goes to GridFS, in
the bucket named like the collection (``pages.files``, ``pages.chunks``), under the file id
``"<key> <sha256>"``, so the same bytes are stored once whichever copy refers to them.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from typing import Any

import zstandard
from bson import Binary
from gridfs import GridFSBucket
from pymongo import ASCENDING, IndexModel, InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.cursor import Cursor
from pymongo.database import Database

from arabpress.storage.indexes import create_each
from arabpress.storage.writer import BULK_CHUNK, NEW_SHARE, unordered
from arabpress.urls import url_key

COMPRESSION = "zstd"
# Zstandard level 3: 13.7 KiB for a 59 KB page of the generated site in 0.2 ms of CPU, where
# zlib level 6 took 1.1-1.9 ms for 12.7 KiB; level 6 saves 7% more for 3x the CPU.
COMPRESSION_LEVEL = 3
# The codecs pages were ever stored with; zlib (level 6) before Zstandard.
CODECS = ("zstd", "zlib")
# Room left in a page document for its other fields.
PAGE_ROOM = 64 * 1024

PAGE_INDEXES = [IndexModel([("fetched_at", ASCENDING)], name="fetched_at")]
HISTORY_INDEXES = [
    IndexModel([("key", ASCENDING), ("fetched_at", ASCENDING)], name="key_fetched_at"),
    IndexModel([("fetched_at", ASCENDING)], name="fetched_at"),
]


def page_key(url: str) -> str:
    """Return the key of the page of the article whose canonical URL is *url*: the articles' key."""
    return url_key(url)


@dataclass(frozen=True)
class Page:
    """A fetched article page, as the crawl received it."""

    article_url: str  # the canonical URL of the article the page gave
    url: str  # the URL requested (before any redirect)
    final_url: str  # the URL of the response, after redirects
    status: int
    content_type: str  # the Content-Type header as sent, "" when none
    charset: str  # the encoding the crawl decoded the body with
    fetched_at: datetime
    sitemap_lastmod: datetime | None
    crawl_id: str
    body: bytes

    @property
    def key(self) -> str:
        """Return the page's key, the article's."""
        return page_key(self.article_url)

    @property
    def digest(self) -> str:
        """Return the SHA-256 hex of the body."""
        return sha256(self.body).hexdigest()


@dataclass
class PagesResult:
    """What a batch of pages became."""

    stored: int = 0
    compressed_bytes: int = 0
    gridfs: int = 0


# A Zstandard (de)compressor must not be used by two threads at once: one each per thread.
_codecs = threading.local()


def compress(body: bytes) -> bytes:
    """Return *body* compressed as stored, with the COMPRESSION codec."""
    compressor: zstandard.ZstdCompressor | None = getattr(_codecs, "compressor", None)
    if compressor is None:
        # The content size in the frame header lets decompression allocate once.
        compressor = _codecs.compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL, write_content_size=True)
    return compressor.compress(body)


class PageError(ValueError):
    """A stored page that cannot be read back; the message says why, on one line."""


def decompress(codec: Any, compressed: bytes) -> bytes:
    """Return the bytes *compressed* with *codec* (a page document's ``compression``); raise PageError."""
    if codec not in CODECS:
        raise PageError(f"unknown compression {codec!r}")
    try:
        if codec == "zlib":
            return zlib.decompress(compressed)
        decompressor: zstandard.ZstdDecompressor | None = getattr(_codecs, "decompressor", None)
        if decompressor is None:
            decompressor = _codecs.decompressor = zstandard.ZstdDecompressor()
        return decompressor.decompress(compressed)
    except (zlib.error, zstandard.ZstdError) as error:
        raise PageError(f"stored bytes do not decompress: {error}") from None


class PageStore:
    """Write and read the pages collection (and its history and GridFS bucket) of one database."""

    def __init__(
        self,
        database: Database[dict[str, Any]],
        collection: str = "pages",
        history: bool = False,
        max_document_size: int = 16 * 1024 * 1024,
    ) -> None:
        self.database = database
        self.pages: Collection[dict[str, Any]] = database[collection]
        self.history: Collection[dict[str, Any]] | None = database[f"{collection}_history"] if history else None
        self.history_name = f"{collection}_history"
        self.bucket = GridFSBucket(database, bucket_name=collection)
        self.files: Collection[dict[str, Any]] = database[f"{collection}.files"]
        self.chunks: Collection[dict[str, Any]] = database[f"{collection}.chunks"]
        self.inline_limit = max_document_size - PAGE_ROOM
        # By collection: the last batch found (almost) nothing stored, so inserts go first.
        self.expect_new: dict[str, bool] = {}

    def ensure_indexes(self) -> None:
        """Create the indexes of the pages (and history) collections."""
        create_each(self.pages, PAGE_INDEXES)
        if self.history is not None:
            create_each(self.history, HISTORY_INDEXES)

    def write(self, pages: Sequence[Page]) -> PagesResult:
        """Store *pages* (replacing each article's previous copy); raise PyMongoError when the server fails."""
        result = PagesResult()
        latest: dict[str, dict[str, Any]] = {}
        for page in pages:
            document = self._document(page, result)
            latest[page.key] = document  # the same article twice in a batch: the last fetch wins
        self._put(self.pages, latest)
        if self.history is not None:
            self._put(self.history, {f"{key} {doc['sha256']}": {**doc, "key": key} for key, doc in latest.items()})
        result.stored = len(latest)
        return result

    def _document(self, page: Page, result: PagesResult) -> dict[str, Any]:
        """Return the stored form of *page*, its body inline or in GridFS."""
        compressed = compress(page.body)
        digest = page.digest
        document: dict[str, Any] = {
            "article_url": page.article_url,
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "content_type": page.content_type,
            "charset": page.charset,
            "fetched_at": page.fetched_at,
            "sitemap_lastmod": page.sitemap_lastmod,
            "crawl_id": page.crawl_id,
            "size": len(page.body),
            "sha256": digest,
            "compression": COMPRESSION,
        }
        result.compressed_bytes += len(compressed)
        if len(compressed) <= self.inline_limit:
            document["body"] = Binary(compressed)
        else:
            document["gridfs_id"] = self._upload(f"{page.key} {digest}", page.key, compressed)
            result.gridfs += 1
        return document

    def _upload(self, file_id: str, key: str, compressed: bytes) -> str:
        """Put *compressed* in GridFS under *file_id*, unless it is there already; return the id."""
        if self.files.find_one({"_id": file_id}, {"_id": 1}) is None:
            # Chunks of an upload cut short before its files document was written.
            self.chunks.delete_many({"files_id": file_id})
            self.bucket.upload_from_stream_with_id(file_id, key, compressed)
        return file_id

    def _put(self, collection: Collection[dict[str, Any]], documents: Mapping[str, dict[str, Any]]) -> None:
        """Store *documents* by ``_id``, replacing any stored copy, in bulk writes of BULK_CHUNK operations.

        While the keys are new (the last batch replaced at most NEW_SHARE stored documents),
        plain inserts go first and only those refused are replaced: an upsert that inserts
        costs FerretDB nearly twice an insert.
        """
        keys = list(documents)
        replaced = 0
        if self.expect_new.get(collection.name, False):
            refused: list[str] = []
            for start in range(0, len(keys), BULK_CHUNK):
                chunk = keys[start : start + BULK_CHUNK]
                requests = [InsertOne({"_id": key, **documents[key]}) for key in chunk]
                refused += [chunk[index] for index in unordered(collection, requests)]
            keys, replaced = refused, len(refused)
        for start in range(0, len(keys), BULK_CHUNK):
            upserts = [
                ReplaceOne({"_id": key}, documents[key], upsert=True) for key in keys[start : start + BULK_CHUNK]
            ]
            replaced += collection.bulk_write(upserts, ordered=False).matched_count
        self.expect_new[collection.name] = replaced <= NEW_SHARE * len(documents)

    def body(self, document: Mapping[str, Any]) -> bytes:
        """Return the page's bytes as received, from a stored page document; raise PageError."""
        return unpack(document, self.stored_bytes(document))

    def stored_bytes(self, document: Mapping[str, Any]) -> bytes:
        """Return the page's bytes as stored (compressed), from the document or its GridFS file."""
        if "gridfs_id" in document:
            return bytes(self.bucket.open_download_stream(document["gridfs_id"]).read())
        return bytes(document.get("body") or b"")

    def load(self, document: Mapping[str, Any]) -> Page:
        """Return the Page of a stored page document; raise PageError."""
        return page_of(document, self.body(document))

    def scan(self, query: Mapping[str, Any], after: str | None = None) -> Cursor[dict[str, Any]]:
        """Return the keys of the pages *query* selects, after the key *after*, in key order."""
        selection = dict(query)
        if after is not None:
            selection["_id"] = {**selection.get("_id", {}), "$gt": after}
        return self.pages.find(selection, {"_id": 1}).sort("_id", ASCENDING)

    def stream(self, query: Mapping[str, Any], first: str, last: str, batch_size: int) -> Cursor[dict[str, Any]]:
        """Return the pages *query* selects from key *first* to key *last*, in key order, as one cursor.

        One cursor for a whole run, *batch_size* pages a round trip, rather than one
        ``{_id: key}`` lookup per page: MongoDB walks the ``_id`` index (the hint keeps it
        from sorting another index's result); FerretDB reads and sorts the selection once.
        """
        return key_range(self.pages, query, first, last).batch_size(batch_size)

    def prune(self, before: datetime) -> int:
        """Delete the pages (and history copies) fetched before *before*, then unused GridFS files."""
        deleted = self.pages.delete_many({"fetched_at": {"$lt": before}}).deleted_count
        history = self.database[self.history_name]
        deleted += history.delete_many({"fetched_at": {"$lt": before}}).deleted_count
        self.drop_unused_files()
        return deleted

    def drop_unused_files(self) -> int:
        """Delete the GridFS files that no page or history copy refers to (replaced large pages)."""
        dropped = 0
        history = self.database[self.history_name]
        for file in self.files.find({}, {"_id": 1}):
            file_id = file["_id"]
            if self.pages.count_documents({"gridfs_id": file_id}, limit=1):
                continue
            if history.count_documents({"gridfs_id": file_id}, limit=1):
                continue
            self.bucket.delete(file_id)
            dropped += 1
        return dropped


def selection(since: datetime | None = None, url_prefix: str | None = None) -> dict[str, Any]:
    """Return the query of the pages fetched since *since* whose article URL starts with *url_prefix*."""
    query: dict[str, Any] = {}
    if since is not None:
        query["fetched_at"] = {"$gte": since}
    if url_prefix:
        query["_id"] = {"$regex": "^" + re.escape(page_key(url_prefix))}
    return query


def key_range(
    collection: Collection[dict[str, Any]],
    query: Mapping[str, Any],
    first: str,
    last: str,
    projection: Mapping[str, int] | None = None,
) -> Cursor[dict[str, Any]]:
    """Return the documents (their *projection*) *query* selects in *collection*, keys *first* to *last*, in order."""
    keys = {**query.get("_id", {}), "$gte": first, "$lte": last}
    return collection.find({**query, "_id": keys}, projection).sort("_id", ASCENDING).hint([("_id", ASCENDING)])


def unpack(document: Mapping[str, Any], compressed: bytes) -> bytes:
    """Return the page's bytes as received from its stored (*compressed*) bytes; raise PageError."""
    body = decompress(document.get("compression"), compressed)
    if sha256(body).hexdigest() != document.get("sha256"):
        raise PageError("stored bytes do not match their SHA-256")
    return body


def page_of(document: Mapping[str, Any], body: bytes) -> Page:
    """Return the Page of a stored page document whose bytes as received are *body*."""
    return Page(
        article_url=str(document["article_url"]),
        url=str(document["url"]),
        final_url=str(document["final_url"]),
        status=int(document["status"]),
        content_type=str(document.get("content_type") or ""),
        charset=str(document.get("charset") or ""),
        fetched_at=document["fetched_at"],
        sitemap_lastmod=document.get("sitemap_lastmod"),
        crawl_id=str(document.get("crawl_id") or ""),
        body=body,
    )
