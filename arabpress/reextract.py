"""Re-extract stored pages into the articles collection, without the network.

Each selected page of the pages collection goes through the crawl's extraction and every
item pipeline (arabpress.offline), then through the crawl's writer
(arabpress.storage.writer) as an article re-extracted from its page: ``version`` and
``updated_at`` move only for the articles whose fields changed.

Pages are taken in key order, in batches; after each batch is written, the run's document in
the reextracts collection records the last key done and the counts so far. A run stopped
(Ctrl-C, SIGTERM, a lost server) is resumed by the same command with the same options: it
starts after that key, so no page is done twice and none is skipped. Extraction runs in
``workers`` processes when more than one is asked.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any

import bson
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from scrapy.http import HtmlResponse
from scrapy.settings import BaseSettings
from scrapy.utils.reactor import is_reactor_installed

from arabpress.console import Progress
from arabpress.offline import build_pipelines, extract_response, make_crawler, offline_settings
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.storage.connection import Client, describe_error, max_document_size
from arabpress.storage.documents import article_document, article_fields
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.pages import Page, PageError, PageStore, page_key, selection
from arabpress.storage.writer import ArticleWriter, Entry

# Example diffs kept for the summary, and the length each side is shortened to.
EXAMPLES = 5
EXAMPLE_WIDTH = 80
# Refused pages kept in the run's document (the count covers them all).
REFUSALS_KEPT = 200

STATUS_RUNNING = "running"
STATUS_FINISHED = "finished"


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

    def note_changes(self, url: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """Count each field that differs between *old* and *new*, keeping a few examples."""
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                self.field_changes[name] = self.field_changes.get(name, 0) + 1
                if len(self.examples) < EXAMPLES:
                    self.examples.append(
                        {"url": url, "field": name, "old": shorten(old.get(name)), "new": shorten(new.get(name))}
                    )

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


def log_settings(settings: BaseSettings) -> dict[str, Any]:
    """Return the logging settings of a crawl process, the log file appended to."""
    return {**{name: settings.get(name) for name in LOG_SETTINGS}, "LOG_FILE_APPEND": True}


def _worker_start(overrides: Mapping[str, Any]) -> None:
    """Build the item pipelines of a worker process; a stop signal is the parent's to handle."""
    global _pipelines  # one set of pipelines per worker process
    # A stop signal sent to the whole process group is the parent's to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
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
    outcome = extract_response(response_of(page), _pipelines, page.fetched_at, page.sitemap_lastmod)
    if outcome.item is None:
        return None, outcome.reason
    return article_document(outcome.item), None


class InlineExecutor(Executor):
    """An executor that runs each call at once, in this process, with pipelines of its own.

    Pipelines keep state over a run (the duplicate filter): each run builds new ones.
    """

    def __init__(self, overrides: Mapping[str, Any]) -> None:
        global _pipelines  # the pipelines of this process
        _pipelines = new_pipelines(overrides)

    def map(self, fn: Callable[..., Any], *iterables: Any, timeout: float | None = None, chunksize: int = 1) -> Any:
        """Return the results of *fn* over *iterables*, computed now."""
        return iter([fn(*arguments) for arguments in zip(*iterables, strict=True)])


# --- the run -------------------------------------------------------------------------


@dataclass
class Batch:
    """A batch of keys, the pages read for them, their stored articles and their extraction under way."""

    keys: Sequence[str]
    pages: list[Page]
    olds: dict[str, dict[str, Any] | None]
    results: Iterator[tuple[dict[str, Any] | None, str | None]]


def as_stored(article: Mapping[str, Any]) -> bool:
    """Return True when a stored article needs no write for the same fields: hashed, and by these rules."""
    return "record_hash" in article and (article.get("extractor_version") or 0) >= EXTRACTOR_VERSION


def stored_article(articles: Collection[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """Return the stored article whose canonical URL is *url* (one ``{_id: key}`` lookup)."""
    return articles.find_one({"_id": page_key(url)})


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
        self.run_id = ""
        self.resumed = False  # an unfinished run with the same options is going on
        self.resumed_from: str | None = None  # the last key it had done
        self.summary = Summary()

    def request_stop(self, *_: Any) -> None:
        """Stop after the batch being done (a signal handler)."""
        self.stop_requested = True

    def start(self) -> list[str]:
        """Find the run to resume (or start one) and return the keys left to do, in order."""
        after: str | None = None
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

        With worker processes, the next batch is read and handed to them before the one they
        have done is compared and written, so reading and writing overlap extraction.
        """
        batch_size = max(1, self.options.batch_size)
        executor: Executor
        if self.options.workers > 1:
            executor = ProcessPoolExecutor(
                self.options.workers, initializer=_worker_start, initargs=(self.settings_overrides,)
            )
        else:
            executor = InlineExecutor(self.settings_overrides)
        finished = True
        began = time.monotonic()
        with executor:
            pending: Batch | None = None
            for start in range(0, len(keys), batch_size):
                if self.stop_requested:
                    finished = False
                    break
                batch = self._read(keys[start : start + batch_size], executor)
                if pending is not None:
                    self._done(pending, progress)
                    pending = None
                if self.options.workers > 1:
                    pending = batch
                else:
                    self._done(batch, progress)
            if pending is not None:
                self._done(pending, progress)
        self.summary.seconds += time.monotonic() - began
        if finished and not self.options.dry_run:
            self._checkpoint(keys[-1] if keys else self.resumed_from, STATUS_FINISHED)
        return finished

    def _read(self, keys: Sequence[str], executor: Executor) -> Batch:
        """Read one batch of pages and their stored articles, and start their extraction."""
        pages: list[Page] = []
        olds: dict[str, dict[str, Any] | None] = {}
        for stored_page in self.store.fetch(keys):
            try:
                page = self.store.load(stored_page)
            except PageError as error:
                self.summary.refuse(str(stored_page.get("article_url")), f"stored page unreadable: {error}")
                continue
            previous = stored_article(self.articles, page.article_url)
            limit = self.options.older_than_version
            if limit is not None and previous is not None and (previous.get("extractor_version") or 0) >= limit:
                self.summary.skipped_version += 1
                continue
            olds[page.key] = previous
            pages.append(page)
        chunksize = max(1, len(pages) // (4 * max(1, self.options.workers)))
        return Batch(keys, pages, olds, executor.map(extract_page, pages, chunksize=chunksize))

    def _done(self, batch: Batch, progress: Callable[[int], None]) -> None:
        """Compare and write one extracted batch, then record it as done."""
        self.summary.pages_read += len(batch.pages)
        entries: list[Entry] = []
        now = datetime.now(UTC)
        for page, (document, reason) in zip(batch.pages, batch.results, strict=True):
            if document is None:
                self.summary.refuse(page.article_url, str(reason))
                continue
            url = str(document["url"])
            old: dict[str, Any] | None = batch.olds[page.key]
            if page_key(url) != page.key:
                old = stored_article(self.articles, url)
            if old is None:
                self.summary.inserted += 1
            else:
                before, after = comparable(old), comparable(document)
                if before != after:
                    self.summary.changed += 1
                    self.summary.note_changes(url, before, after)
                else:
                    self.summary.unchanged += 1
                    if as_stored(old):
                        continue  # the same fields and rules: nothing to write
            entries.append(Entry(document, self.run_id, now, from_archive=True))
        if not self.options.dry_run:
            if entries:
                self._write(entries)
            self._checkpoint(batch.keys[-1], STATUS_RUNNING)
        progress(len(batch.keys))

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
