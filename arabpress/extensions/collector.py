"""Tune Python's garbage collector for the crawl process (ARABPRESS_GC_FREEZE, ARABPRESS_GC_THRESHOLD).

Start-up leaves about 125,000 objects the collector tracks (modules, settings, the parsers
of dateparser and lxml) that live as long as the process; every full collection walks them
again, about 0.1 s each. Once the crawl has started, ``gc.freeze()`` moves them out of the
collector's reach (2,000-article crawl: collector time 1.3-1.5 -> 1.15 s). A page allocates
thousands of short-lived objects (lxml proxies, requests, items), nearly all freed by
reference counting; a young-generation collection every 700 allocations (Python's default)
mostly walks objects still in use. A threshold of 5,000 (the default) runs fewer: with the
pages freed as they are read (the spider keeps no response and its selector in a reference
cycle), the collector's time in a 2,000-article crawl falls from 0.52 to 0.26 s, and peak
RSS does not move (154-156 MB).
"""

from __future__ import annotations

import gc
import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class GarbageCollector:
    """Freeze the start-up objects and space out young-generation collections when the crawl starts."""

    def __init__(self, freeze: bool, threshold: int) -> None:
        self.freeze = freeze
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GarbageCollector:
        """Build the extension, or raise NotConfigured when both settings leave the collector alone."""
        freeze = crawler.settings.getbool("ARABPRESS_GC_FREEZE")
        threshold = crawler.settings.getint("ARABPRESS_GC_THRESHOLD")
        if threshold < 0:
            raise ValueError(f"ARABPRESS_GC_THRESHOLD must be 0 or more, not {threshold}")
        if not freeze and not threshold:
            raise NotConfigured("ARABPRESS_GC_FREEZE and ARABPRESS_GC_THRESHOLD are off")
        extension = cls(freeze, threshold)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        """Apply the settings: every component is built and connected by now."""
        if self.freeze:
            gc.collect()  # start-up's garbage is freed, not frozen
            gc.freeze()
        if self.threshold:
            gc.set_threshold(self.threshold, *gc.get_threshold()[1:])
        logger.debug("garbage collector: %d objects frozen, thresholds %s", gc.get_freeze_count(), gc.get_threshold())
