"""scrapy-redis's duplicate filter, adapted to Scrapy 2.19.

scrapy-redis 0.9.1 works with Scrapy 2.19, with three gaps this subclass closes:

- it computes its own fingerprint (SHA-1 of a JSON of method, canonical URL and body)
  instead of asking the crawler's request fingerprinter (REQUEST_FINGERPRINTER_CLASS,
  Scrapy 2.7+), so a change of fingerprinter would apply to single-process crawls only;
- it does not count filtered requests in ``dupefilter/filtered`` as Scrapy's filter does;
- its ``close()`` deletes the shared set, which would wipe the seen requests of every
  other process of the crawl if a scheduler ever called it; the crawl's end is decided
  by ``FrontierWorkers`` instead.

It also remembers, in the process, the fingerprints it has already sent to Redis: a link
this process met before (related lists repeat across articles) is filtered without a
round trip. It keeps about what Scrapy's own filter keeps in memory: one fingerprint per request.
The scheduler (arabpress.distributed.scheduler) asks Redis for a new request and queues it in
the same round trip.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter


class RedisDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """Seen requests in a Redis set, fingerprinted by the crawler's fingerprinter."""

    def __init__(self, server: Any, key: str, debug: bool = False, *, crawler: Any = None) -> None:
        super().__init__(server, key, debug=debug)
        self.crawler = crawler
        # Fingerprints that are in the shared set: the set is only emptied between crawls.
        self.known: set[bytes] = set()

    @classmethod
    def from_spider(cls, spider: Spider) -> RedisDupeFilter:
        """Build the filter for *spider*'s crawl; the scrapy-redis scheduler calls this when it opens."""
        settings = spider.crawler.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        return cls(
            get_redis_from_settings(settings), key, debug=settings.getbool("DUPEFILTER_DEBUG"), crawler=spider.crawler
        )

    def fingerprint(self, request: Request) -> bytes:
        """Return the crawler's fingerprint of *request*."""
        fingerprint: bytes = self.crawler.request_fingerprinter.fingerprint(request)
        return fingerprint

    def request_seen(self, request: Request) -> bool:
        """Return whether *request* was seen by any process, asking Redis only for new ones."""
        fingerprint = self.fingerprint(request)
        if fingerprint in self.known:
            return True
        added = int(self.server.sadd(self.key, fingerprint.hex()))
        self.known.add(fingerprint)
        return added == 0

    def request_fingerprint(self, request: Request) -> str:
        """Return the crawler's fingerprint of *request*, as hex."""
        return self.fingerprint(request).hex()

    def log(self, request: Request, spider: Spider) -> None:
        """Count the filtered request, then log it as scrapy-redis does."""
        self.crawler.stats.inc_value("dupefilter/filtered")
        super().log(request, spider)

    def close(self, reason: str = "") -> None:
        """Keep the shared set: other processes of the crawl may still be using it."""
