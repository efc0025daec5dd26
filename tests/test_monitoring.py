"""The checks of each finished crawl (spidermon): a good crawl passes, a bad one is marked failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from arabpress.local.process import free_port
from arabpress.local.site import SiteServer
from arabpress.monitors import failure_message
from tests.crawl import CrawlResult, run_crawl
from tests.operations import ARTICLE_PATHS, crawl_documents, mongo_env


def last_line(result: CrawlResult) -> str:
    """Return the crawl log's last line."""
    return result.log.strip().splitlines()[-1]


def test_a_crawl_of_the_sample_site_passes_its_checks(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    server = serve_site(site_copy)
    result = run_crawl(server.origin, tmp_path, env=mongo_env(mongo_uri, mongo_database))
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["item_scraped_count"] == len(ARTICLE_PATHS)
    assert result.stats["arabpress/checks"] == "passed"
    assert result.stats["spidermon_field_coverage/ArticleItem/published_at"] == 1.0
    assert "crawl passed checks" in last_line(result)
    assert "crawl FAILED" not in result.log
    [crawl] = crawl_documents(mongo_uri, mongo_database)
    assert crawl["status"] == "finished"
    assert "failed_checks" not in crawl


def test_a_crawl_short_of_the_minimum_fails_its_checks(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    server = serve_site(site_copy)
    settings = {"ARABPRESS_MONITOR_MIN_ARTICLES": "1000"}
    result = run_crawl(server.origin, tmp_path, settings=settings, env=mongo_env(mongo_uri, mongo_database))
    # Cron and scrapyd read the exit status.
    assert result.returncode == 1, result.log[-3000:]
    expected = "Articles/minimum number of articles: 7 articles stored and 0 unchanged, fewer than the minimum 1000"
    assert result.stats["arabpress/checks"] == "failed"
    assert result.stats["arabpress/checks/failures"] == [expected]
    assert last_line(result).endswith(f"ERROR: crawl FAILED checks: {expected}")
    [crawl] = crawl_documents(mongo_uri, mongo_database)
    assert crawl["status"] == "failed"
    assert crawl["failed_checks"] == [expected]


def test_a_crawl_of_an_unreachable_site_fails_its_checks(tmp_path: Path, mongo_uri: str, mongo_database: str) -> None:
    nothing_there = f"http://127.0.0.1:{free_port()}"
    result = run_crawl(nothing_there, tmp_path, env=mongo_env(mongo_uri, mongo_database))
    assert result.returncode == 1, result.log[-3000:]
    failures = result.stats["arabpress/checks/failures"]
    assert (
        "Articles/minimum number of articles: 0 articles stored and 0 unchanged, fewer than the minimum 1" in failures
    )
    assert any(failure.startswith("Errors/error ratio: ") for failure in failures), failures
    assert "crawl FAILED checks: Articles/minimum number of articles" in last_line(result)
    [crawl] = crawl_documents(mongo_uri, mongo_database)
    assert crawl["status"] == "failed"
    assert set(failures) <= set(crawl["failed_checks"])


def test_a_failed_check_is_reported_by_its_message_alone() -> None:
    traceback = (
        'Traceback (most recent call last):\n  File "x.py", line 1\nAssertionError: 3 errors\n  for 2 requests\n'
    )
    assert failure_message(traceback) == "3 errors for 2 requests"
    assert failure_message("Traceback ...\nKeyError: 'stats'\n") == "KeyError: 'stats'"
