"""Record each crawl run in the ``crawls`` collection (MONGO_CRAWLS_COLLECTION).

The record is written with status "running" when the spider opens and completed when it
closes: times, finish reason, status, and the figures the data team and the monitors
look at (pages, articles new/updated/unchanged, drops by reason, errors by type).

With ARABPRESS_CRAWL_PROCESSES above 1, this process is one of several writing the same
crawl (ARABPRESS_CRAWL_ID): it adds its figures to the document's ``processes`` and the
last one to report writes the totals (arabpress.storage.crawls).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from arabpress.storage.connection import Client, client_from_settings
from arabpress.storage.crawls import (
    add_process,
    crawl_id,
    crawl_summary,
    failure_reasons,
    finish_crawl,
    finish_shared_crawl,
    join_crawl,
    scrapyd_job,
    start_crawl,
)
from arabpress.storage.indexes import ensure_crawl_indexes

logger = logging.getLogger(__name__)


class CrawlRecord:
    """Write one document per crawl run to the crawls collection."""

    def __init__(self, crawler: Crawler, client: Client | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database = str(settings.get("MONGO_DATABASE"))
        self.collection = str(settings.get("MONGO_CRAWLS_COLLECTION"))
        self.crawl_id = crawl_id(crawler)
        self.processes = max(1, settings.getint("ARABPRESS_CRAWL_PROCESSES"))
        self.client = client
        self.started = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecord:
        """Build the extension, or raise NotConfigured when MONGO_ENABLED is off."""
        if not crawler.settings.getbool("MONGO_ENABLED"):
            raise NotConfigured("MONGO_ENABLED is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_opened(self, spider: Spider) -> None:
        """Write the "running" record (in a worker thread)."""
        fields = {
            "crawl_id": self.crawl_id,
            "spider": spider.name,
            "job": scrapyd_job(self.crawler),
            "site": getattr(spider, "base_url", None),
            "started_at": self._stat_time("start_time"),
            "finished_at": None,
            "finish_reason": None,
        }
        await maybe_deferred_to_future(deferToThread(self._start, fields))

    def _start(self, fields: dict[str, Any]) -> None:
        """Create the collection's indexes and the record."""
        if self.client is None:
            self.client = client_from_settings(self.crawler.settings)
        collection = self.client[self.database][self.collection]
        ensure_crawl_indexes(collection)
        if self.processes > 1:
            join_crawl(collection, self.crawl_id, fields, self.processes)
        else:
            start_crawl(collection, self.crawl_id, fields)
        self.started = True

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Complete the record with the outcome (in a worker thread)."""
        if not self.started:
            # The crawl never opened (or the record could not be written then).
            return
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        fields = {
            "started_at": self._stat_time("start_time"),
            "finished_at": self._stat_time("finish_time"),
            "finish_reason": reason,
            "replay_file": stats.get("mongo/replay_file"),
            **crawl_summary(stats),
        }
        await maybe_deferred_to_future(deferToThread(self._finish, fields, failure_reasons(reason, stats)))

    def _finish(self, fields: dict[str, Any], reasons: list[str]) -> None:
        """Write the outcome and close the connection."""
        assert self.client is not None
        collection = self.client[self.database][self.collection]
        try:
            if self.processes > 1:
                self._add_process(collection, fields, reasons)
            else:
                fields.pop("started_at")
                finish_crawl(collection, self.crawl_id, fields, reasons)
        finally:
            self.client.close()
        logger.info("crawl %s recorded in %s.%s", self.crawl_id, self.database, self.collection)

    def _add_process(self, collection: Any, fields: dict[str, Any], reasons: list[str]) -> None:
        """Add this process's figures to the shared crawl; as its last process, write the totals."""
        entry = {"process": process_name(self.crawler), **fields, "failed": reasons}
        document = add_process(collection, self.crawl_id, entry)
        if document is not None and len(document.get("processes", [])) >= self.processes:
            finish_shared_crawl(collection, document)

    def _stat_time(self, name: str) -> datetime:
        """Return a time the stats hold (start_time, finish_time), else now, in UTC."""
        assert self.crawler.stats is not None
        value = self.crawler.stats.get_value(name)
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.now(UTC)


def process_name(crawler: Crawler) -> str:
    """Return this process's name in a shared crawl: its scrapyd job, else its frontier id, else host and pid."""
    job = scrapyd_job(crawler)
    if job:
        return job
    return str(crawler.settings.get("ARABPRESS_REDIS_WORKER_ID") or f"{socket.gethostname()}:{os.getpid()}")
