"""The fault-handling middlewares: Retry-After on retries, undeclared encodings, binary bodies.

Unit checks of their helpers, then real crawls of a served copy of the sample site with a
responses.json override or a crafted page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from arabpress.local.site import SiteServer
from arabpress.middlewares.encoding import declared_encoding, is_binary
from arabpress.middlewares.retryafter import retry_after_seconds
from tests.crawl import run_crawl

ARTICLE = "/ar/2026/02/01/saudi-syria-riyadh-talks/"
ARTICLE_TITLE = "ولي العهد السعودي والرئيس السوري يبحثان الاستقرار وإعادة الإعمار في محادثات الرياض"
OTHER_ARTICLE = "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"


def add_json(root: Path, name: str, entries: dict[str, object]) -> None:
    """Merge *entries* into the site's JSON map *name* (responses.json, content-types.json)."""
    path = root / name
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    path.write_text(json.dumps({**current, **entries}), encoding="utf-8")


def page(root: Path, url_path: str) -> Path:
    """Return the file of the page at *url_path*."""
    return root / "pages" / url_path.strip("/") / "index.html"


def titles(items: list[dict[str, object]], origin: str) -> dict[str, object]:
    """Return {path: title} of the scraped articles."""
    return {str(item["url"]).removeprefix(origin): item["title"] for item in items}


# --- helpers ----------------------------------------------------------------------------------


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds(" 0 ", now) == 0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0


@pytest.mark.parametrize("value", [None, b"", b"soon", b"-5", b"1.5e3"])
def test_retry_after_ignores_what_it_cannot_read(value: bytes | None) -> None:
    assert retry_after_seconds(value) is None


def test_binary_is_a_nul_byte() -> None:
    assert is_binary(b"<html>\x00</html>")
    assert not is_binary("<html>مرحبا</html>".encode())


@pytest.mark.parametrize(
    ("headers", "body", "declared"),
    [
        ({"Content-Type": "text/html; charset=utf-8"}, b"<html></html>", "utf-8"),
        ({"Content-Type": "text/html"}, b'<html><head><meta charset="windows-1256">', "cp1256"),
        ({"Content-Type": "text/html"}, b"\xef\xbb\xbf<html></html>", "utf-8"),
        ({"Content-Type": "text/html"}, b"<html><head><title>x</title>", None),
    ],
)
def test_declared_encoding_looks_at_bom_header_and_meta(
    headers: dict[str, str], body: bytes, declared: str | None
) -> None:
    response = HtmlResponse("http://127.0.0.1/", headers=headers, body=body)
    assert declared_encoding(response) == declared


# --- crawls -----------------------------------------------------------------------------------


def test_undeclared_windows_1256_page_is_read_and_counted(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    file = page(site_copy, ARTICLE)
    html = file.read_text(encoding="utf-8")
    assert '<meta charset="UTF-8">' in html
    file.write_bytes(html.replace('<meta charset="UTF-8">', "").encode("cp1256", errors="xmlcharrefreplace"))
    add_json(site_copy, "content-types.json", {ARTICLE: "text/html"})
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path)

    assert result.returncode == 0, result.log[-3000:]
    assert titles(result.items, server.origin)[ARTICLE] == ARTICLE_TITLE
    assert result.stats["arabpress/encoding/detected/cp1256"] >= 1
    assert "arabpress/pages/binary" not in result.stats


def test_binary_body_served_as_html_is_counted_and_skipped(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    page(site_copy, OTHER_ARTICLE).write_bytes(bytes(range(256)) * 64)
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path)

    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["arabpress/pages/binary"] == 1
    scraped = titles(result.items, server.origin)
    assert OTHER_ARTICLE not in scraped
    assert scraped[ARTICLE] == ARTICLE_TITLE  # the rest of the site is crawled as before


def test_retry_waits_what_retry_after_asks(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    add_json(site_copy, "responses.json", {ARTICLE: {"status": 429, "headers": {"Retry-After": "2"}, "times": 1}})
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path)

    assert result.returncode == 0, result.log[-3000:]
    assert titles(result.items, server.origin)[ARTICLE] == ARTICLE_TITLE
    assert result.stats["arabpress/retry_after/delayed"] == 1
    assert result.stats["arabpress/retry_after/seconds"] == 2
    assert result.stats["elapsed_time_seconds"] >= 2
    assert "arabpress/retry_after/capped" not in result.stats


def test_retry_after_is_capped(tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]) -> None:
    add_json(site_copy, "responses.json", {ARTICLE: {"status": 503, "headers": {"Retry-After": "3600"}, "times": 1}})
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path, settings={"ARABPRESS_RETRY_AFTER_MAX_DELAY": "1"}, timeout=120)

    assert result.returncode == 0, result.log[-3000:]
    assert ARTICLE in titles(result.items, server.origin)
    assert result.stats["arabpress/retry_after/capped"] == 1
    assert result.stats["arabpress/retry_after/seconds"] == 1


def test_retry_after_off_retries_at_once(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    add_json(site_copy, "responses.json", {ARTICLE: {"status": 429, "headers": {"Retry-After": "3600"}, "times": 1}})
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path, settings={"ARABPRESS_RETRY_AFTER_MAX_DELAY": "0"}, timeout=120)

    assert result.returncode == 0, result.log[-3000:]
    assert ARTICLE in titles(result.items, server.origin)
    assert result.stats["retry/count"] >= 1
    assert not any(key.startswith("arabpress/retry_after/") for key in result.stats)


def test_download_cut_short_is_counted_and_unclosed_page_is_stored(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    # The connection drops short of the announced Content-Length: Scrapy flags the data loss.
    add_json(site_copy, "responses.json", {ARTICLE: {"cut_short": True}})
    # A whole download whose markup leaves out the optional </body></html>.
    unclosed = page(site_copy, OTHER_ARTICLE)
    unclosed.write_text(unclosed.read_text(encoding="utf-8").replace("</body>", "").replace("</html>", ""))
    server = serve_site(site_copy)

    result = run_crawl(server.origin, tmp_path, settings={"DOWNLOAD_FAIL_ON_DATALOSS": "False"})

    assert result.returncode == 0, result.log[-3000:]
    scraped = titles(result.items, server.origin)
    assert ARTICLE not in scraped
    assert result.stats["arabpress/pages/truncated"] == 1
    assert scraped[OTHER_ARTICLE].startswith("OPEC")
