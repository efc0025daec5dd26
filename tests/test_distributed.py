"""Several crawl processes sharing one frontier through Redis (scrapy-redis)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

import arabpress.settings
from arabpress.distributed.workers import FrontierWorkers
from arabpress.local.site import SiteServer
from arabpress.spiders.arabpress import ArabPressSpider
from tests.operations import ARTICLE_PATHS, CrawlProcess, mongo_env, requested_paths, stored_paths

KEY = "arabpress-test"


def crawler_with(**overrides: Any) -> Crawler:
    """Return a crawler with the project's settings and *overrides*, add-ons applied."""
    project = {name: value for name, value in vars(arabpress.settings).items() if name.isupper()}
    return get_crawler(ArabPressSpider, project | {"MONGO_ENABLED": False} | overrides)


def test_the_switch_off_keeps_scrapys_scheduler() -> None:
    settings = crawler_with().settings
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy.dupefilters.RFPDupeFilter"
    assert FrontierWorkers not in settings.getdict("EXTENSIONS")


def test_the_switch_on_shares_scheduler_and_seen_requests_in_redis(redis_url: str) -> None:
    settings = crawler_with(ARABPRESS_REDIS_ENABLED="1", REDIS_URL=redis_url, ARABPRESS_REDIS_KEY=KEY).settings
    assert settings["SCHEDULER"] == "arabpress.distributed.scheduler.RedisScheduler"
    assert settings["DUPEFILTER_CLASS"] == "arabpress.distributed.dupefilter.RedisDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST") is True
    assert settings["SCHEDULER_QUEUE_KEY"] == f"{KEY}:requests"
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == f"{KEY}:dupefilter"
    assert settings.getdict("EXTENSIONS")[FrontierWorkers] == 50


def test_the_switch_on_without_redis_url_is_refused() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        crawler_with(ARABPRESS_REDIS_ENABLED="1", REDIS_URL="")


def test_two_processes_share_the_crawl_each_article_stored_and_fetched_once(
    tmp_path: Path,
    site_copy: Path,
    serve_site: Callable[[Path], SiteServer],
    redis_url: str,
    mongo_uri: str,
    mongo_database: str,
) -> None:
    server = serve_site(site_copy)
    settings = {
        "ARABPRESS_REDIS_ENABLED": "1",
        "REDIS_URL": redis_url,
        "ARABPRESS_REDIS_KEY": KEY,
        "ARABPRESS_REDIS_HEARTBEAT": "0.5",
        "ARABPRESS_REDIS_WORKER_TIMEOUT": "10",
        # Slow enough for the two to overlap on a site of 70 pages.
        "DOWNLOAD_DELAY": "0.05",
        "CONCURRENT_REQUESTS": "2",
        # Each process checks its own share of the site, which may hold few articles and
        # the sample's one dropped story: the checks of a whole crawl do not apply.
        "ARABPRESS_MONITOR_MIN_ARTICLES": "0",
        "ARABPRESS_MONITOR_MAX_DROP_RATIO": "1",
    }
    env = mongo_env(mongo_uri, mongo_database)
    crawls = [CrawlProcess(server.origin, tmp_path / f"worker-{n}", settings, env) for n in (1, 2)]
    try:
        codes = [crawl.wait(120) for crawl in crawls]
    finally:
        for crawl in crawls:
            crawl.kill()
    assert codes == [0, 0], "\n".join(crawl.log()[-3000:] for crawl in crawls)
    stats = [crawl.stats() for crawl in crawls]
    assert [s["finish_reason"] for s in stats] == ["finished", "finished"]

    # Both took requests from the shared queue, and together stored each article once.
    assert all(s.get("scheduler/dequeued/redis", 0) >= 5 for s in stats), stats
    assert sum(s.get("item_scraped_count", 0) for s in stats) == len(ARTICLE_PATHS)
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)

    # Each URL was fetched once; robots.txt once by each process for its rules, once by the spider.
    counts = Counter(requested_paths(server))
    assert counts.pop("/robots.txt") == 3
    assert {path: count for path, count in counts.items() if count > 1} == {}
    assert set(counts) >= ARTICLE_PATHS | {"/", "/ar/", "/post-sitemap.xml", "/category/middle-east/page/2/"}

    # The last process to finish cleared the crawl's keys: the next crawl starts afresh.
    with redis.Redis.from_url(redis_url) as client:
        assert list(client.scan_iter(match=f"{KEY}:*")) == []
