"""Write batches of articles as idempotent upserts keyed by ``_id`` = the URL key.

Rules, for an article seen at time T by crawl C:

- new URL: inserted with first_seen_at = updated_at = last_seen_at = T, version 1,
  crawl_id C;
- same article fields as stored (the same ``record_hash``: every field but the crawl
  context and the bookkeeping): only last_seen_at and extractor_version move (never
  backwards);
- other fields: the document is replaced by the new fields, keeping first_seen_at, with
  updated_at = T, version + 1 and crawl_id C; unless the stored copy was seen after T
  (a late replay), which is then kept ("stale").

An article re-extracted from its stored page (``Entry.from_archive``, at time T by run C)
follows the same rules except that it was not seen on the site: last_seen_at stays (a new
document takes its page's fetched_at), and a stored copy fetched after its page is kept.

Each batch reads the stored bookkeeping by ``_id`` (arabpress.storage.lookup) and sends one
unordered bulk write (in commands of BULK_CHUNK operations). Every operation is guarded
by what that read found (the unique ``_id`` for an insert, the ``_id`` with its old hash
and version for a replacement), so sending a batch again after a lost connection changes
nothing that was already applied: retries are safe.

While the articles are new (the last batch found at most NEW_SHARE of its keys stored, as
in a first crawl), a batch is first sent as plain inserts without reading: the unique
``_id`` refuses those whose key is taken, and only they are read and written as above.
The read would have found nothing for the others, so the outcome is the same with one
query per article fewer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson.errors import InvalidDocument
from pymongo import InsertOne, ReplaceOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DocumentTooLarge,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
    WriteError,
)

from arabpress.storage.connection import describe_error
from arabpress.storage.documents import DocumentError, check_document, keyed, record_hash
from arabpress.storage.lookup import find_by_ids

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Operations per bulk write command: FerretDB 1.24 never answers an update command of 100
# statements or more, and smaller commands cost MongoDB little.
BULK_CHUNK = 50

# Server error codes worth another try: the node is stepping down, shutting down,
# starting up, or the network dropped (the same families the driver retries once).
TRANSIENT_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436})


# A batch that finds at most this share of its keys stored makes the next one insert first.
NEW_SHARE = 0.25
# What plan() reads of a stored document.
STORED_FIELDS = (
    "url",
    "content_hash",
    "record_hash",
    "extractor_version",
    "version",
    "crawl_id",
    "fetched_at",
    "first_seen_at",
    "last_seen_at",
    "updated_at",
)
# Marks a stored document whose record_hash was computed on reading, not stored.
LEGACY = "record_hash_computed"


@dataclass(frozen=True)
class Entry:
    """An article document waiting to be written, with the crawl that saw it and when."""

    document: dict[str, Any]
    crawl_id: str
    seen_at: datetime
    # Re-extracted from the stored page rather than seen on the site (see the module's rules).
    from_archive: bool = False
    # The document's record_hash once the writer has checked it ("" before).
    record_hash: str = ""

    @property
    def url(self) -> str:
        """Return the article's URL (its key once the writer has checked it)."""
        return str(self.document.get("url"))

    def hashed(self) -> dict[str, Any]:
        """Return the document with its record_hash."""
        return {**self.document, "record_hash": self.record_hash or record_hash(self.document)}


@dataclass
class BatchResult:
    """What became of one batch."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    retries: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    failed: list[Entry] = field(default_factory=list)  # not written: the server was away
    error: str = ""  # why `failed` could not be written

    def add(self, other: BatchResult) -> None:
        """Add the counts and lists of *other* to this result."""
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.retries += other.retries
        self.rejected += other.rejected
        self.failed += other.failed
        self.error = other.error or self.error


@dataclass(frozen=True)
class Operation:
    """One guarded write and what it means for the counts."""

    url: str
    outcome: str  # "inserted", "updated" or "unchanged"
    # "insert" (document), "replace" (filter, document), "touch" (filter, operators), or
    # "none" (nothing to write: a re-extraction that finds the article as stored)
    kind: str
    document: dict[str, Any]
    filter: dict[str, Any] = field(default_factory=dict)

    def request(self) -> InsertOne[dict[str, Any]] | ReplaceOne[dict[str, Any]] | UpdateOne:
        """Return the operation for a bulk write."""
        if self.kind == "insert":
            return InsertOne(self.document)
        if self.kind == "replace":
            return ReplaceOne(self.filter, self.document)
        return UpdateOne(self.filter, self.document)

    def send(self, collection: Collection[dict[str, Any]]) -> None:
        """Send the operation alone; an insert whose key is stored already counts as done."""
        if self.kind == "insert":
            try:
                collection.insert_one(dict(self.document))
            except DuplicateKeyError:
                # Done already when the key is taken (an earlier attempt of this batch, or
                # another process storing the same article); a refusal when another
                # unique index objects.
                if collection.find_one({"_id": self.url}, {"_id": 1}) is None:
                    raise
        elif self.kind == "replace":
            collection.replace_one(self.filter, self.document)
        else:
            collection.update_one(self.filter, self.document)


def unordered(collection: Collection[dict[str, Any]], requests: Sequence[Any]) -> list[int]:
    """Send *requests* as one unordered bulk write; return the indexes of those the server refused.

    Both MongoDB and FerretDB apply the others and report each refused one (a taken ``_id``:
    code 11000) by its index.
    """
    try:
        collection.bulk_write(list(requests), ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors") or []
        if not errors:
            raise WriteConcernError(str(error.details.get("writeConcernErrors"))) from error
        return sorted({int(write_error["index"]) for write_error in errors})
    return []


def is_transient(error: PyMongoError) -> bool:
    """Return True for errors that another attempt may not meet (lost connection, failover)."""
    if isinstance(error, ConnectionFailure | WriteConcernError):
        return True
    if isinstance(error, OperationFailure):
        return error.has_error_label("RetryableWriteError") or error.code in TRANSIENT_CODES
    return False


def plan(entry: Entry, stored: Mapping[str, Any] | None) -> Operation | None:
    """Return the write for *entry* given its *stored* bookkeeping, or None when stale."""
    seen_at, url = entry.seen_at, entry.url
    if stored is None:
        return insert(entry)
    document = entry.hashed()
    last_seen = stored.get("last_seen_at")
    if stored.get("record_hash") == document["record_hash"] and not stored.get(LEGACY):
        moves = {} if entry.from_archive else {"last_seen_at": seen_at}
        extractor = document.get("extractor_version")
        if extractor is not None and (stored.get("extractor_version") or 0) < extractor:
            moves["extractor_version"] = extractor
        if not moves:
            return Operation(url, "unchanged", "none", {})
        return Operation(url, "unchanged", "touch", {"$max": moves}, {"_id": url})
    guard = {"_id": url, "content_hash": stored.get("content_hash"), "version": stored.get("version")}
    if stored.get("record_hash") == document["record_hash"]:
        # Stored before record_hash existed, with the same fields: the hash and the stamps
        # are written, the bookkeeping kept.
        kept = {name: stored.get(name) for name in ("first_seen_at", "updated_at", "version", "crawl_id")}
        if not entry.from_archive and (last_seen is None or last_seen < seen_at):
            last_seen = seen_at
        kept_document = {"_id": url, **document, **kept, "last_seen_at": last_seen}
        return Operation(url, "unchanged", "replace", kept_document, guard)
    if entry.from_archive:
        if _later(stored.get("fetched_at"), document.get("fetched_at")):
            return None
    elif _later(last_seen, seen_at):
        return None
    replacement = {
        "_id": url,
        **document,
        "first_seen_at": stored.get("first_seen_at", seen_at),
        "last_seen_at": last_seen if entry.from_archive else seen_at,
        "updated_at": seen_at,
        "version": (stored.get("version") or 0) + 1,
        "crawl_id": entry.crawl_id,
    }
    # The replacement keeps the same _id, which MongoDB allows (the _id itself is immutable).
    return Operation(url, "updated", "replace", replacement, guard)


def insert(entry: Entry) -> Operation:
    """Return the write of *entry* as a new article."""
    seen_at = entry.seen_at
    document = entry.hashed()
    # A plain insert, not an upsert with $setOnInsert: FerretDB 1.x leaves out the
    # null and empty-list fields of $setOnInsert. A retry that meets the unique _id
    # finds the document written (see Operation.send).
    first = (document.get("fetched_at") or seen_at) if entry.from_archive else seen_at
    bookkeeping = {"first_seen_at": first, "last_seen_at": first, "updated_at": seen_at, "version": 1}
    inserted = {"_id": entry.url, **document, **bookkeeping, "crawl_id": entry.crawl_id}
    return Operation(entry.url, "inserted", "insert", inserted)


def inserted_by(entry: Entry, stored: Mapping[str, Any]) -> bool:
    """Return True when *stored* is the document that inserting *entry* as new wrote."""
    expected = insert(entry).document
    return (
        stored.get("record_hash") == expected["record_hash"]
        and stored.get("crawl_id") == expected["crawl_id"]
        and stored.get("version") == 1
        and same_instant(stored.get("first_seen_at"), expected["first_seen_at"])
    )


def same_instant(stored: Any, written: datetime) -> bool:
    """Return True when the date read back, *stored*, is *written* as BSON keeps it (milliseconds, UTC)."""
    if not isinstance(stored, datetime):
        return False
    stored = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored
    return bool(stored == written.replace(microsecond=written.microsecond // 1000 * 1000))


def _later(stored: datetime | None, new: datetime | None) -> bool:
    """Return True when the *stored* time is after the *new* one (both known)."""
    return stored is not None and new is not None and stored > new


def rounds(entries: Iterable[Entry]) -> list[list[Entry]]:
    """Split *entries* so that no URL appears twice in one round (each round reads the last)."""
    result: list[list[Entry]] = []
    urls: list[set[str]] = []
    for entry in entries:
        index = next((number for number, seen in enumerate(urls) if entry.url not in seen), len(result))
        if index == len(result):
            result.append([])
            urls.append(set())
        result[index].append(entry)
        urls[index].add(entry.url)
    return result


class ArticleWriter:
    """Write batches of articles to one collection, retrying transient failures."""

    def __init__(
        self,
        collection: Collection[dict[str, Any]],
        max_document_size: int = 16 * 1024 * 1024,
        retry_times: int = 3,
        retry_backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.collection = collection
        self.max_document_size = max_document_size
        self.retry_times = retry_times
        self.retry_backoff = retry_backoff
        self.sleep = sleep
        # After a batch that could not be written, later batches get one attempt each
        # (no backoff) until one succeeds, so an outage does not hold every batch for
        # the whole retry schedule.
        self.server_away = False
        # The last round found (almost) nothing stored: insert first (see the module's rules).
        self.expect_new = False

    def write(self, entries: Sequence[Entry]) -> BatchResult:
        """Write *entries*; return the counts, the rejected URLs and what could not be written."""
        result = BatchResult()
        valid: list[Entry] = []
        for entry in entries:
            try:
                document = keyed(entry.document)
                hashed = check_document(document, self.max_document_size)
            except DocumentError as error:
                result.rejected.append((entry.url, str(error)))
            else:
                valid.append(replace(entry, document=document, record_hash=hashed))
        pending = rounds(valid)
        while pending:
            try:
                self._write_round(pending[0], result)
            except PyMongoError as error:
                self.server_away = True
                result.failed = [entry for batch in pending for entry in batch]
                result.error = describe_error(error)
                return result
            pending.pop(0)
        self.server_away = False
        return result

    def _write_round(self, entries: Sequence[Entry], result: BatchResult) -> None:
        """Write entries with distinct URLs: inserts first while articles are new, else read their state, then write."""
        count = len(entries)
        ours: set[str] = set()
        if self.expect_new:
            entries, ours = self._insert_first(entries, result)
            if not entries:
                return
        urls = [entry.url for entry in entries]
        stored = self._retry(lambda: self._stored(urls), result)
        self.expect_new = len(stored) <= NEW_SHARE * count
        planned = []
        for entry in entries:
            found = stored.get(entry.url)
            if entry.url in ours and found is not None and inserted_by(entry, found):
                # Inserted by an attempt that then lost its connection.
                result.inserted += 1
                continue
            planned.append(plan(entry, found))
        result.stale += planned.count(None)
        operations = [operation for operation in planned if operation is not None]
        writes = [operation for operation in operations if operation.kind != "none"]
        rejected = self._retry(lambda: self._apply(writes), result)
        result.rejected += rejected
        refused = {url for url, _ in rejected}
        for operation in operations:
            if operation.url not in refused:
                setattr(result, operation.outcome, getattr(result, operation.outcome) + 1)

    def _insert_first(self, entries: Sequence[Entry], result: BatchResult) -> tuple[list[Entry], set[str]]:
        """Insert *entries* as new articles without reading first.

        Return the entries not inserted (their key is taken, or the server refused them: they
        go through the read), and the keys an interrupted attempt may have inserted.
        """
        inserts = [insert(entry) for entry in entries]
        interrupted: set[str] = set()

        def attempt() -> list[int]:
            refused: list[int] = []
            try:
                for start in range(0, len(inserts), BULK_CHUNK):
                    chunk = [operation.request() for operation in inserts[start : start + BULK_CHUNK]]
                    refused += [start + index for index in unordered(self.collection, chunk)]
            except PyMongoError:
                interrupted.update(entry.url for entry in entries)
                raise
            return refused

        refused = self._retry(attempt, result)
        result.inserted += len(entries) - len(refused)
        self.expect_new = len(refused) <= NEW_SHARE * len(entries)
        return [entries[index] for index in refused], interrupted

    def _stored(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """Return the bookkeeping and record_hash of the stored documents among *urls* (keys), by key.

        A document stored before record_hash existed is read whole once to compute it.
        """
        found = find_by_ids(self.collection, urls, dict.fromkeys(STORED_FIELDS, 1))
        legacy = [url for url, doc in found.items() if "record_hash" not in doc]
        for url in legacy:
            whole = self.collection.find_one({"_id": url})
            if whole is not None:
                found[url].update({"record_hash": record_hash(whole), LEGACY: True})
        return found

    def _apply(self, operations: Sequence[Operation]) -> list[tuple[str, str]]:
        """Send *operations* as unordered bulk writes; return the ones the server refused."""
        refused: list[tuple[str, str]] = []
        for start in range(0, len(operations), BULK_CHUNK):
            refused += self._apply_chunk(operations[start : start + BULK_CHUNK])
        return refused

    def _apply_chunk(self, operations: Sequence[Operation]) -> list[tuple[str, str]]:
        """Send one unordered bulk write; return the operations the server refused."""
        try:
            self.collection.bulk_write([operation.request() for operation in operations], ordered=False)
        except BulkWriteError as error:
            if not error.details.get("writeErrors"):
                raise WriteConcernError(str(error.details.get("writeConcernErrors"))) from error
            return self._one_by_one(operations)
        except KeyError as error:
            # FerretDB 1.x answers an update batch with a write error without "nModified"
            # (pymongo then fails on the missing key), stops at the first error and
            # reports it at index 0: only one operation at a time tells which one failed.
            if error.args != ("nModified",):
                raise
            return self._one_by_one(operations)
        return []

    def _one_by_one(self, operations: Sequence[Operation]) -> list[tuple[str, str]]:
        """Send each operation alone (they are idempotent); return the refused ones."""
        refused = []
        for operation in operations:
            try:
                operation.send(self.collection)
            except (WriteError, DocumentTooLarge, InvalidDocument) as error:
                if isinstance(error, WriteError) and is_transient(error):
                    raise
                refused.append((operation.url, describe_error(error)))
        return refused

    def _retry(self, attempt: Callable[[], T], result: BatchResult) -> T:
        """Run *attempt*, retrying transient errors with exponential backoff."""
        retries = 0 if self.server_away else self.retry_times
        for number in range(retries + 1):
            try:
                return attempt()
            except PyMongoError as error:
                if number == retries or not is_transient(error):
                    raise
                delay = self.retry_backoff * 2**number
                reason = describe_error(error)
                logger.warning("MongoDB write failed (%s); retry %d of %d in %.1fs", reason, number + 1, retries, delay)
                result.retries += 1
                self.sleep(delay)
        raise AssertionError("unreachable")
