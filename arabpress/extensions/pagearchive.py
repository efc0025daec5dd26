"""Keep the fetched page of every stored article in the pages collection, for ``arabpress reextract``.

It listens to ``item_scraped``: an item that came through every pipeline, with the response
it came from, so listings, static pages and dropped articles leave no page. Pages are
written in batches of MONGO_BATCH_SIZE in a worker thread (compression included), one batch
at a time; the crawl waits at a full batch while the previous one is written. At the close,
ARABPRESS_PAGES_RETENTION_DAYS deletes the pages fetched before it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from pymongo.errors import PyMongoError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import DeferredLock
from twisted.internet.threads import deferToThread

from arabpress.storage.connection import Client, client_from_settings, describe_error, max_document_size
from arabpress.storage.crawls import crawl_id
from arabpress.storage.pages import Page, PagesResult, PageStore

logger = logging.getLogger(__name__)


def page_of(item: Any, response: Response, crawl: str) -> Page:
    """Return the Page to keep for *item*, scraped from *response* by crawl *crawl*."""
    adapter = ItemAdapter(item)
    request = response.request
    requested = request.meta.get("redirect_urls", [request.url])[0] if request is not None else response.url
    content_type = response.headers.get(b"Content-Type")
    return Page(
        article_url=str(adapter["url"]),
        url=str(requested),
        final_url=response.url,
        status=response.status,
        content_type=content_type.decode("latin-1") if content_type else "",
        charset=response.encoding if isinstance(response, TextResponse) else "",
        # The item's own fetch time, so that the page and the article agree.
        fetched_at=adapter.get("fetched_at") or datetime.now(UTC),
        sitemap_lastmod=adapter.get("sitemap_lastmod"),
        crawl_id=crawl,
        body=response.body,
    )


class PageArchive:
    """Write the page of each scraped article to the pages collection (ARABPRESS_PAGES_ENABLED)."""

    def __init__(self, crawler: Crawler, client: Client | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database = str(settings.get("MONGO_DATABASE"))
        self.collection = str(settings.get("ARABPRESS_PAGES_COLLECTION"))
        self.history = settings.getbool("ARABPRESS_PAGES_HISTORY")
        self.retention_days = settings.getfloat("ARABPRESS_PAGES_RETENTION_DAYS")
        self.batch_size = max(1, settings.getint("MONGO_BATCH_SIZE"))
        self.flush_interval = settings.getfloat("MONGO_FLUSH_INTERVAL")
        self.crawl_id = crawl_id(crawler)
        self.client = client
        self.store: PageStore | None = None
        self.buffer: list[Page] = []
        self.lock = DeferredLock()
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageArchive:
        """Build the extension, or raise NotConfigured when pages or MongoDB are off."""
        if not crawler.settings.getbool("ARABPRESS_PAGES_ENABLED"):
            raise NotConfigured("ARABPRESS_PAGES_ENABLED is off")
        if not crawler.settings.getbool("MONGO_ENABLED"):
            raise NotConfigured("MONGO_ENABLED is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_opened(self, spider: Spider) -> None:
        """Connect and create the indexes (in a worker thread)."""
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("pages/stored", 0)
        await maybe_deferred_to_future(deferToThread(self._open))

    def _open(self) -> None:
        """Build the page store."""
        if self.client is None:
            self.client = client_from_settings(self.crawler.settings)
        self.store = PageStore(
            self.client[self.database],
            self.collection,
            history=self.history,
            max_document_size=max_document_size(self.client),
        )
        self.store.ensure_indexes()

    async def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        """Keep the article's page; write the batch once full (or after MONGO_FLUSH_INTERVAL)."""
        if self.store is None or not isinstance(response, Response):
            return
        self.buffer.append(page_of(item, response, self.crawl_id))
        waited = time.monotonic() - self.last_flush
        if len(self.buffer) >= self.batch_size or (self.flush_interval > 0 and waited >= self.flush_interval):
            await self.flush()

    async def flush(self) -> None:
        """Write the buffered pages, after the batch being written."""
        pages, self.buffer = self.buffer, []
        self.last_flush = time.monotonic()
        if pages:
            outcome = await maybe_deferred_to_future(self.lock.run(deferToThread, self._write, pages))
            self._record(pages, outcome)

    def _write(self, pages: list[Page]) -> PagesResult | str:
        """Write one batch (in a worker thread); return its result, or why it could not be written."""
        assert self.store is not None
        try:
            return self.store.write(pages)
        except PyMongoError as error:
            return describe_error(error)

    def _record(self, pages: list[Page], outcome: PagesResult | str) -> None:
        """Count a written batch, or report one that could not be written."""
        stats = self.crawler.stats
        assert stats is not None
        if isinstance(outcome, str):
            # The articles go to the replay file; their pages are counted as lost here and
            # kept again at their next fetch.
            stats.inc_value("pages/not_written", len(pages))
            logger.error("MongoDB write of %d pages failed (%s); they are not kept", len(pages), outcome)
            return
        stats.inc_value("pages/stored", outcome.stored)
        stats.inc_value("pages/compressed_bytes", outcome.compressed_bytes)
        stats.inc_value("pages/raw_bytes", sum(len(page.body) for page in pages))
        if outcome.gridfs:
            stats.inc_value("pages/gridfs", outcome.gridfs)

    async def spider_closed(self, spider: Spider) -> None:
        """Write what is left, apply the retention bound, and close the connection."""
        try:
            await self.flush()
            if self.store is not None and self.retention_days > 0:
                deleted = await maybe_deferred_to_future(deferToThread(self._prune))
                logger.info("deleted %d pages fetched over %g days ago", deleted, self.retention_days)
        finally:
            if self.client is not None:
                self.client.close()

    def _prune(self) -> int:
        """Delete the pages older than the retention bound (in a worker thread)."""
        assert self.store is not None
        return self.store.prune(datetime.now(UTC) - timedelta(days=self.retention_days))
