"""``arabpress reextract`` as a crawl job, for scrapyd: ``schedule.json`` with ``spider=reextract``.

It makes no request. Its start runs the re-extraction (arabpress.reextract) in a worker
thread with the job's settings and environment, logs progress lines and the summary, and
ends. Arguments: ``since`` (YYYY-MM-DD), ``url_prefix``, ``older_than_version``, ``dry_run``
(1), ``batch_size``, ``workers`` (extraction processes, started by a fork server: the job's
process has threads, which a plain fork would copy mid-work). The run's id is the scrapyd
job id. Cancelling the job (SIGINT/SIGTERM) stops it after the batch in hand (the batches
handed to the workers); scheduling it again with the same arguments resumes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from arabpress.console import Progress
from arabpress.reextract import (
    Options,
    ReextractError,
    Reextraction,
    build,
    iter_lines,
    log_settings,
    parse_day,
    perform,
    worker_pool,
)
from arabpress.storage.connection import MongoUnavailable, open_server


class ReextractSpider(scrapy.Spider):
    """Re-extract the stored pages into the articles, as ``arabpress reextract`` does."""

    name = "reextract"
    # A job of its own: no crawl pipeline, middleware, extension, check or frontier applies.
    custom_settings: dict[str, Any] = {  # noqa: RUF012 - Scrapy reads it as a class attribute
        "ITEM_PIPELINES": {},
        "SPIDER_MIDDLEWARES": {},
        "EXTENSIONS": {},
        "ADDONS": {},
        "SPIDERMON_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
    }

    def __init__(
        self,
        since: str | None = None,
        url_prefix: str | None = None,
        older_than_version: str | None = None,
        dry_run: str | None = None,
        batch_size: str | None = None,
        workers: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.options = options_from_arguments(
            {
                "since": since,
                "url_prefix": url_prefix,
                "older_than_version": older_than_version,
                "dry_run": dry_run,
                "batch_size": batch_size,
                "workers": workers,
            }
        )
        self.job: Reextraction | None = None
        self.running: Deferred[bool | None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReextractSpider:
        """Build the spider; a close of the job stops the re-extraction after its batch."""
        spider: ReextractSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.closing, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Run the re-extraction, then end: there is nothing to request."""
        self.running = deferToThread(self.reextract)
        await maybe_deferred_to_future(self.running)
        nothing: tuple[scrapy.Request, ...] = ()
        for request in nothing:
            yield request

    def reextract(self) -> bool | None:
        """Run the re-extraction (in a worker thread); return whether it ran to its end, None on failure."""
        settings = self.crawler.settings
        stats = self.crawler.stats
        assert stats is not None
        interval = settings.getfloat("ARABPRESS_PROGRESS_INTERVAL")
        try:
            client = open_server(settings)
        except MongoUnavailable as error:
            self.logger.error("%s", error)
            return None
        overrides = log_settings(settings)
        # The job's process has threads: the pool's warm fork server starts now, while the job is built.
        pool = worker_pool(self.options.workers, overrides) if self.options.workers > 1 else None
        with client, pool or contextlib.nullcontext():
            self.job = build(client, settings, self.options)
            self.job.settings_overrides = overrides
            self.job.pool = pool
            # scrapyd names its job in the _job argument: the run's id, unless an older run is resumed.
            self.job.run_id = str(getattr(self, "_job", "") or "")
            try:
                finished = perform(
                    self.job,
                    lambda total: Progress(total, "re-extracted", interval, write=self.logger.info),
                    self.logger.info,
                )
            except ReextractError as error:
                self.logger.error("%s", error)
                return None
        for line in iter_lines(self.job.summary, self.options.dry_run):
            self.logger.info(line)
        for name in ("pages_read", "changed", "unchanged", "inserted", "stale", "refused_count"):
            stats.set_value(f"reextract/{name}", getattr(self.job.summary, name))
        stats.set_value("reextract/run_id", self.job.run_id)
        if not finished:
            self.logger.info("stopped: schedule the same job again to resume run %s", self.job.run_id)
        return finished

    async def closing(self, spider: scrapy.Spider, reason: str) -> None:
        """Stop the re-extraction after the batch in hand and wait for it."""
        if self.job is not None:
            self.job.request_stop()
        if self.running is not None and not self.running.called:
            await maybe_deferred_to_future(self.running)


def options_from_arguments(arguments: Mapping[str, Any]) -> Options:
    """Return the options of the spider arguments (strings), or raise ValueError with one line."""
    since, version, batch = arguments.get("since"), arguments.get("older_than_version"), arguments.get("batch_size")
    workers = arguments.get("workers")
    for name, value in (("older_than_version", version), ("batch_size", batch), ("workers", workers)):
        if value not in (None, "") and not str(value).isdigit():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    return Options(
        since=parse_day(str(since)) if since else None,
        url_prefix=arguments.get("url_prefix") or None,
        older_than_version=int(version) if version else None,
        dry_run=str(arguments.get("dry_run") or "").lower() not in ("", "0", "false", "no"),
        batch_size=max(1, int(batch)) if batch else 100,
        workers=max(1, int(workers)) if workers else 1,
    )
