"""Real crawls of the sample site, served locally, through the whole item chain (no database)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from arabpress.local.site import SiteServer
from tests.crawl import PROJECT_ROOT, run_crawl

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected.json").read_text(encoding="utf-8"))
ORIGIN = EXPECTED["origin"]
ARTICLE_PATHS = {page["path"] for page in EXPECTED["pages"] if isinstance(page["item"], dict)}
DISALLOWED_PREFIXES = ("/wp-admin/", "/newsletter/", "/?s=")


def served_urls(server: SiteServer, paths: set[str]) -> set[str]:
    """Return *paths* as URLs of *server*."""
    return {server.origin + path for path in paths}


def requested_paths(log: Path) -> list[str]:
    """Return the paths a site server was asked for, in order."""
    return log.read_text(encoding="utf-8").splitlines()


def test_crawl_yields_exactly_the_expected_articles(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    server = serve_site(site_copy)
    result = run_crawl(server.origin, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert result.urls() == served_urls(server, ARTICLE_PATHS)
    assert len(result.items) == len(ARTICLE_PATHS)  # one document per article, AMP and tracked links included
    assert result.stats["finish_reason"] == "finished"
    # The video-only story is dropped for its missing body, and counted by reason.
    assert result.stats["item_dropped_reasons_count/MissingBody"] == 1


def test_crawl_obeys_robots_and_survives_missing_pages(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    server = serve_site(site_copy)
    log = server.request_log
    assert log is not None
    result = run_crawl(server.origin, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    paths = requested_paths(log)
    assert "/robots.txt" in paths
    assert not [path for path in paths if path.startswith(DISALLOWED_PREFIXES)]
    # Related lists link to pages that are gone: counted, and the crawl went on.
    assert result.stats["httperror/response_ignored_status_count/404"] >= 1
    # Each article page was fetched once, without its tracking parameters.
    article_requests = [path for path in paths if path in ARTICLE_PATHS or "utm_" in path]
    assert sorted(article_requests) == sorted(ARTICLE_PATHS)


def test_crawl_follows_related_links(tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]) -> None:
    # The English OPEC story is linked only from the gold story's related list.
    opec = "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"
    gold = (
        site_copy
        / "pages"
        / "2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/index.html"
    )
    server = serve_site(site_copy)
    found = run_crawl(server.origin, tmp_path / "with-link")
    assert server.origin + opec in found.urls()
    # Without that related link the story is not found at all: the list is the only way in.
    gold.write_bytes(gold.read_bytes().replace(f'<li><a href="{opec}">'.encode(), b'<li><a href="/gone/">'))
    not_found = run_crawl(server.origin, tmp_path / "without-link")
    assert not_found.returncode == 0
    assert server.origin + opec not in not_found.urls()
    assert len(not_found.urls()) == len(found.urls()) - 1


def test_depth_limit_bounds_the_crawl(tmp_path: Path, sample_site: SiteServer) -> None:
    result = run_crawl(sample_site.origin, tmp_path, settings={"DEPTH_LIMIT": "1"})
    assert result.returncode == 0, result.log[-3000:]
    urls = result.urls()
    # Depth 1: the articles the home pages link to, not those behind a related list.
    assert (
        sample_site.origin
        + "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
        in urls
    )
    assert (
        sample_site.origin + "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"
        not in urls
    )


def test_since_skips_older_articles(tmp_path: Path, sample_site: SiteServer) -> None:
    result = run_crawl(sample_site.origin, tmp_path, "-a", "since=2026-01-30")
    assert result.returncode == 0, result.log[-3000:]
    published = sorted(item["published_at"] for item in result.items)
    assert published, "some articles are newer than the cut-off"
    assert all(value >= "2026-01-30" for value in published)
    # Sitemap entries last modified before the cut-off are not fetched at all ...
    assert result.stats["arabpress/skipped/before_since"] >= 3
    # ... and an older article reached through a link is dropped on its own date.
    assert result.stats["item_dropped_reasons_count/PublishedBeforeSince"] >= 1


def test_max_articles_stops_the_crawl(tmp_path: Path, sample_site: SiteServer) -> None:
    # Four articles in, the sample's one dropped story is a quarter of them: more than the
    # drop ratio a whole crawl may have, which is not what this test is about.
    settings = {"CONCURRENT_REQUESTS": "1", "ARABPRESS_MONITOR_MAX_DROP_RATIO": "1"}
    result = run_crawl(sample_site.origin, tmp_path, "-a", "max_articles=2", settings=settings)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "max_articles"
    assert 2 <= len(result.items) < len(ARTICLE_PATHS)


def test_base_url_from_environment(tmp_path: Path, sample_site: SiteServer) -> None:
    result = run_crawl(None, tmp_path, env={"ARABPRESS_BASE_URL": sample_site.origin})
    assert result.returncode == 0, result.log[-3000:]
    assert result.urls() == served_urls(sample_site, ARTICLE_PATHS)


def test_base_url_argument_wins_over_environment(tmp_path: Path, sample_site: SiteServer) -> None:
    result = run_crawl(sample_site.origin, tmp_path, env={"ARABPRESS_BASE_URL": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.log[-3000:]
    assert result.urls() == served_urls(sample_site, ARTICLE_PATHS)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (
            ("-a", "base_url=not a url"),
            "ARABPRESS_BASE_URL must be an http(s) URL such as https://example.com, not 'not a url'",
        ),
        (("-a", "since=31/01/2026"), "since must be a date as YYYY-MM-DD, not '31/01/2026'"),
        (("-a", "max_articles=lots"), "max_articles must be a whole number, not 'lots'"),
    ],
)
def test_bad_argument_is_one_usage_error(tmp_path: Path, arguments: tuple[str, ...], error: str) -> None:
    result = run_crawl(None, tmp_path, *arguments, env={"ARABPRESS_BASE_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2
    # argparse names the program: "scrapy", or "__main__.py" under python -m scrapy.
    assert [line for line in result.log.splitlines() if line.endswith(f": error: {error}")]
    assert "Traceback" not in result.log
    assert not result.items


def test_scrapy_list_and_check_work() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=PROJECT_ROOT, capture_output=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr.decode()
    assert listed.stdout.decode().split() == ["arabpress", "reextract"]
    checked = subprocess.run(
        [sys.executable, "-m", "scrapy", "check"], cwd=PROJECT_ROOT, capture_output=True, timeout=120
    )
    assert checked.returncode == 0, checked.stderr.decode()
