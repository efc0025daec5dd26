"""Several crawl processes sharing one frontier through Redis (scrapy-redis)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import redis
import scrapy
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

import arabpress.settings
from arabpress.distributed.scheduler import RedisScheduler
from arabpress.distributed.workers import FrontierWorkers
from arabpress.local.process import free_port
from arabpress.local.site import SiteServer
from arabpress.spiders.arabpress import ArabPressSpider
from tests.crawl import LOCAL_SETTINGS, PROJECT_ROOT
from tests.operations import (
    ARTICLE_PATHS,
    CrawlProcess,
    crawl_documents,
    mongo_env,
    requested_paths,
    stored_paths,
    wait_for,
)

KEY = "arabpress-test"


class Shared(NamedTuple):
    """A served copy of the sample site, a Redis and a fresh database for shared-frontier crawls."""

    server: SiteServer
    tmp_path: Path
    redis_url: str
    mongo_uri: str
    mongo_database: str


@pytest.fixture
def shared(
    tmp_path: Path,
    site_copy: Path,
    serve_site: Callable[[Path], SiteServer],
    redis_url: str,
    mongo_uri: str,
    mongo_database: str,
) -> Shared:
    """Serve a copy of the sample site; return it with a Redis and a database."""
    return Shared(serve_site(site_copy), tmp_path, redis_url, mongo_uri, mongo_database)


def frontier(redis_url: str, heartbeat: str, timeout: str, **settings: str) -> dict[str, str]:
    """Return the settings of a crawl process on the test's frontier, two requests at a time."""
    return {
        "ARABPRESS_REDIS_ENABLED": "1",
        "REDIS_URL": redis_url,
        "ARABPRESS_REDIS_KEY": KEY,
        "ARABPRESS_REDIS_HEARTBEAT": heartbeat,
        "ARABPRESS_REDIS_WORKER_TIMEOUT": timeout,
        "CONCURRENT_REQUESTS": "2",
        **settings,
    }


def crawl_together(shared: Shared, settings: dict[str, str]) -> list[CrawlProcess]:
    """Run two crawl processes of one shared crawl to their end; fail unless both exit 0."""
    # Each process checks its own share of the site, which may hold few articles and the
    # sample's one dropped story: the thresholds of a whole crawl do not apply.
    settings = {**settings, "ARABPRESS_MONITOR_MIN_ARTICLES": "0", "ARABPRESS_MONITOR_MAX_DROP_RATIO": "1"}
    env = mongo_env(shared.mongo_uri, shared.mongo_database)
    crawls = [CrawlProcess(shared.server.origin, shared.tmp_path / f"worker-{n}", settings, env) for n in (1, 2)]
    try:
        codes = [crawl.wait(120) for crawl in crawls]
    finally:
        for crawl in crawls:
            crawl.kill()
    assert codes == [0, 0], "\n".join(crawl.log()[-3000:] for crawl in crawls)
    return crawls


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


def test_two_processes_share_the_crawl_each_article_stored_and_fetched_once(shared: Shared) -> None:
    server, _, redis_url, mongo_uri, mongo_database = shared
    # Slow enough for the two to overlap on a site of 70 pages although one process may be
    # up seconds before the other (at 0.05 s a page, the first had the site nearly done).
    settings = frontier(redis_url, heartbeat="0.5", timeout="10", DOWNLOAD_DELAY="0.2")
    crawls = crawl_together(shared, settings)
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


def test_idle_processes_write_their_partly_filled_batches_and_the_shared_crawl_ends(shared: Shared) -> None:
    server, _, redis_url, mongo_uri, mongo_database = shared
    # No batch fills and no timed flush comes before the processes are idle: each holds its
    # articles' requests in flight, so the crawl ends only if an idle engine writes them.
    settings = frontier(redis_url, heartbeat="0.5", timeout="10", DOWNLOAD_DELAY="0.05")
    settings.update(MONGO_BATCH_SIZE="1000", MONGO_FLUSH_INTERVAL="600")
    crawl_together(shared, settings)
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)


def test_a_killed_process_loses_no_article_its_requests_in_flight_go_back_to_the_queue(shared: Shared) -> None:
    server, tmp_path, redis_url, mongo_uri, mongo_database = shared
    shared = frontier(redis_url, heartbeat="0.3", timeout="3", DOWNLOAD_DELAY="0.2")
    env = mongo_env(mongo_uri, mongo_database)
    # The first holds its articles in the write buffer (no timed flush before it is killed).
    held = {"MONGO_FLUSH_INTERVAL": "600", "MONGO_FLUSH_ON_IDLE": "0"}
    doomed = CrawlProcess(server.origin, tmp_path / "doomed", {**shared, **held}, env)
    survivor = CrawlProcess(server.origin, tmp_path / "survivor", shared, env)
    client = redis.Redis.from_url(redis_url)
    try:

        def doomed_holds_articles() -> bool:
            for key in client.scan_iter(match=f"{KEY}:progress:*"):
                if f":{doomed.process.pid}:" in key.decode() and int(client.hget(key, "items") or 0) >= 2:
                    return True
            return False

        wait_for(doomed_holds_articles, doomed, 60, "two articles scraped by the first process")
        doomed.process.kill()
        doomed.wait(10)
        assert survivor.wait(120) == 0, survivor.log()[-3000:]
    finally:
        doomed.kill()
        survivor.kill()
        client.close()
    stats = survivor.stats()
    assert stats["finish_reason"] == "finished"
    assert stats.get("arabpress/frontier/requeued", 0) >= 2, stats
    # Every article stored, once, although the first process died with some in its buffer.
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)
    with redis.Redis.from_url(redis_url) as check:
        assert list(check.scan_iter(match=f"{KEY}:*")) == []


def launch(origin: str, tmp_path: Path, redis_url: str, env: dict[str, str], *settings: str) -> subprocess.Popen[str]:
    """Start ``arabpress crawl --processes 2`` on *origin*, its progress every half second."""
    command = [sys.executable, "-m", "arabpress.cli", "crawl", "--processes", "2", "--progress", "0.5"]
    command += ["--logdir", str(tmp_path / "logs"), "-a", f"base_url={origin}"]
    shared = {
        **LOCAL_SETTINGS,
        "REDIS_URL": redis_url,
        "ARABPRESS_REDIS_KEY": KEY,
        "ARABPRESS_REDIS_HEARTBEAT": "0.3",
        "ARABPRESS_REDIS_WORKER_TIMEOUT": "3",
        "CONCURRENT_REQUESTS": "2",
        # The checks run in each process on its own figures: the one dropped story of the
        # sample is a quarter of a process's few articles.
        "ARABPRESS_MONITOR_MAX_DROP_RATIO": "0.5",
    }
    for name, value in shared.items():
        command += ["-s", f"{name}={value}"]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_arabpress_crawl_runs_n_processes_with_one_progress_line_and_one_crawl_record(shared: Shared) -> None:
    server, tmp_path, redis_url, mongo_uri, mongo_database = shared
    launcher = launch(server.origin, tmp_path, redis_url, mongo_env(mongo_uri, mongo_database), "DOWNLOAD_DELAY=0.1")
    try:
        output, _ = launcher.communicate(timeout=180)
    finally:
        launcher.kill()
    assert launcher.returncode == 0, output
    progress = [line for line in output.splitlines() if line.startswith("progress: ")]
    assert progress and all("/2 processes running" in line for line in progress), output
    assert f"{len(ARTICLE_PATHS)} articles scraped by 2 processes" in output, output

    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)
    [record] = crawl_documents(mongo_uri, mongo_database)
    assert record["status"] == "finished" and record["finish_reason"] == "finished", record.get("failed_checks")
    assert record["processes_expected"] == 2 and len(record["processes"]) == 2
    assert record["articles"]["new"] == len(ARTICLE_PATHS)
    assert sum(entry["articles"]["new"] for entry in record["processes"]) == len(ARTICLE_PATHS)
    assert record["pages_fetched"] == sum(entry["pages_fetched"] for entry in record["processes"])
    assert all(entry["pages_fetched"] >= 5 for entry in record["processes"]), record["processes"]
    with redis.Redis.from_url(redis_url) as client:
        assert list(client.scan_iter(match=f"{KEY}:*")) == []


def test_arabpress_crawl_completes_the_record_of_a_killed_process_and_loses_no_article(shared: Shared) -> None:
    server, tmp_path, redis_url, mongo_uri, mongo_database = shared
    launcher = launch(
        server.origin,
        tmp_path,
        redis_url,
        mongo_env(mongo_uri, mongo_database),
        "DOWNLOAD_DELAY=0.2",
        "MONGO_FLUSH_INTERVAL=600",  # articles wait in the write buffer until the process closes
        "MONGO_FLUSH_ON_IDLE=0",
    )
    client = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 60
        victim = 0
        while not victim and time.monotonic() < deadline and launcher.poll() is None:
            for key in client.scan_iter(match=f"{KEY}:progress:*"):
                if int(client.hget(key, "items") or 0) >= 2:
                    victim = int(key.decode().split(":")[-2])  # <prefix>:progress:<host>:<pid>:<random>
                    break
            time.sleep(0.05)
        assert victim, "no process scraped two articles"
        os.kill(victim, signal.SIGKILL)
        output, _ = launcher.communicate(timeout=180)
    finally:
        launcher.kill()
        client.close()
    assert launcher.returncode == 1, output
    assert "died (exit -9) before closing" in output, output
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)
    [record] = crawl_documents(mongo_uri, mongo_database)
    assert record["status"] == "failed" and record["finish_reason"] == "killed by signal 9", record
    assert len(record["processes"]) == 2
    assert any("killed by signal 9" in reason for reason in record["failed_checks"]), record


def test_arabpress_crawl_without_redis_is_one_line() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    command = [sys.executable, "-m", "arabpress.cli", "crawl", "--processes", "2", "-s", f"REDIS_URL={url}"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"arabpress crawl: Redis at {url} does not answer: "), line
    assert result.stdout == ""


def test_a_new_request_is_marked_seen_and_queued_in_one_round_trip(redis_url: str) -> None:
    sent: list[str] = []  # the commands the schedulers send Redis, in order

    def scheduler_of_a_process(worker: str) -> RedisScheduler:
        crawler = crawler_with(
            ARABPRESS_REDIS_ENABLED="1", REDIS_URL=redis_url, ARABPRESS_REDIS_KEY=KEY, ARABPRESS_REDIS_WORKER_ID=worker
        )
        crawler.spider = crawler._create_spider(base_url="https://www.arabpress.example/")
        scheduler = RedisScheduler.from_crawler(crawler)
        scheduler.open(crawler.spider)
        for client in {id(scheduler.server): scheduler.server, id(scheduler.df.server): scheduler.df.server}.values():
            send = client.execute_command  # the real client, each command it sends noted first

            def noted(*args: Any, send: Callable[..., Any] = send, **options: Any) -> Any:
                sent.append(str(args[0]).upper())
                return send(*args, **options)

            client.execute_command = noted
        return scheduler

    server = redis.Redis.from_url(redis_url)
    first, second = scheduler_of_a_process("one"), scheduler_of_a_process("two")
    article = scrapy.Request("https://www.arabpress.example/2026/01/02/story/")
    listing = scrapy.Request("https://www.arabpress.example/category/economy/")
    first.enqueue_request(scrapy.Request("https://www.arabpress.example/"))  # loads the script once
    sent.clear()
    queued = [first.enqueue_request(article), first.enqueue_request(listing), first.enqueue_request(article.copy())]
    # Another process meets the same link: Redis's seen set refuses it.
    queued.append(second.enqueue_request(article.copy()))
    assert queued == [True, True, False, False]
    # One script call for each request its process had not met; the first process's repeat
    # was filtered in the process, without a round trip.
    assert sent == ["EVALSHA"] * 3
    assert server.zcard(f"{KEY}:requests") == 3
    assert server.scard(f"{KEY}:dupefilter") == 3
    taken = [first.queue.pop() for _ in range(4)]
    assert taken[3] is None
    assert {request.url for request in taken if request is not None} == {
        "https://www.arabpress.example/",
        article.url,
        listing.url,
    }
