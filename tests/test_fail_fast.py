"""A crawl that cannot store, or that stored nothing, says so in a few lines and a non-zero status.

(An unreachable server: tests/test_mongo_pipeline.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from arabpress.local.site import SiteServer
from tests.crawl import CrawlResult, run_crawl

PASSWORD = "s3cret-pw"


def error_lines(result: CrawlResult) -> list[str]:
    """Return the crawl's ERROR log lines."""
    return [line for line in result.log.splitlines() if " ERROR: " in line]


def assert_fails_in_one_line(result: CrawlResult, *fragments: str) -> None:
    """The crawl exited 1 before crawling, with one ERROR line holding every fragment, no traceback, no password."""
    assert result.returncode == 1, result.log[-3000:]
    errors = error_lines(result)
    assert len(errors) == 1, errors
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert "Traceback" not in result.log
    assert PASSWORD not in result.log
    assert "Spider opened" not in result.log


def test_mongodb_refusing_the_credentials_is_one_line(tmp_path: Path, sample_site: SiteServer, mongo_uri: str) -> None:
    scheme, _, rest = mongo_uri.partition("://")
    hosts = rest.rsplit("@", 1)[-1]  # any credentials of MONGO_URI are replaced by wrong ones
    env = {"MONGO_ENABLED": "1", "MONGO_URI": f"{scheme}://nobody:{PASSWORD}@{hosts}"}
    result = run_crawl(sample_site.origin, tmp_path, env=env)
    assert_fails_in_one_line(result, f"crawl not started: MongoDB at {scheme}://nobody:***@", "refused the connection")


def test_a_crawl_of_a_site_without_articles_exits_non_zero(
    tmp_path: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    root = tmp_path / "site"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "index.html").write_text(
        "<html><head><title>Arab Press</title></head><body><p>Nothing published yet.</p></body></html>",
        encoding="utf-8",
    )
    server = serve_site(root)
    result = run_crawl(server.origin, tmp_path / "crawl")
    assert result.returncode == 1, result.log[-3000:]
    assert result.stats.get("item_scraped_count", 0) == 0
    assert result.stats["arabpress/checks"] == "failed"
    assert (
        result.log.strip()
        .splitlines()[-1]
        .endswith(
            "ERROR: crawl FAILED checks: Articles/minimum number of articles: 0 articles stored and 0 unchanged,"
            " fewer than the minimum 1"
        )
    )
