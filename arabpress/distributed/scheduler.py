"""scrapy-redis's scheduler, adapted to Scrapy 2.19, handing requests back when a process dies.

scrapy-redis 0.9.1 counts ``scheduler/enqueued/redis`` and ``scheduler/dequeued/redis``
with ``stats.inc_value(..., spider=spider)``; Scrapy 2.19 deprecates that argument (a
warning in every crawl's log now, a TypeError once it is removed). The scheduler here
hands scrapy-redis a view of the stats that takes the argument and drops it.

A new request costs one round trip to Redis: the seen set and the queue are updated by one
script (``InFlightPriorityQueue.push_unseen``), rather than one command each.

With ``InFlightPriorityQueue`` each request taken stays in Redis until this scheduler
acknowledges it: once the engine is done with it (download, callback, every item through
the pipelines), and, when MongoPipeline stores the articles, once the batch holding its
articles is written. A killed process therefore leaves behind, in its in-flight set,
every request whose articles may not be in the database yet.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler

from arabpress.distributed.dupefilter import RedisDupeFilter
from arabpress.distributed.queue import FRONTIER_META, InFlightPriorityQueue
from arabpress.signals import articles_stored

# Requests acknowledged together when no storage is waited for.
ACK_BATCH = 64


class SpiderlessStats:
    """The crawler's stats, accepting and ignoring the ``spider`` argument of older callers."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        """Increment *key* by *count*."""
        self.stats.inc_value(key, count, start)


def stores_articles(settings: BaseSettings) -> bool:
    """Return whether the crawl writes its articles through MongoPipeline (in batches)."""
    from arabpress.pipelines.mongo import MongoPipeline

    if not settings.getbool("MONGO_ENABLED"):
        return False
    pipelines = build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    return any(issubclass(load_object(path), MongoPipeline) for path in pipelines)


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """The scrapy-redis scheduler: no deprecated stats calls; taken requests acknowledged when done."""

    crawler: Crawler
    queue: Any
    reliable = False
    one_trip = False  # seen set and queue updated together (push_unseen)
    waits_for_storage = False
    running: set[str]
    settled: dict[str, float]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        """Build the scheduler from the crawler's settings, with the stats view."""
        scheduler: RedisScheduler = cls.from_settings(crawler.settings)
        assert crawler.stats is not None
        scheduler.stats = SpiderlessStats(crawler.stats)
        scheduler.crawler = crawler
        scheduler.waits_for_storage = stores_articles(crawler.settings)
        # Tokens of the requests the engine holds, and of those it is done with (by when),
        # which wait for the next batch of articles written.
        scheduler.running = set()
        scheduler.settled = {}
        crawler.signals.connect(scheduler.articles_stored, signal=articles_stored)
        return scheduler

    def open(self, spider: Spider) -> None:
        """Open the queue; the in-flight acknowledgements need InFlightPriorityQueue."""
        super().open(spider)
        self.reliable = isinstance(self.queue, InFlightPriorityQueue)
        self.one_trip = self.reliable and isinstance(self.df, RedisDupeFilter)

    def enqueue_request(self, request: Request) -> bool:
        """Queue *request* unless a process of the crawl saw it already; tell whether it was queued."""
        if request.dont_filter or not self.one_trip:
            return bool(super().enqueue_request(request))
        fingerprint = self.df.fingerprint(request)
        queued = fingerprint not in self.df.known and self.queue.push_unseen(request, self.df.key, fingerprint.hex())
        self.df.known.add(fingerprint)
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        """Settle the requests the engine let go of, then take the next one."""
        # The engine asks for a request each time one leaves it (and on every heartbeat):
        # the moment to see which ones are done.
        if self.reliable:
            self.settle()
        request: Request | None = super().next_request()
        if request is not None and self.reliable:
            self.running.add(request.meta[FRONTIER_META])
        return request

    def settle(self) -> None:
        """Acknowledge (or mark for the next stored batch) the requests no longer in the engine."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)  # the engine's requests in progress: no public view
        if slot is None:
            return
        busy = {request.meta.get(FRONTIER_META) for request in slot.inprogress}
        done = self.running - busy
        self.running -= done
        now = time.monotonic()
        self.settled.update(dict.fromkeys(done, now))
        # Without storage to wait for, acknowledge in batches (one command for many), and
        # all at once when the engine holds nothing, so an idle process holds no request.
        if not self.waits_for_storage and self.settled and (not busy or len(self.settled) >= ACK_BATCH):
            self.articles_stored(now + 1)

    def articles_stored(self, taken_at: float) -> None:
        """Acknowledge the requests settled before *taken_at*: the batch just written was taken then."""
        if not self.reliable:
            return
        stored = [token for token, settled_at in self.settled.items() if settled_at < taken_at]
        for token in stored:
            del self.settled[token]
        self.queue.ack(stored)

    def close(self, reason: str) -> None:
        """Drop the in-flight set: the engine finished every request and the pipelines wrote their articles."""
        if self.reliable:
            self.queue.drop_inflight()
            self.running.clear()
            self.settled.clear()
        super().close(reason)
