"""The spider's navigation on saved responses: what it requests, from which page."""

from __future__ import annotations

import gc
import gzip
import weakref
from datetime import UTC, date, datetime

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from arabpress.offline import make_crawler, offline_settings
from arabpress.spiders.arabpress import (
    KIND_ARTICLE,
    KIND_META,
    LASTMOD_META,
    ArabPressSpider,
    normalize_base_url,
    parse_lastmod,
    parse_since,
)
from tests.pages import PAGES, load_sample_response

ORIGIN = "https://www.arabpress.example"
AVIATION = (
    "/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025-and-sets-sights-on-further-growth-in-2026/"
)


@pytest.fixture
def spider() -> ArabPressSpider:
    crawler = make_crawler()
    assert isinstance(crawler.spider, ArabPressSpider)
    return crawler.spider


def requests_of(results: object) -> list[scrapy.Request]:
    """Keep the requests among a callback's results."""
    return [result for result in results if isinstance(result, scrapy.Request)]  # type: ignore[attr-defined]


def sitemap_response(name: str, *, compress: bool = False) -> XmlResponse:
    body = (PAGES / name).read_bytes()
    if compress:
        body = gzip.compress(body)
    return XmlResponse(f"{ORIGIN}/{name}{'.gz' if compress else ''}", body=body)


def test_robots_names_the_sitemap_index(spider: ArabPressSpider) -> None:
    response = TextResponse(f"{ORIGIN}/robots.txt", body=(PAGES / "robots.txt").read_bytes())
    assert [request.url for request in spider.parse_robots(response)] == [f"{ORIGIN}/sitemap_index.xml"]


def test_sitemap_index_leads_to_post_sitemaps(spider: ArabPressSpider) -> None:
    urls = [request.url for request in spider.parse_sitemap(sitemap_response("sitemap_index.xml"))]
    assert urls == [f"{ORIGIN}/post-sitemap.xml", f"{ORIGIN}/ar/post-sitemap.xml"]


@pytest.mark.parametrize("compress", [False, True])
def test_post_sitemap_requests_articles_with_lastmod(spider: ArabPressSpider, compress: bool) -> None:
    requests = list(spider.parse_sitemap(sitemap_response("post-sitemap.xml", compress=compress)))
    assert len(requests) == 4
    first = requests[0]
    assert first.url == f"{ORIGIN}/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/"
    assert first.meta[KIND_META] == KIND_ARTICLE
    assert first.meta[LASTMOD_META] == datetime(2022, 8, 26, 13, 45, tzinfo=UTC)


def test_since_skips_sitemap_entries_before_it(spider: ArabPressSpider) -> None:
    spider.since = date(2026, 1, 25)
    urls = [request.url for request in spider.parse_sitemap(sitemap_response("post-sitemap.xml"))]
    assert urls == [
        f"{ORIGIN}/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025-and-sets-sights-on-further-growth-in-2026/",
        f"{ORIGIN}/2026/01/30/u-s-central-command-announces-regional-air-exercise-as-iran-unveils-drone-carrier-footage/",
    ]


def test_broken_sitemap_is_counted_not_raised(spider: ArabPressSpider) -> None:
    broken = XmlResponse(f"{ORIGIN}/post-sitemap.xml.gz", body=b"\x1f\x8b not really gzip")
    assert list(spider.parse_sitemap(broken)) == []
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arabpress/sitemap/invalid") == 1


def test_article_yields_item_then_related_requests(spider: ArabPressSpider) -> None:
    response = load_sample_response(
        "/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025-and-sets-sights-on-further-growth-in-2026/"
    )
    lastmod = datetime(2026, 1, 29, 6, 0, tzinfo=UTC)
    response.request = scrapy.Request(response.url, meta={LASTMOD_META: lastmod})
    results = list(spider.parse_page(response))
    items = [result for result in results if not isinstance(result, scrapy.Request)]
    assert len(items) == 1
    assert items[0]["sitemap_lastmod"] == lastmod
    assert items[0]["fetched_at"].tzinfo is not None
    urls = [request.url for request in requests_of(results)]
    # Tracking parameters are gone before the request is made: one request per article.
    assert (
        f"{ORIGIN}/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
        in urls
    )
    assert not [url for url in urls if "utm_" in url]


def test_amp_copy_requests_its_article_and_yields_nothing(spider: ArabPressSpider) -> None:
    path = AVIATION.rstrip("/")
    results = list(spider.parse_page(load_sample_response(path + "/amp/")))
    assert [type(result) for result in results] == [scrapy.Request]
    assert results[0].url == ORIGIN + path + "/"


def test_listing_follows_articles_pages_and_sections_only_on_site(spider: ArabPressSpider) -> None:
    results = requests_of(spider.parse_page(load_sample_response("/category/middle-east/")))
    urls = {request.url for request in results}
    assert f"{ORIGIN}/category/middle-east/page/2/" in urls
    assert f"{ORIGIN}/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/" in urls
    assert all(url.startswith(ORIGIN) for url in urls)


def test_an_article_is_requested_once_unless_a_sitemap_gives_its_lastmod(spider: ArabPressSpider) -> None:
    listing = {
        request.url for request in requests_of(spider.parse_page(load_sample_response("/category/middle-east/")))
    }
    article = f"{ORIGIN}/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/"
    assert article in listing
    # The listing again, and the same link with tracking: no article request the second time.
    again = requests_of(spider.parse_page(load_sample_response("/category/middle-east/")))
    assert [request.url for request in again if request.meta.get(KIND_META) == KIND_ARTICLE] == []
    assert list(spider.article_requests([article + "?utm_source=x"])) == []
    # The sitemap's request carries its lastmod, for the incremental middleware to decide on.
    from_sitemap = [request.url for request in spider.parse_sitemap(sitemap_response("post-sitemap.xml"))]
    assert article in from_sitemap


def test_page_requests_go_to_parse_which_reads_the_page(spider: ArabPressSpider) -> None:
    requests = requests_of(spider.parse(load_sample_response("/category/middle-east/")))
    assert requests
    # No callback named: a queue (Redis, JOBDIR) serializes them without searching the spider.
    assert {request.callback for request in requests} == {None}
    article = load_sample_response(AVIATION)
    article.request = scrapy.Request(article.url)
    assert [type(out).__name__ for out in spider.parse(article)][:1] == ["ArticleItem"]


def test_with_a_depth_limit_every_link_is_requested() -> None:
    settings = offline_settings()
    settings.set("DEPTH_LIMIT", 3)
    spider = make_crawler(settings).spider
    assert isinstance(spider, ArabPressSpider)
    article = f"{ORIGIN}/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/"
    assert len(list(spider.article_requests([article]))) == 1
    assert len(list(spider.article_requests([article]))) == 1


def test_static_page_yields_nothing(spider: ArabPressSpider) -> None:
    assert list(spider.parse_page(load_sample_response("/about/"))) == []


def test_non_html_response_is_counted(spider: ArabPressSpider) -> None:
    binary = scrapy.http.Response(f"{ORIGIN}/2026/01/01/x/", body=b"\x00\x01")
    assert list(spider.parse_page(binary)) == []
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arabpress/pages/not_text") == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("https://example.com/", "https://example.com"), ("http://127.0.0.1:8123", "http://127.0.0.1:8123")],
)
def test_normalize_base_url(value: str, expected: str) -> None:
    assert normalize_base_url(value) == expected


@pytest.mark.parametrize("value", ["", "example.com", "ftp://example.com", None])
def test_bad_base_url_is_refused(value: str | None) -> None:
    with pytest.raises(ValueError, match="ARABPRESS_BASE_URL must be an http"):
        normalize_base_url(value)


def test_since_argument() -> None:
    assert parse_since("2026-01-31") == date(2026, 1, 31)
    with pytest.raises(ValueError, match="since must be a date as YYYY-MM-DD"):
        parse_since("31/01/2026")


def test_lastmod_parsing() -> None:
    assert parse_lastmod("2026-02-02T07:30:00+00:00") == datetime(2026, 2, 2, 7, 30, tzinfo=UTC)
    assert parse_lastmod("2026-02-02") == datetime(2026, 2, 2, tzinfo=UTC)
    assert parse_lastmod("yesterday") is None
    assert parse_lastmod(None) is None


def test_truncated_article_is_counted_not_stored(spider: ArabPressSpider) -> None:
    whole = load_sample_response(AVIATION)
    # What Scrapy hands over when the connection ends before Content-Length (DOWNLOAD_FAIL_ON_DATALOSS off).
    cut = whole.replace(body=whole.body[: len(whole.body) * 2 // 3], flags=["dataloss"])
    cut.request = scrapy.Request(cut.url)
    results = list(spider.parse_page(cut))
    assert all(isinstance(result, scrapy.Request) for result in results)
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arabpress/pages/truncated") == 1
    # The whole page does yield its article.
    whole.request = scrapy.Request(whole.url)
    assert [result for result in spider.parse_page(whole) if not isinstance(result, scrapy.Request)]


def test_page_without_closing_html_tag_is_stored(spider: ArabPressSpider) -> None:
    whole = load_sample_response(AVIATION)
    # A complete download whose markup simply omits the optional end tags.
    unclosed = whole.replace(body=whole.body.replace(b"</body>", b"").replace(b"</html>", b""))
    unclosed.request = scrapy.Request(unclosed.url)
    items = [result for result in spider.parse_page(unclosed) if not isinstance(result, scrapy.Request)]
    assert len(items) == 1
    assert items[0]["body"] == load_item_body(spider, whole)
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arabpress/pages/truncated") is None


def load_item_body(spider: ArabPressSpider, response: HtmlResponse) -> str:
    """Return the body of the article the spider yields for *response*."""
    response.request = scrapy.Request(response.url)
    items = [result for result in spider.parse_page(response) if not isinstance(result, scrapy.Request)]
    body: str = items[0]["body"]
    return body


def test_invalid_json_ld_is_counted_and_the_article_kept(spider: ArabPressSpider) -> None:
    whole = load_sample_response(AVIATION)
    broken = whole.replace(body=whole.body.replace(b'"@type": "NewsArticle",', b'"@type": "NewsArticle",,', 1))
    broken.request = scrapy.Request(broken.url)
    items = [result for result in spider.parse_page(broken) if not isinstance(result, scrapy.Request)]
    assert len(items) == 1
    assert items[0]["title"].startswith("Saudi Aviation Records Historic Passenger Traffic")
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("arabpress/pages/invalid_jsonld") == 1
    # A page whose JSON-LD parses is not counted.
    whole.request = scrapy.Request(whole.url)
    list(spider.parse_page(whole))
    assert spider.crawler.stats.get_value("arabpress/pages/invalid_jsonld") == 1


@pytest.mark.parametrize("path", [AVIATION, "/category/middle-east/"])
def test_a_page_read_is_freed_without_the_cyclic_garbage_collector(spider: ArabPressSpider, path: str) -> None:
    # Scrapy's response.selector refers to its response, which caches it: a cycle that would
    # keep every page's tree until a full collection (about 100 MB more at 2,000 pages).
    response = load_sample_response(path)
    response.request = scrapy.Request(response.url)
    results = list(spider.parse_page(response))
    assert results
    freed = weakref.ref(response)
    gc.disable()
    try:
        del response, results
        assert freed() is None
    finally:
        gc.enable()
