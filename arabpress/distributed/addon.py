"""The switch: a Scrapy add-on that turns the Redis-shared frontier on or leaves it off.

Settings are frozen before Scrapy builds its components, so the scheduler, duplicate
filter and extension that a shared frontier needs are chosen here, in the add-on's
``update_settings``, from ARABPRESS_REDIS_ENABLED (environment or ``-s``). Values are set
with the add-on priority: a ``-s`` option still overrides any of them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from arabpress.distributed.workers import FrontierWorkers

logger = logging.getLogger(__name__)

SCHEDULER = "arabpress.distributed.scheduler.RedisScheduler"
# scrapy-redis's priority queue (articles first), holding each taken request until it is done.
QUEUE_CLASS = "arabpress.distributed.queue.InFlightPriorityQueue"
DUPEFILTER = "arabpress.distributed.dupefilter.RedisDupeFilter"


def redis_keys(prefix: str) -> dict[str, str]:
    """Return the Redis keys of a crawl's frontier, by scrapy-redis setting name."""
    if not prefix or "%" in prefix:
        raise ValueError(f"ARABPRESS_REDIS_KEY must be a non-empty name without '%', not {prefix!r}")
    return {
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
    }


def worker_id() -> str:
    """Return a new id for this crawl process: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisFrontier:
    """Add-on: with ARABPRESS_REDIS_ENABLED, schedule and filter requests through Redis."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontier:
        """Build the add-on for *crawler*."""
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        """Point the scheduler and duplicate filter at Redis when the switch is on."""
        if not settings.getbool("ARABPRESS_REDIS_ENABLED"):
            return
        if not settings.get("REDIS_URL"):
            raise ValueError("ARABPRESS_REDIS_ENABLED needs REDIS_URL, e.g. redis://127.0.0.1:6379/0")
        if settings.getbool("MONGO_ENABLED") and settings.getfloat("MONGO_FLUSH_INTERVAL") <= 0:
            # Taken requests are released as their articles are written, at the latest on each timed flush.
            raise ValueError("ARABPRESS_REDIS_ENABLED needs MONGO_FLUSH_INTERVAL above 0")
        settings.set("SCHEDULER", SCHEDULER, priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", QUEUE_CLASS, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        # The frontier outlives each process: a process that finishes first must not
        # clear what the others still use. FrontierWorkers clears it when the crawl is over.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        for name, key in redis_keys(settings.get("ARABPRESS_REDIS_KEY")).items():
            settings.set(name, key, priority="addon")
        # One id per process, shared by its queue (in-flight set) and FrontierWorkers (liveness key).
        settings.set("ARABPRESS_REDIS_WORKER_ID", worker_id(), priority="addon")
        settings.set_in_component_priority_dict("EXTENSIONS", FrontierWorkers, 50)
        if settings.get("JOBDIR"):
            logger.warning(
                "JOBDIR is ignored for the request queue while ARABPRESS_REDIS_ENABLED is on: Redis holds it"
            )
