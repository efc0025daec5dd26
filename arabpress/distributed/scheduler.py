"""scrapy-redis's scheduler, adapted to Scrapy 2.19.

scrapy-redis 0.9.1 counts ``scheduler/enqueued/redis`` and ``scheduler/dequeued/redis``
with ``stats.inc_value(..., spider=spider)``; Scrapy 2.19 deprecates that argument (a
warning in every crawl's log now, a TypeError once it is removed). The scheduler here
hands scrapy-redis a view of the stats that takes the argument and drops it.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from scrapy_redis.scheduler import Scheduler


class SpiderlessStats:
    """The crawler's stats, accepting and ignoring the ``spider`` argument of older callers."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        """Increment *key* by *count*."""
        self.stats.inc_value(key, count, start)


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """The scrapy-redis scheduler, counting in the stats without deprecated arguments."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        """Build the scheduler from the crawler's settings, with the stats view."""
        scheduler: RedisScheduler = cls.from_settings(crawler.settings)
        assert crawler.stats is not None
        scheduler.stats = SpiderlessStats(crawler.stats)
        return scheduler
