"""Log a long crawl's progress every ARABPRESS_PROGRESS_INTERVAL seconds.

It replaces Scrapy's LogStats (settings.py switches that off) rather than adding a second
periodic line: the same pages and items per minute, plus what an operator watching a
long crawl needs next: drops by reason, errors, and articles skipped as unchanged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DROP_REASON_PREFIX = "item_dropped_reasons_count/"


def drop_reasons(stats: dict[str, Any]) -> str:
    """Return the drop counts by reason, largest first, e.g. ``MissingBody 3, DuplicateUrl 1``."""
    counts = {
        name.removeprefix(DROP_REASON_PREFIX): value
        for name, value in stats.items()
        if name.startswith(DROP_REASON_PREFIX)
    }
    return ", ".join(
        f"{reason} {count}" for reason, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    )


class ProgressLog(LogStats):
    """Scrapy's LogStats with drops, errors and incremental skips in each line."""

    def __init__(self, stats: StatsCollector, interval: float = 60.0) -> None:
        super().__init__(stats, interval)
        # LogStats sets its own counters when the spider opens; a line needs them before.
        self.pagesprev = self.itemsprev = self.dropsprev = self.errorsprev = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        """Build the extension, or raise NotConfigured when the interval is 0."""
        interval = crawler.settings.getfloat("ARABPRESS_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("ARABPRESS_PROGRESS_INTERVAL is 0")
        assert crawler.stats is not None
        extension = cls(crawler.stats, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def log(self, spider: Spider) -> None:
        """Log one progress line: pages, articles, drops, errors, skips, with rates per minute."""
        self.calculate_stats()
        stats = self.stats.get_stats()
        drops = int(stats.get("item_dropped_count", 0))
        errors = int(stats.get("log_count/ERROR", 0))
        reasons = drop_reasons(stats)
        logger.info(
            "progress: %(pages)d pages (%(pagerate)d/min), %(items)d articles stored (%(itemrate)d/min), "
            "%(drops)d dropped (%(droprate)d/min%(reasons)s), %(errors)d errors (%(errorrate)d/min), "
            "%(skipped)d unchanged articles skipped",
            {
                "pages": self.pages,
                "pagerate": self.prate,
                "items": self.items,
                "itemrate": self.irate,
                "drops": drops,
                "droprate": (drops - self.dropsprev) * self.multiplier,
                "reasons": f": {reasons}" if reasons else "",
                "errors": errors,
                "errorrate": (errors - self.errorsprev) * self.multiplier,
                "skipped": int(stats.get("arabpress/incremental/skipped", 0)),
            },
            extra={"spider": spider},
        )
        self.dropsprev, self.errorsprev = drops, errors

    def calculate_final_stats(self, spider: Spider) -> tuple[None, None] | tuple[float, float]:
        """Return pages and items per minute over the whole crawl, for crawls longer than a day too."""
        start_time = self.stats.get_value("start_time")
        finish_time = self.stats.get_value("finish_time")
        if not start_time or not finish_time:
            return None, None
        # LogStats uses timedelta.seconds, which wraps after a day: a long crawl needs the total.
        minutes = (finish_time - start_time).total_seconds() / 60
        if minutes <= 0:
            return None, None
        items = self.stats.get_value("item_scraped_count", 0)
        pages = self.stats.get_value("response_received_count", 0)
        return pages / minutes, items / minutes
