"""Store articles in MongoDB: batched idempotent upserts, written off the reactor thread.

Items are buffered and written MONGO_BATCH_SIZE at a time (or after MONGO_FLUSH_INTERVAL
seconds, as soon as the engine is idle unless MONGO_FLUSH_ON_IDLE is off, and at close)
by arabpress.storage.writer in a worker thread, one batch at a time: the crawl goes on
while a batch is written and only waits, at the item that completes the next batch, when
the database is slower than the crawl. Batches that cannot be written after the retries
go to a replay file (``arabpress replay``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.log import failure_to_exc_info
from twisted.internet.defer import Deferred, DeferredLock
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from arabpress.signals import articles_stored
from arabpress.storage.connection import (
    Client,
    MongoUnavailable,
    check_server,
    client_from_settings,
    max_document_size,
)
from arabpress.storage.crawls import crawl_id
from arabpress.storage.documents import article_document
from arabpress.storage.replay import ReplayFile
from arabpress.storage.schema import prepare_articles
from arabpress.storage.writer import ArticleWriter, BatchResult, Entry

logger = logging.getLogger(__name__)

COUNTERS = ("inserted", "updated", "unchanged", "rejected", "retries", "batches")


class MongoPipeline:
    """Upsert each article into MONGO_DATABASE.MONGO_COLLECTION, keyed by its URL key (``_id``)."""

    def __init__(self, crawler: Crawler, client: Client | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.uri = str(settings.get("MONGO_URI"))
        self.database = str(settings.get("MONGO_DATABASE"))
        self.collection = str(settings.get("MONGO_COLLECTION"))
        self.batch_size = max(1, settings.getint("MONGO_BATCH_SIZE"))
        self.flush_interval = settings.getfloat("MONGO_FLUSH_INTERVAL")
        self.retry_times = max(0, settings.getint("MONGO_RETRY_TIMES"))
        self.retry_backoff = settings.getfloat("MONGO_RETRY_BACKOFF")
        self.crawl_id = crawl_id(crawler)
        spider_name = crawler.spidercls.name
        self.replay = ReplayFile(Path(settings.get("MONGO_REPLAY_DIR")) / f"{spider_name}-{self.crawl_id}.jsonl")
        self.client = client
        self.writer: ArticleWriter | None = None
        self.buffer: list[dict[str, Any]] = []
        # One batch at a time, in order.
        self.lock = DeferredLock()
        self.last_flush = time.monotonic()
        self.ticker: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoPipeline:
        """Build the pipeline, or raise NotConfigured when MONGO_ENABLED is off."""
        if not crawler.settings.getbool("MONGO_ENABLED"):
            raise NotConfigured("MONGO_ENABLED is off")
        pipeline = cls(crawler)
        if crawler.settings.getbool("MONGO_FLUSH_ON_IDLE"):
            crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    async def open_spider(self) -> None:
        """Check the server and create the indexes; fail the crawl at once when it is unusable."""
        assert self.crawler.stats is not None
        for name in COUNTERS:
            self.crawler.stats.set_value(f"mongo/{name}", 0)
        try:
            await maybe_deferred_to_future(deferToThread(self._connect))
        except MongoUnavailable as error:
            # The line to read in the log; Scrapy then fails the crawl (exit status 1)
            # and prints the traceback of the exception.
            logger.error("%s", error)
            raise
        if self.flush_interval > 0:
            self.ticker = LoopingCall(self._tick)
            self.ticker.start(self.flush_interval / 2, now=False)

    def _connect(self) -> None:
        """Connect, ping, migrate an earlier schema and create the indexes (in a worker thread)."""
        if self.client is None:
            self.client = client_from_settings(self.crawler.settings)
        check_server(self.client, self.uri)
        collection = self.client[self.database][self.collection]
        for warning in prepare_articles(collection):
            logger.warning(warning)
        self.writer = ArticleWriter(
            collection,
            max_document_size=max_document_size(self.client),
            retry_times=self.retry_times,
            retry_backoff=self.retry_backoff,
        )
        logger.info("storing articles in MongoDB %s.%s (crawl %s)", self.database, self.collection, self.crawl_id)

    async def process_item(self, item: Any) -> Any:
        """Buffer the article; write the buffer once it holds a full batch."""
        self.buffer.append(article_document(item))
        if len(self.buffer) >= self.batch_size:
            # While a batch is written, every item that finds the next one full waits here, so
            # the crawl slows to the database's pace; flushing at once queued each full batch
            # behind the one being written, and memory grew without bound when the database
            # was the slower.
            await maybe_deferred_to_future(self.lock.run(lambda: None))
            if len(self.buffer) >= self.batch_size:
                await self.flush()
        return item

    async def flush(self) -> None:
        """Write the buffered articles, after any batch still being written."""
        documents, self.buffer = self.buffer, []
        self.last_flush = taken_at = time.monotonic()
        if not documents:
            return
        # One time for the whole batch (within MONGO_FLUSH_INTERVAL of each fetch, whose
        # exact time is fetched_at): the unchanged articles are then moved in one update.
        seen_at = datetime.now(UTC)
        batch = [Entry(document, self.crawl_id, seen_at) for document in documents]
        error = await maybe_deferred_to_future(self.lock.run(self._write_and_record, batch))
        # Written or kept in the replay file: the shared frontier may forget their requests.
        self.crawler.signals.send_catch_log(signal=articles_stored, taken_at=taken_at)
        if error is not None:
            raise error

    def _write_and_record(self, batch: list[Entry]) -> Deferred[Exception | None]:
        """Write *batch* in a worker thread, then count it before the next batch may start.

        Counting under the lock means that once the lock is free every batch written so
        far is in the stats (the closing summary reads them).
        """

        def record(written: tuple[BatchResult, Exception | None]) -> Exception | None:
            result, error = written
            self._record(result)
            return error

        return deferToThread(self._write, batch).addCallback(record)

    def _write(self, batch: list[Entry]) -> tuple[BatchResult, Exception | None]:
        """Write one batch (in a worker thread); keep what could not be written in the replay file.

        An unexpected error comes back beside the result, to be counted and then raised.
        """
        try:
            assert self.writer is not None, "the pipeline was not opened"
            result, error = self.writer.write(batch), None
        except Exception as unexpected:
            # Keep the whole batch (writes are idempotent).
            result = BatchResult(failed=list(batch), error=f"{type(unexpected).__name__}: {unexpected}")
            error = unexpected
        if result.failed:
            self.replay.append(result.failed)
        return result, error

    def _record(self, result: BatchResult) -> None:
        """Count and log what became of a batch (in the reactor thread)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("mongo/batches")
        for name in ("inserted", "updated", "unchanged", "retries"):
            stats.inc_value(f"mongo/{name}", getattr(result, name))
        if result.stale:
            stats.inc_value("mongo/stale", result.stale)
        for url, reason in result.rejected:
            stats.inc_value("mongo/rejected")
            logger.error("MongoDB rejected the article %s: %s", url, reason)
        if result.failed:
            if not stats.get_value("mongo/replay_file"):
                stats.set_value("mongo/replay_file", str(self.replay.path))
            stats.inc_value("mongo/replayed_items", len(result.failed))
            logger.error(
                "MongoDB write of %d articles failed (%s); kept in %s for `arabpress replay`",
                len(result.failed),
                result.error,
                self.replay.path,
            )

    def _tick(self) -> None:
        """Write a partly filled batch that has waited MONGO_FLUSH_INTERVAL seconds."""
        if not self.buffer and not self.lock.locked:
            # Nothing waits to be written: every article so far is stored.
            self.crawler.signals.send_catch_log(signal=articles_stored, taken_at=time.monotonic())
            return
        if time.monotonic() - self.last_flush >= self.flush_interval:
            self._flush_now()

    def spider_idle(self) -> None:
        """Write a partly filled batch at once when the engine has nothing else to do.

        A process of a shared crawl stays open while the requests of its unwritten articles
        are in flight, and so do the others: waiting for the timed flush would hold every
        process of the crawl for up to MONGO_FLUSH_INTERVAL at its end.
        """
        self._flush_now()

    def _flush_now(self) -> None:
        """Start writing the buffer, unless it is empty or a batch is being written.

        While a batch is written, the buffer goes with the next write rather than into a queue.
        """
        if self.buffer and not self.lock.locked:
            flushing: Deferred[None] = deferred_from_coro(self.flush())
            flushing.addErrback(self._flush_failed)

    def _flush_failed(self, failure: Failure) -> None:
        """Report a timed flush that raised (its articles are in the replay file)."""
        logger.error(
            "MongoDB flush failed; its articles are kept in %s",
            self.replay.path,
            exc_info=failure_to_exc_info(failure),
        )

    async def close_spider(self) -> None:
        """Write what is left, wait for it, and close the connection."""
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        try:
            await self.flush()
            # Wait for a timed flush that may still be running.
            await maybe_deferred_to_future(self.lock.run(lambda: None))
        finally:
            if self.client is not None:
                self.client.close()
        stats = self.crawler.stats
        assert stats is not None
        if self.writer is not None:
            logger.info(
                "MongoDB %s.%s: %s new, %s updated, %s unchanged, %s rejected, %s not written",
                self.database,
                self.collection,
                *(stats.get_value(f"mongo/{name}", 0) for name in ("inserted", "updated", "unchanged", "rejected")),
                stats.get_value("mongo/replayed_items", 0),
            )
