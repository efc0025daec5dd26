"""Write the crawl's final stats to a JSON file (setting ARABPRESS_STATS_FILE).

Schedulers, dashboards and tests read the outcome of a crawl from there instead of
parsing the log.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


def json_default(value: Any) -> str:
    """Serialize the non-JSON values Scrapy keeps in stats (datetimes)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class StatsFile:
    """Dump the stats, with the finish reason, when the spider closes."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        """Build the extension, or raise NotConfigured when no file is set."""
        path = crawler.settings.get("ARABPRESS_STATS_FILE")
        if not path:
            raise NotConfigured  # off unless asked for: no warning
        extension = cls(crawler, Path(path))
        # Stats are complete only once the engine has closed the spider.
        crawler.signals.connect(extension.write, signal=signals.spider_closed)
        return extension

    def write(self, reason: str) -> None:
        """Write the stats as one JSON object."""
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(stats, default=json_default, indent=1, sort_keys=True), encoding="utf-8")
