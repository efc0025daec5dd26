"""Re-extract stored pages into the articles collection, without the network.

Each selected page of the pages collection goes through the crawl's extraction and every
item pipeline (arabpress.offline), then through the crawl's writer
(arabpress.storage.writer) as an article re-extracted from its page: ``version`` and
``updated_at`` move only for the articles whose fields changed.

Pages are taken in key order, in batches; after each batch is written, the run's document in
the reextracts collection records the last key done and the counts so far. A run stopped
(Ctrl-C, SIGTERM, a lost server) is resumed by the same command with the same options: it
starts after that key, so no page is done twice and none is skipped.

The pages and the stored articles are read as two cursors in key order, a batch a round
trip, rather than one lookup per page. Of the stored articles only their stamps are read
(STAMP_FIELDS: ``record_hash`` and ``extractor_version``, which tell an article unchanged),
as each batch is written, so that extraction does not wait for them (with
--older-than-version, as each batch is handed over, to skip pages by version); an article is
read whole, by key, only when its page now gives another ``record_hash``, to name the fields
that changed. Extraction runs in ``workers`` processes when more than one is asked; they get
each page's stored (compressed) bytes, decompress, extract and hash, and send back the
article, while this process reads the next batches and writes the previous one. They start
warm (worker_pool): a process with no other thread (the command, before its MongoDB client
starts any) runs the extraction once on sample pages and forks them; a process with threads
(a scrapyd job), where a fork would copy threads caught mid-work, has them forked by a fork
server that imports :mod:`arabpress.prefork`, which does the same. Each worker then only
builds its own pipelines.
"""

from __future__ import annotations

import importlib.resources
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any, ParamSpec, TypeVar

import bson
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from scrapy.http import HtmlResponse
from scrapy.selector import Selector
from scrapy.settings import BaseSettings
from scrapy.utils.reactor import is_reactor_installed

from arabpress.console import Progress
from arabpress.offline import build_pipelines, extract_response, make_crawler, offline_settings
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.storage.connection import Client, describe_error, max_document_size
from arabpress.storage.documents import article_document, article_fields, record_hash
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.lookup import find_by_ids
from arabpress.storage.pages import Page, PageError, PageStore, key_range, page_key, page_of, selection, unpack
from arabpress.storage.writer import ArticleWriter, Entry
from arabpress.workers import end_with_parent, fork_server_path

# Example diffs kept for the summary, and the length each side is shortened to.
EXAMPLES = 5
EXAMPLE_WIDTH = 80
# Refused pages kept in the run's document (the count covers them all).
REFUSALS_KEPT = 200

STATUS_RUNNING = "running"
STATUS_FINISHED = "finished"

# What became of a page (Result.outcome).
UNREADABLE = "unreadable"  # its stored bytes cannot be read back
REFUSED = "refused"  # it yields no article now
INSERTED = "inserted"  # no article of its key is stored
CHANGED = "changed"
UNCHANGED = "unchanged"
ELSEWHERE = "elsewhere"  # its article has another key now: compared with that key's article
DIFFERS = "differs"  # another record_hash than the stored article's: compared field by field
EXTRACTED = "extracted"  # its article's stamp was not sent along: this process compares it

# Batches handed to worker processes beyond the one being written, so that they never wait
# for this process to read or write.
BATCHES_AHEAD = 2
# Parts of a batch per worker process, each handed over as soon as it is read.
PARTS_PER_WORKER = 2

# What is read of each stored article up front: what tells it unchanged, and needs no write.
STAMP_FIELDS = {"record_hash": 1, "extractor_version": 1}

P = ParamSpec("P")
T = TypeVar("T")
# Reads the stored documents of a batch's keys, by key.
Reader = Callable[[Sequence[str]], dict[str, dict[str, Any]]]


class ReextractError(Exception):
    """A re-extraction that cannot go on; the message is one line, and the run can be resumed."""


@dataclass(frozen=True)
class Options:
    """What a run re-extracts: the pages it selects, and how."""

    since: datetime | None = None
    url_prefix: str | None = None
    older_than_version: int | None = None
    dry_run: bool = False
    batch_size: int = 100
    workers: int = 1

    def selection(self) -> dict[str, Any]:
        """Return the options that identify a run (the same ones resume it)."""
        return {
            "since": self.since,
            "url_prefix": self.url_prefix,
            "older_than_version": self.older_than_version,
            "extractor_version": EXTRACTOR_VERSION,
        }


@dataclass
class Summary:
    """What a run did so far."""

    pages_selected: int = 0
    pages_read: int = 0
    skipped_version: int = 0  # pages whose article is made by the --older-than-version rules already
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0  # a later fetch of the article is stored: kept
    refused_count: int = 0
    seconds: float = 0.0  # spent re-extracting, over every part of a resumed run
    field_changes: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)

    def refuse(self, url: str, reason: str) -> None:
        """Count a page that yields no article now (or that storage refused)."""
        self.refused_count += 1
        if len(self.refused) < REFUSALS_KEPT:
            self.refused.append({"url": url, "reason": reason})

    def note_changes(self, url: str, changes: Iterable[tuple[str, str, str]]) -> None:
        """Count each changed field of *changes* (name, old, new shortened), keeping a few examples."""
        for name, old, new in changes:
            self.field_changes[name] = self.field_changes.get(name, 0) + 1
            if len(self.examples) < EXAMPLES:
                self.examples.append({"url": url, "field": name, "old": old, "new": new})

    def to_document(self) -> dict[str, Any]:
        """Return the summary as stored in the run's document."""
        return asdict(self)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Summary:
        """Return the summary stored in a run's document."""
        return cls(**{name: document[name] for name in cls.__dataclass_fields__ if name in document})


def parse_day(value: str) -> datetime:
    """Return midnight UTC of the day YYYY-MM-DD, or raise ValueError with a one-line message."""
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a date as YYYY-MM-DD: {value!r}") from None


def shorten(value: Any) -> str:
    """Return *value* on one line, at most EXAMPLE_WIDTH characters."""
    text = " ".join(repr(value).split()) if not isinstance(value, str) else " ".join(value.split())
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"


def comparable(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the article fields of *document* as the server would give them back (BSON round trip)."""
    return dict(bson.decode(bson.encode(article_fields(document)), codec_options=CODEC_OPTIONS))


CODEC_OPTIONS: Any = bson.CodecOptions(tz_aware=True, tzinfo=UTC)


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """Return each article field that differs between the documents *old* and *new*: (name, old, new) shortened."""
    before, after = comparable(old), comparable(new)
    return tuple(
        (name, shorten(before.get(name)), shorten(after.get(name)))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    )


def as_stored(article: Mapping[str, Any]) -> bool:
    """Return True when a stored article needs no write for the same fields: hashed, and by these rules."""
    return "record_hash" in article and (article.get("extractor_version") or 0) >= EXTRACTOR_VERSION


@dataclass(frozen=True)
class Stamp:
    """What tells a stored article unchanged without its fields: its record_hash, and whether it needs no write."""

    record_hash: str | None
    as_stored: bool

    @classmethod
    def of(cls, article: Mapping[str, Any] | None) -> Stamp | None:
        """Return the stamp of a stored *article*, None when there is none."""
        return None if article is None else cls(article.get("record_hash"), as_stored(article))


@dataclass(frozen=True)
class Task:
    """One page for extraction: its stored document (without its bytes), its stored bytes, its article's stamp.

    Without --older-than-version the stamps are read as the batch is written, not as it is
    handed over (*stamped* False): extraction starts without waiting for the articles.
    """

    page: dict[str, Any]
    compressed: bytes
    stored: Stamp | None
    stamped: bool = True


@dataclass(frozen=True)
class Result:
    """What one page gave (an outcome above), with the article document to write when there is one."""

    key: str  # the page's
    url: str
    outcome: str
    reason: str = ""
    document: dict[str, Any] | None = None
    changes: tuple[tuple[str, str, str], ...] = ()
    record_hash: str = ""  # of the document, when EXTRACTED


def unchanged(key: str, document: dict[str, Any], stored: Stamp) -> Result:
    """Return *document* as the same fields as stored: written only to stamp a copy of older rules (or unhashed)."""
    return Result(key, str(document["url"]), UNCHANGED, document=None if stored.as_stored else document)


def judge(key: str, old: Mapping[str, Any] | None, document: dict[str, Any]) -> Result:
    """Return what the article *document* is against the *old* stored one, and whether it is written."""
    if old is None:
        return Result(key, str(document["url"]), INSERTED, document=document)
    stored = Stamp(old.get("record_hash"), as_stored(old))
    # The same hash means the same fields (the writer's test); only another hash is compared field by field.
    if stored.record_hash == record_hash(document):
        return unchanged(key, document, stored)
    changes = differences(old, document)
    if changes:
        return Result(key, str(document["url"]), CHANGED, document=document, changes=changes)
    return unchanged(key, document, stored)


# --- extraction, in this process or in worker processes ---------------------------

_pipelines: list[Any] | None = None
# The logging settings a crawl process runs with: the pipelines' own crawler would otherwise
# reinstall Scrapy's log handler without them.
LOG_SETTINGS = ("LOG_ENABLED", "LOG_FILE", "LOG_LEVEL", "LOG_FORMAT", "LOG_DATEFORMAT", "LOG_STDOUT", "LOG_ENCODING")


def new_pipelines(overrides: Mapping[str, Any]) -> list[Any]:
    """Build the project's item pipelines, storage off, with *overrides*; in a crawl process, on its reactor."""
    settings = dict(overrides)
    if is_reactor_installed():
        settings["TWISTED_REACTOR_ENABLED"] = True
    return build_pipelines(make_crawler(offline_settings(settings)))


# The module the fork server of the worker processes imports before it forks any (it warms up).
PREFORK_MODULE = "arabpress.prefork"
# Sample article pages of the package (English, Arabic) the warm-up extracts, under the site's URL.
WARM_PAGES = (
    "2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/",
    "ar/2026/01/31/opec-plus-output-steady/",
)
# Read as package data: the package may be a zipped egg (scrapyd).
SAMPLE_PAGES = importlib.resources.files("arabpress") / "sample_site" / "pages"
WARM_SITE = "https://www.arabpress.example/"
warmed = False  # this process (or the one it was forked from) ran warm_up


def warm_up(overrides: Mapping[str, Any]) -> None:
    """Run the extraction and pipelines (made with *overrides*) once on WARM_PAGES, the pipelines thrown away after.

    What a first page costs (imports, lazily built tables, dateparser's languages) is then
    paid once, before the workers are forked, and not by each of them.
    """
    global warmed  # inherited by the processes forked from this one
    pipelines = new_pipelines(overrides)
    for path in WARM_PAGES:
        body = (SAMPLE_PAGES / path / "index.html").read_bytes()
        extract_response(HtmlResponse(WARM_SITE + path, body=body, encoding="utf-8"), pipelines)
    warmed = True


def start_fork_server() -> None:
    """Start the fork server of the worker processes, importing PREFORK_MODULE, unless it runs already.

    It returns at once: the server warms up while this process goes on (reads the keys).
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload([PREFORK_MODULE])
    with fork_server_path():  # it imports the project from where this process does (a scrapyd egg)
        multiprocessing.forkserver.ensure_running()


def worker_pool(workers: int, overrides: Mapping[str, Any]) -> ProcessPoolExecutor:
    """Return a pool of *workers* extraction processes, started warm (pipelines made with *overrides*).

    A process with no other thread (the command, before its MongoDB client starts any) warms
    up and forks them all at once, now: a fork copies no thread caught mid-work. Any other
    process has them forked by the warm fork server (start_fork_server).
    """
    forked_here = threading.active_count() == 1
    if forked_here:
        warm_up(overrides)
    else:
        start_fork_server()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork" if forked_here else "forkserver"),
        initializer=_worker_start,
        initargs=(dict(overrides),),
    )
    if forked_here:
        # The first call forks every worker, before the pool starts threads of its own.
        pool.submit(os.getpid)
    return pool


def log_settings(settings: BaseSettings) -> dict[str, Any]:
    """Return the logging settings of a crawl process, the log file appended to."""
    return {**{name: settings.get(name) for name in LOG_SETTINGS}, "LOG_FILE_APPEND": True}


def _worker_start(overrides: Mapping[str, Any]) -> None:
    """Build the item pipelines of a worker process; a stop signal is the parent's to handle."""
    global _pipelines  # one set of pipelines per worker process
    # A stop signal sent to the whole process group is the parent's to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    end_with_parent()  # not left behind when the parent is killed outright
    _pipelines = new_pipelines(overrides)


def response_of(page: Page) -> HtmlResponse:
    """Return the response the crawl built from *page*, with the headers decoding reads."""
    headers = {"Date": format_datetime(page.fetched_at.astimezone(UTC), usegmt=True)}
    if page.content_type:
        headers["Content-Type"] = page.content_type
    return HtmlResponse(page.final_url, status=page.status, body=page.body, headers=headers)


def extract_page(page: Page) -> tuple[dict[str, Any] | None, str | None]:
    """Return the article document *page* yields now, or None and why not."""
    assert _pipelines is not None, "no pipelines in this process: run through an executor of this module"
    response = response_of(page)
    # Not response.selector, which refers to its response and is cached by it: each page would
    # then wait for the cyclic garbage collector.
    outcome = extract_response(response, _pipelines, page.fetched_at, page.sitemap_lastmod, Selector(response))
    if outcome.item is None:
        return None, outcome.reason
    return article_document(outcome.item), None


def settle(task: Task) -> Result:
    """Decompress and extract one page, and tell its article new, unchanged or to be compared."""
    key = str(task.page["_id"])
    try:
        page = page_of(task.page, unpack(task.page, task.compressed))
    except PageError as error:
        return Result(key, str(task.page.get("article_url")), UNREADABLE, f"stored page unreadable: {error}")
    document, reason = extract_page(page)
    if document is None:
        return Result(key, page.article_url, REFUSED, str(reason))
    url = str(document["url"])
    if page_key(url) != key:
        return Result(key, url, ELSEWHERE, document=document)
    extracted = Result(key, url, EXTRACTED, document=document, record_hash=record_hash(document))
    # Without its stamp, the parent compares it as the batch is written (compared).
    return compared(extracted, task.stored) if task.stamped else extracted


def compared(result: Result, stored: Stamp | None) -> Result:
    """Return what an EXTRACTED *result* is against its article's *stored* stamp: new, unchanged or to be compared."""
    assert result.document is not None
    if stored is None:
        return replace(result, outcome=INSERTED)
    if stored.record_hash == result.record_hash:
        return unchanged(result.key, result.document, stored)
    # The fields of the stored article stay with the parent, which compares them.
    return replace(result, outcome=DIFFERS)


def settle_all(tasks: Sequence[Task]) -> list[Result]:
    """Settle each of *tasks*, in order (one call per part of a batch)."""
    return [settle(task) for task in tasks]


class InlineExecutor(Executor):
    """An executor that runs each call at once, in this process, with pipelines of its own.

    Pipelines keep state over a run (the duplicate filter): each run builds new ones.
    """

    def __init__(self, overrides: Mapping[str, Any]) -> None:
        global _pipelines  # the pipelines of this process
        _pipelines = new_pipelines(overrides)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Return a future of *fn* called now."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # the caller gets it from the future, as from a process
            future.set_exception(error)
        return future


# --- the run -------------------------------------------------------------------------


class KeyOrdered:
    """The documents of a cursor in key order, taken batch by batch for keys in the same order.

    The cursor's first answer is awaited in a thread of *opener*, so that the server works on
    both cursors at once. FerretDB reads and sorts the whole selection before it answers, and
    a document read by key meanwhile is read (and decoded by the server) twice: a batch is
    read by key only when extraction would otherwise wait (reader).
    """

    def __init__(self, documents: Iterable[dict[str, Any]], opener: Executor) -> None:
        self.documents = iter(documents)
        self.head: dict[str, Any] | None = None
        self.first: Future[dict[str, Any] | None] | None = opener.submit(lambda: next(self.documents, None))

    def answered(self, pending: Iterable[Future[Any]]) -> bool:
        """Wait until the cursor answers or every one of *pending* is done; return True when it answered."""
        if self.first is None:
            return True
        waiting = [future for future in pending if not future.done()]
        while waiting and not self.first.done():
            wait([self.first, *waiting], return_when=FIRST_COMPLETED)
            waiting = [future for future in waiting if not future.done()]
        return self.first.done()

    def reader(self, collection: Collection[dict[str, Any]], pending: Callable[[], Iterable[Future[Any]]]) -> Reader:
        """Return a reader of a batch's documents: this cursor's, or *collection*'s by key when it has not
        answered and every one of *pending* (the extraction handed over) is done."""
        return lambda keys: self.take(keys) if self.answered(pending()) else by_key(collection, keys)

    def take(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the documents of *keys* by key, passing over any between them; keys come in order."""
        if self.first is not None:
            self.head = self.first.result()
            self.first = None
        found: dict[str, dict[str, Any]] = {}
        for key in keys:
            # Keys are strings, in the servers' binary (UTF-8) order, which is Python's.
            while self.head is not None and self.head["_id"] < key:
                self.head = next(self.documents, None)
            if self.head is not None and self.head["_id"] == key:
                found[key] = self.head
                self.head = next(self.documents, None)
        return found


def by_key(
    collection: Collection[dict[str, Any]], keys: Sequence[str], projection: Mapping[str, int] | None = None
) -> dict[str, dict[str, Any]]:
    """Return the documents (their *projection*, None: whole) of *collection* among *keys*, in key order."""
    found = find_by_ids(collection, keys, projection)
    return {key: found[key] for key in keys if key in found}


@dataclass
class Batch:
    """A batch of keys, its pages skipped by version, and its parts being extracted."""

    keys: Sequence[str]
    skipped: int
    parts: list[Future[list[Result]]]


def parts_of(keys: Sequence[str], count: int) -> list[Sequence[str]]:
    """Return *keys* in at most *count* runs of consecutive keys of nearly equal length."""
    size = max(1, -(-len(keys) // max(1, count)))
    return [keys[start : start + size] for start in range(0, len(keys), size)]


class Reextraction:
    """One re-extraction run over the pages an Options selects."""

    def __init__(
        self,
        store: PageStore,
        articles: Collection[dict[str, Any]],
        runs: Collection[dict[str, Any]],
        writer: ArticleWriter,
        options: Options,
    ) -> None:
        self.store = store
        self.articles = articles
        self.runs = runs
        self.writer = writer
        self.options = options
        self.stop_requested = False
        # Settings of the pipelines' own crawler (the log settings of a crawl process).
        self.settings_overrides: dict[str, Any] = {}
        # Worker processes started before the job (worker_pool), else run starts its own.
        self.pool: ProcessPoolExecutor | None = None
        self.run_id = ""
        self.resumed = False  # an unfinished run with the same options is going on
        self.resumed_from: str | None = None  # the last key it had done
        self.summary = Summary()
        # The batches handed to extraction and not yet written.
        self.in_flight: deque[Batch] = deque()

    def request_stop(self, *_: Any) -> None:
        """Stop after the batch being done (a signal handler)."""
        self.stop_requested = True

    def start(self) -> list[str]:
        """Find the run to resume (or start one) and return the keys left to do, in order."""
        after: str | None = None
        if self.options.workers > 1 and self.pool is None:
            start_fork_server()  # it warms up while the keys are read
        if not self.options.dry_run:
            query = {f"options.{name}": value for name, value in self.options.selection().items()}
            unfinished = self.runs.find_one({**query, "status": STATUS_RUNNING}, sort=[("started_at", -1)])
            if unfinished is not None:
                self.run_id = str(unfinished["_id"])
                self.resumed = True
                after = unfinished.get("last_key")
                self.resumed_from = after
                self.summary = Summary.from_document(unfinished.get("summary", {}))
        if not self.run_id:
            self.run_id = os.environ.get("SCRAPY_JOB") or uuid.uuid4().hex
        query = selection(self.options.since, self.options.url_prefix)
        keys = [document["_id"] for document in self.store.scan(query, after)]
        if not self.resumed:
            self.summary.pages_selected = len(keys)
            if not self.options.dry_run:
                now = datetime.now(UTC)
                self.runs.insert_one(
                    {
                        "_id": self.run_id,
                        "options": self.options.selection(),
                        "status": STATUS_RUNNING,
                        "started_at": now,
                        "updated_at": now,
                        "last_key": None,
                        "summary": self.summary.to_document(),
                    }
                )
        return keys

    def run(self, keys: Sequence[str], progress: Callable[[int], None] = lambda done: None) -> bool:
        """Re-extract *keys* batch by batch; return False when stopped before the end.

        With worker processes, BATCHES_AHEAD more batches are read and handed to them before
        the one they have done is written, so reading and writing overlap extraction; a stop
        still writes every batch handed over.
        """
        batch_size = max(1, self.options.batch_size)
        executor: Executor
        if self.options.workers > 1:
            executor = self.pool or worker_pool(self.options.workers, self.settings_overrides)
            ahead = BATCHES_AHEAD
        else:
            executor = InlineExecutor(self.settings_overrides)
            ahead = 0
        finished = True
        began = time.monotonic()
        opener = ThreadPoolExecutor(2)
        try:
            # The worker processes start (and build their pipelines) while the first batch is read.
            # The cursors first: the server sorts while the worker processes start.
            pages, articles = self._readers(keys, batch_size, opener)
            for _ in range(self.options.workers):
                executor.submit(os.getpid)
            in_flight = self.in_flight = deque()
            for start in range(0, len(keys), batch_size):
                if self.stop_requested:
                    finished = False
                    break
                batch = Batch(keys[start : start + batch_size], 0, [])
                in_flight.append(batch)
                self._submit(batch, pages, articles, executor)
                while len(in_flight) > ahead:
                    self._done(in_flight.popleft(), articles, progress)
            while in_flight:
                self._done(in_flight.popleft(), articles, progress)
        finally:
            # After a failure, the batches handed over are not waited for.
            executor.shutdown(cancel_futures=True)
            opener.shutdown(cancel_futures=True)
        self.summary.seconds += time.monotonic() - began
        if finished and not self.options.dry_run:
            self._checkpoint(keys[-1] if keys else self.resumed_from, STATUS_FINISHED)
        return finished

    def _readers(self, keys: Sequence[str], batch_size: int, opener: Executor) -> tuple[Reader, Reader]:
        """Return how the pages of a batch's keys are read, and their stored articles.

        Both are read in key order, as cursors over the range of *keys*, a batch a round trip.
        Before the pages cursor first answers, a batch is read by key when the batches handed
        over are all extracted (KeyOrdered.reader); the stamps, needed only as a batch is
        written, wait for theirs. The articles of pages selected --since a day are read key by
        key: they are a few of those in the range.
        """
        if not keys:
            return lambda batch: {}, lambda batch: {}
        query = selection(self.options.since, self.options.url_prefix)
        cursor = KeyOrdered(self.store.stream(query, keys[0], keys[-1], batch_size), opener)
        pages = cursor.reader(self.store.pages, lambda: [part for batch in self.in_flight for part in batch.parts])
        if self.options.since is not None:
            return pages, lambda batch: by_key(self.articles, batch, STAMP_FIELDS)
        query = selection(None, self.options.url_prefix)
        in_range = key_range(self.articles, query, keys[0], keys[-1], STAMP_FIELDS)
        return pages, KeyOrdered(in_range.batch_size(batch_size), opener).take

    def _submit(self, batch: Batch, pages: Reader, articles: Reader, executor: Executor) -> None:
        """Read *batch*'s pages part by part, handing each part to extraction (with stamps, to skip by version)."""
        # A part is handed over as soon as it is read, so that the workers start early.
        count = self.options.workers * PARTS_PER_WORKER if self.options.workers > 1 else 1
        for part in parts_of(batch.keys, count):
            tasks = self._tasks(pages(part), articles, batch)
            if tasks:
                batch.parts.append(executor.submit(settle_all, tasks))

    def _tasks(self, found: Mapping[str, dict[str, Any]], articles: Reader, batch: Batch) -> list[Task]:
        """Return the tasks of the pages *found*; with --older-than-version, stamped, those skipped counted."""
        limit = self.options.older_than_version
        olds = articles(list(found)) if limit is not None else {}
        tasks: list[Task] = []
        for key, document in found.items():
            old = olds.get(key)
            if limit is not None and old is not None and (old.get("extractor_version") or 0) >= limit:
                batch.skipped += 1
                continue
            page = {name: value for name, value in document.items() if name != "body"}
            tasks.append(Task(page, self.store.stored_bytes(document), Stamp.of(old), stamped=limit is not None))
        return tasks

    def _done(self, batch: Batch, articles: Reader, progress: Callable[[int], None]) -> None:
        """Count and write one extracted batch (reading the stamps not sent along), then record it as done."""
        self.summary.skipped_version += batch.skipped
        results = [result for part in batch.parts for result in part.result()]
        # In key order, batch after batch, as the articles cursor is read.
        stamps = articles([result.key for result in results if result.outcome == EXTRACTED])
        results = [
            compared(result, Stamp.of(stamps.get(result.key))) if result.outcome == EXTRACTED else result
            for result in results
        ]
        # The articles to compare with, whole, in one read: by the page's key, or the new one's (ELSEWHERE).
        compare = [page_key(result.url) for result in results if result.outcome in (ELSEWHERE, DIFFERS)]
        olds = by_key(self.articles, compare)
        entries: list[Entry] = []
        now = datetime.now(UTC)
        for result in results:
            document = self._count(result, olds)
            if document is not None:
                entries.append(Entry(document, self.run_id, now, from_archive=True))
        if not self.options.dry_run:
            if entries:
                self._write(entries)
            self._checkpoint(batch.keys[-1], STATUS_RUNNING)
        progress(len(batch.keys))

    def _count(self, result: Result, olds: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
        """Count what *result* is in the summary (*olds*: the stored articles to compare with); return what to write."""
        if result.outcome == UNREADABLE:
            self.summary.refuse(result.url, result.reason)
            return None
        self.summary.pages_read += 1
        if result.outcome == REFUSED:
            self.summary.refuse(result.url, result.reason)
            return None
        if result.outcome in (ELSEWHERE, DIFFERS):
            assert result.document is not None
            result = judge(result.key, olds.get(page_key(result.url)), result.document)
        if result.outcome == INSERTED:
            self.summary.inserted += 1
        elif result.outcome == CHANGED:
            self.summary.changed += 1
            self.summary.note_changes(result.url, result.changes)
        else:
            self.summary.unchanged += 1
        return result.document

    def _write(self, entries: Sequence[Entry]) -> None:
        """Write *entries*; raise ReextractError when the server went away."""
        result = self.writer.write(entries)
        for url, reason in result.rejected:
            self.summary.refuse(url, f"storage refused: {reason}")
        if result.failed:
            raise ReextractError(f"MongoDB failed ({result.error}); run the same command again to resume")
        # A later fetch of the article was stored meanwhile: it stays.
        self.summary.stale += result.stale
        self.summary.changed -= result.stale

    def _checkpoint(self, last_key: str | None, status: str) -> None:
        """Record the last key done and the counts so far in the run's document."""
        self.resumed_from = last_key
        update = {
            "last_key": last_key,
            "status": status,
            "updated_at": datetime.now(UTC),
            "summary": self.summary.to_document(),
        }
        self.runs.update_one({"_id": self.run_id}, {"$set": update})


def iter_lines(summary: Summary, dry_run: bool) -> Iterator[str]:
    """Yield the lines of the closing summary."""
    would = "would be " if dry_run else ""
    rate = summary.pages_read / summary.seconds * 60 if summary.seconds else 0.0
    yield (
        f"pages: {summary.pages_selected} selected, {summary.pages_read} re-extracted, "
        f"{summary.skipped_version} skipped (extractor_version new enough), "
        f"in {summary.seconds:.1f} s ({rate:,.0f} pages/min)"
    )
    yield (
        f"articles: {summary.changed} {would}changed, "
        f"{summary.unchanged} unchanged, {summary.inserted} {would}new, "
        f"{summary.stale} stale (a later fetch is stored), "
        f"{summary.refused_count} refused"
    )
    if summary.field_changes:
        changes = sorted(summary.field_changes.items(), key=lambda pair: (-pair[1], pair[0]))
        yield "changed fields: " + ", ".join(f"{name} {count}" for name, count in changes)
    for example in summary.examples:
        yield f"  {example['url']} {example['field']}: {example['old']} -> {example['new']}"
    for refusal in summary.refused:
        yield f"refused {refusal['url']}: {refusal['reason']}"
    if summary.refused_count > len(summary.refused):
        yield f"... and {summary.refused_count - len(summary.refused)} more refused"


def build(client: Client, settings: BaseSettings, options: Options) -> Reextraction:
    """Return a re-extraction of the database MONGO_DATABASE of *client*, as *settings* name its collections."""
    database = client[settings.get("MONGO_DATABASE")]
    articles = database[settings.get("MONGO_COLLECTION")]
    ensure_article_indexes(articles)
    size = max_document_size(client)
    store = PageStore(database, settings.get("ARABPRESS_PAGES_COLLECTION"), max_document_size=size)
    writer = ArticleWriter(
        articles,
        max_document_size=size,
        retry_times=settings.getint("MONGO_RETRY_TIMES"),
        retry_backoff=settings.getfloat("MONGO_RETRY_BACKOFF"),
    )
    return Reextraction(store, articles, database[settings.get("ARABPRESS_REEXTRACT_COLLECTION")], writer, options)


def perform(job: Reextraction, progress: Callable[[int], Progress], say: Callable[[str], object]) -> bool:
    """Start or resume *job* and run it to its end or a stop; raise ReextractError when MongoDB fails.

    *progress* makes the progress counter for the number of pages left; *say* tells a resumed run.
    """
    try:
        keys = job.start()
        if job.resumed:
            say(f"resuming run {job.run_id} after {job.resumed_from}: {len(keys)} pages left")
        with progress(len(keys)) as counter:
            return job.run(keys, counter)
    except PyMongoError as error:
        raise ReextractError(
            f"MongoDB failed ({describe_error(error)}); run the same command again to resume"
        ) from None
