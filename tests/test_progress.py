"""The progress line of long crawls: pages, articles, drops, errors and skips per interval."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from arabpress.extensions.progress import ProgressLog
from arabpress.local.site import SiteServer
from tests.crawl import run_crawl

PROGRESS = re.compile(
    r"progress: (?P<pages>\d+) pages \((?P<pagerate>\d+)/min\), (?P<items>\d+) articles stored \(\d+/min\), "
    r"(?P<drops>\d+) dropped \(\d+/min(?P<reasons>: [^)]*)?\), (?P<errors>\d+) errors \(\d+/min\), "
    r"(?P<skipped>\d+) unchanged articles skipped$"
)


def crawler(interval: float) -> Crawler:
    """Return a crawler whose ProgressLog logs every *interval* seconds."""
    return get_crawler(Spider, {"ARABPRESS_PROGRESS_INTERVAL": interval})


def test_each_line_has_pages_articles_drops_errors_and_skips_with_rates(caplog: pytest.LogCaptureFixture) -> None:
    progress = ProgressLog.from_crawler(crawler(30))
    stats = progress.stats
    spider = Spider(name="arabpress")
    for name, value in {
        "response_received_count": 100,
        "item_scraped_count": 40,
        "item_dropped_count": 6,
        "item_dropped_reasons_count/MissingBody": 2,
        "item_dropped_reasons_count/DuplicateUrl": 4,
        "log_count/ERROR": 1,
        "arabpress/incremental/skipped": 55,
    }.items():
        stats.set_value(name, value)
    with caplog.at_level(logging.INFO, logger="arabpress.extensions.progress"):
        progress.log(spider)
        stats.inc_value("response_received_count", 10)
        stats.inc_value("log_count/ERROR", 2)
        progress.log(spider)
    first, second = (record.getMessage() for record in caplog.records)
    assert first == (
        "progress: 100 pages (200/min), 40 articles stored (80/min), "
        "6 dropped (12/min: DuplicateUrl 4, MissingBody 2), 1 errors (2/min), 55 unchanged articles skipped"
    )
    assert second.startswith("progress: 110 pages (20/min), 40 articles stored (0/min), 6 dropped (0/min: ")
    assert "3 errors (4/min)" in second


def test_no_interval_no_progress_line() -> None:
    with pytest.raises(NotConfigured):
        ProgressLog.from_crawler(crawler(0))


def test_final_rates_count_every_minute_of_a_crawl_longer_than_a_day() -> None:
    progress = ProgressLog.from_crawler(crawler(60))
    start = datetime(2026, 2, 1, tzinfo=UTC)
    progress.stats.set_value("start_time", start)
    progress.stats.set_value("finish_time", start + timedelta(days=1, minutes=60))
    progress.stats.set_value("response_received_count", 15000)
    progress.stats.set_value("item_scraped_count", 3000)
    assert progress.calculate_final_stats(Spider(name="arabpress")) == (10.0, 2.0)


def test_a_slow_crawl_logs_its_progress_and_not_scrapys_own_line(tmp_path: Path, sample_site: SiteServer) -> None:
    settings = {"ARABPRESS_PROGRESS_INTERVAL": "0.5", "DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "1"}
    result = run_crawl(sample_site.origin, tmp_path, settings=settings)
    assert result.returncode == 0, result.log[-3000:]
    lines = [match for line in result.log.splitlines() if (match := PROGRESS.search(line))]
    assert len(lines) >= 4, result.log[-3000:]
    pages = [int(line["pages"]) for line in lines]
    assert pages == sorted(pages)
    assert 0 < pages[-1] <= result.stats["response_received_count"]
    assert lines[-1]["reasons"] == ": MissingBody 1"
    assert int(lines[-1]["items"]) <= result.stats["item_scraped_count"]
    assert not re.search(r"Crawled \d+ pages \(at", result.log)
