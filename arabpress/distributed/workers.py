"""Keep the processes of one shared-frontier crawl together, from start to end.

Alone, each scrapy-redis process closes as soon as its own engine is idle and the
shared queue is empty, even while another process is about to add requests from the
page it is parsing; a process started a second after the first finds its start
requests already seen and leaves at once. And with SCHEDULER_PERSIST the seen set of a
finished crawl would filter every request of the next one.

Each process therefore keeps a key ``<prefix>:workers:<id>`` in Redis saying whether it
is busy, refreshed every ARABPRESS_REDIS_HEARTBEAT seconds and expiring after
ARABPRESS_REDIS_WORKER_TIMEOUT, so a killed process drops out by itself. A process
whose engine is idle stays while any other process is busy. The first process of a
crawl (no other live process) finds either a queue left by a crawl that was stopped or
killed, which it resumes, or an empty queue, whose stale seen set it clears so the new
crawl starts from scratch. The last process to finish a crawl that ran to its end
clears the crawl's keys; a crawl stopped part-way keeps them for the next start.

A process counts as busy while its engine works or while requests it took wait in its
in-flight set (``arabpress.distributed.queue``) for their articles to be written. When a
process's key has expired, the next heartbeat of any other process moves its in-flight
set back into the queue, so the requests of a killed process are fetched again by the
others. Each heartbeat also publishes the process's counts in ``<prefix>:progress:<id>``
for ``arabpress crawl --processes``' merged progress line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy_redis.connection import get_redis_from_settings

from arabpress.distributed.queue import inflight_prefix
from arabpress.storage.crawls import FINISHED_REASONS

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

BUSY = "busy"
IDLE = "idle"
# The counts each process publishes, by stat name.
PROGRESS_STATS = {
    "pages": "response_received_count",
    "items": "item_scraped_count",
    "dropped": "item_dropped_count",
    "errors": "log_count/ERROR",
    "skipped": "arabpress/incremental/skipped",
}
PROGRESS_TTL = 86400  # seconds: the counts of a process outlive it for the merged line, not for ever


def progress_prefix(prefix: str) -> str:
    """Return the prefix of the crawl's progress keys, one per process."""
    return f"{prefix}:progress:"


class FrontierWorkers:
    """Register this process in the crawl's Redis; decide when it may close and when to clear."""

    def __init__(
        self, crawler: Crawler, server: Redis, prefix: str, worker_id: str, heartbeat: float, timeout: float
    ) -> None:
        if timeout <= heartbeat:
            raise ValueError("ARABPRESS_REDIS_WORKER_TIMEOUT must be longer than ARABPRESS_REDIS_HEARTBEAT")
        self.crawler = crawler
        self.server = server
        self.heartbeat = heartbeat
        self.timeout = timeout
        self.worker_id = worker_id
        self.workers_prefix = f"{prefix}:workers:"
        self.inflight_prefix = inflight_prefix(prefix)
        self.progress_prefix = progress_prefix(prefix)
        self.progress_key = self.progress_prefix + worker_id
        self.lock_key = f"{prefix}:lock"
        self.queue_key = ""
        self.dupefilter_key = ""
        self.state = ""
        self.task: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierWorkers:
        """Build the extension, or raise NotConfigured when the shared frontier is off."""
        settings = crawler.settings
        if not settings.getbool("ARABPRESS_REDIS_ENABLED"):
            raise NotConfigured("ARABPRESS_REDIS_ENABLED is off")
        extension = cls(
            crawler,
            get_redis_from_settings(settings),
            settings.get("ARABPRESS_REDIS_KEY"),
            settings.get("ARABPRESS_REDIS_WORKER_ID"),
            heartbeat=settings.getfloat("ARABPRESS_REDIS_HEARTBEAT"),
            timeout=settings.getfloat("ARABPRESS_REDIS_WORKER_TIMEOUT"),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    @property
    def my_key(self) -> str:
        """Return this process's key."""
        return self.workers_prefix + self.worker_id

    def spider_opened(self, spider: Spider) -> None:
        """Join the crawl; as its first process, clear a finished crawl's seen set."""
        settings = self.crawler.settings
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name}
        self.dupefilter_key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        # Under a lock, so that of two processes started together exactly one is first.
        with self.server.lock(self.lock_key, timeout=30, blocking_timeout=30):
            self.reclaim()
            others = self.other_workers()
            self.publish(BUSY)
            queued = int(self.server.zcard(self.queue_key))
            if others:
                logger.info("joining a shared crawl with %d other process(es), %d requests queued", len(others), queued)
            elif queued:
                logger.info("resuming a shared crawl: %d requests queued", queued)
            else:
                cleared = int(self.server.delete(self.dupefilter_key, *self.progress_keys()))
                logger.info(
                    "starting a shared crawl%s", " (seen requests of the last crawl cleared)" if cleared else ""
                )
        self.task = create_looping_call(self.beat)
        self.task.start(self.heartbeat, now=False)

    def beat(self) -> None:
        """Refresh this process's key with its current state."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        self.reclaim()
        idle = engine.spider_is_idle()
        self.publish(IDLE if idle and not self.holding() else BUSY)
        self.publish_progress()
        if idle:
            # The engine looks at the queue again (requests other processes added) and runs
            # its idle check now rather than at its own 5-second heartbeat.
            slot = getattr(engine, "_slot", None)  # no public way to wake the engine
            if slot is not None:
                slot.nextcall.schedule()

    def holding(self) -> bool:
        """Return whether requests this process took still wait in its in-flight set."""
        return bool(self.server.exists(self.inflight_prefix + self.worker_id))

    def reclaim(self) -> None:
        """Move the in-flight requests of processes that stopped answering back into the queue."""
        for key in self.server.scan_iter(match=self.inflight_prefix + "*"):
            worker = as_text(key).removeprefix(self.inflight_prefix)
            if worker == self.worker_id or self.server.exists(self.workers_prefix + worker):
                continue
            pipe = self.server.pipeline(transaction=True)
            pipe.zcard(key)
            pipe.zunionstore(self.queue_key, {self.queue_key: 1, key: 1}, aggregate="MIN")
            pipe.delete(key)
            count = int(pipe.execute()[0])
            if count:
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("arabpress/frontier/requeued", count)
                logger.warning(
                    "process %s stopped answering: its %d requests in flight are queued again", worker, count
                )

    def progress_keys(self) -> list[str]:
        """Return the progress keys of the crawl's processes, this one's included."""
        return [as_text(key) for key in self.server.scan_iter(match=self.progress_prefix + "*")]

    def publish_progress(self) -> None:
        """Publish this process's counts for the merged progress line of the whole crawl."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        pipe = self.server.pipeline(transaction=False)
        for name, stat in PROGRESS_STATS.items():
            pipe.hset(self.progress_key, name, int(stats.get(stat, 0)))
        pipe.expire(self.progress_key, PROGRESS_TTL)
        pipe.execute()

    def publish(self, state: str) -> None:
        """Write this process's state; the key expires if the process stops refreshing it."""
        self.server.set(self.my_key, state, ex=max(1, round(self.timeout)))
        self.state = state

    def request_reached_downloader(self) -> None:
        """Say at once that this process is busy again: others must not leave now."""
        if self.state != BUSY:
            self.publish(BUSY)

    def other_workers(self) -> dict[str, str]:
        """Return the live other processes of the crawl and their states."""
        keys = [key for key in self.server.scan_iter(match=self.workers_prefix + "*") if as_text(key) != self.my_key]
        states = self.server.mget(keys) if keys else []
        return {as_text(key): as_text(state) for key, state in zip(keys, states, strict=True) if state is not None}

    def spider_idle(self) -> None:
        """Stay open while another process is busy: it may add requests to the shared queue."""
        self.reclaim()
        self.publish(BUSY if self.holding() else IDLE)
        busy = [worker for worker, state in self.other_workers().items() if state == BUSY]
        if busy:
            raise DontCloseSpider(f"waiting for {len(busy)} busy process(es) of the shared crawl")

    def spider_closed(self, reason: str) -> None:
        """Leave the crawl; the last process of a finished crawl clears its keys."""
        if self.task is not None and self.task.running:
            self.task.stop()
        self.publish_progress()
        with self.server.lock(self.lock_key, timeout=30, blocking_timeout=30):
            self.server.delete(self.my_key)
            if reason not in FINISHED_REASONS or self.other_workers():
                return  # a stopped crawl keeps its frontier, to be resumed
            self.reclaim()
            if self.server.zcard(self.queue_key):
                logger.warning("requests of a stopped process are still queued: kept for the next start")
                return
            self.server.delete(self.queue_key, self.dupefilter_key, *self.progress_keys())
        logger.info("shared crawl finished (%s): its Redis keys are cleared", reason)


def as_text(value: Any) -> str:
    """Return a Redis reply as text (replies are bytes unless decode_responses is set)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
