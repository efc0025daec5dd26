"""The arabpress spider: navigation only.

It finds article pages through the home pages, the section listings (with their
pagination), the sitemaps named in robots.txt and, on every article, its related-article
and in-body links. What a page holds is read by arabpress.extract; what an article
becomes is decided by the item pipelines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from arabpress.extract import ArticlePage, jsonld, page_kind, with_native_classes
from arabpress.extract.affixes import SiteAffixes
from arabpress.extract.fallback import ExtractionError
from arabpress.extract.links import body_article_links, listing_links, next_page_links, section_links
from arabpress.urls import (
    amp_to_canonical,
    is_amp_url,
    is_article_url,
    is_same_site,
    strip_tracking,
    url_digest,
    url_key,
)

# Request kinds, kept in request.meta so middlewares (incremental crawls) can tell
# article fetches from navigation.
KIND_ARTICLE = "article"
KIND_LISTING = "listing"
KIND_SITEMAP = "sitemap"
KIND_META = "arabpress_kind"
LASTMOD_META = "sitemap_lastmod"

GZIP_MAGIC = b"\x1f\x8b"

# Article pages are fetched before listings so that the frontier stays small.
ARTICLE_PRIORITY = 10


class ArabPressSpider(scrapy.Spider):
    """Crawl every article of the configured Arab Press site."""

    name = "arabpress"

    def __init__(
        self,
        base_url: str | None = None,
        since: str | None = None,
        max_articles: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url_argument = base_url
        self.since: date | None = parse_since(since) if since else None
        self.max_articles_argument = int(max_articles) if max_articles not in (None, "") else None
        self.base_url = ""
        self.allowed_domains: list[str] = []  # set from the base URL in from_crawler
        self.max_articles = 0
        self.articles_scraped = 0
        self.title_affixes: SiteAffixes | None = None  # set in from_crawler
        # Digests of the article URL keys requested so far, and whether a repeat is dropped (article_requests).
        self.requested_articles: set[int] = set()
        self.drop_repeats = True

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArabPressSpider:
        """Build the spider, resolving the site address and the bounds from settings and arguments."""
        spider: ArabPressSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = normalize_base_url(spider.base_url_argument or settings.get("ARABPRESS_BASE_URL"))
        spider.allowed_domains = [urlsplit(spider.base_url).hostname or ""]
        if spider.max_articles_argument is not None:
            spider.max_articles = spider.max_articles_argument
        else:
            spider.max_articles = settings.getint("ARABPRESS_MAX_ARTICLES")
        min_pages = settings.getint("ARABPRESS_TITLE_AFFIX_MIN_PAGES")
        spider.title_affixes = SiteAffixes(min_pages=min_pages) if min_pages > 0 else None
        # A depth limit drops a link found deep and not the same link found nearer the start.
        spider.drop_repeats = settings.getint("DEPTH_LIMIT") == 0
        if spider.max_articles:
            # Only then: every receiver of item_scraped costs each article a call through the dispatcher.
            crawler.signals.connect(spider.on_item_scraped, signal=signals.item_scraped)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Start from robots.txt (for its sitemaps) and the two home pages."""
        self.logger.info("crawling %s%s", self.base_url, f" (articles since {self.since})" if self.since else "")
        yield scrapy.Request(self.base_url + "/robots.txt", callback=self.parse_robots, meta={KIND_META: KIND_SITEMAP})
        for path in ("/", "/ar/"):
            yield self.listing_request(self.base_url + path)

    # --- navigation -------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the sitemaps that robots.txt names."""
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if self.on_site(url):
                yield scrapy.Request(url, callback=self.parse_sitemap, meta={KIND_META: KIND_SITEMAP})

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow a sitemap index, or request the articles of a post sitemap."""
        body = response.body
        try:
            if body[:2] == GZIP_MAGIC:
                # Sitemaps may be served as .xml.gz files rather than with Content-Encoding.
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            sitemap = Sitemap(body)
        except Exception as error:  # gzip and lxml raise several types on broken input
            self.crawler.stats.inc_value("arabpress/sitemap/invalid")
            self.logger.warning("invalid sitemap %s: %s", response.url, error)
            return
        for entry in sitemap:
            url = entry.get("loc", "")
            if not self.on_site(url):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, meta={KIND_META: KIND_SITEMAP})
                continue
            lastmod = parse_lastmod(entry.get("lastmod"))
            if self.since and lastmod and lastmod.date() < self.since:
                # The article was last changed before the cut-off: it cannot be newer.
                self.crawler.stats.inc_value("arabpress/skipped/before_since")
                continue
            yield from self.article_requests([url], lastmod=lastmod)

    def parse_listing(self, response: TextResponse, selector: Selector) -> Iterator[scrapy.Request]:
        """Follow a listing's articles, its next pages and the section menu (*selector*: the response's page)."""
        yield from self.article_requests(listing_links(selector, response.url))
        for url in next_page_links(selector, response.url) + section_links(selector, response.url):
            if self.on_site(url):
                yield self.listing_request(url)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request | scrapy.Item]:
        """Read a page: the callback of article and listing requests, which name none.

        A request that names a spider method is serialized (Redis frontier, JOBDIR) by a
        search of all the spider's members (Scrapy's Request.to_dict), about 90 µs a request.
        """
        return self.parse_page(response)

    def parse_page(self, response: Response) -> Iterator[scrapy.Request | scrapy.Item]:
        """Yield the article of an article page and follow its related and in-body links."""
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("arabpress/pages/not_text")
            return
        # Not response.selector: Scrapy caches it on the response, and the two then refer to each
        # other, so every page's tree would wait for the cyclic garbage collector.
        selector = with_native_classes(Selector(response))
        page = ArticlePage(selector, response.url, self.title_affixes)
        try:
            kind = page_kind(selector, response.url, page)
            item = page.to_item() if kind == "article" else None
        except ExtractionError as error:
            # The generic extractor failed on this page: counted and reported, the crawl goes on.
            self.crawler.stats.inc_value("arabpress/pages/extraction_failed")
            self.logger.warning("extraction failed, page not stored: %s: %s", response.url, error)
            return
        self.crawler.stats.inc_value(f"arabpress/pages/{kind}")
        if kind == "amp":
            # An AMP copy: fetch the article it stands for, never store it twice.
            yield from self.article_requests([page.url])
            return
        if kind == "listing":
            yield from self.parse_listing(response, selector)
            return
        if item is None:
            return
        if is_truncated(response):
            # A page cut short still parses, but its body would be stored as if whole.
            self.crawler.stats.inc_value("arabpress/pages/truncated")
            self.logger.warning("truncated download (data loss), article not stored: %s", response.url)
        else:
            if jsonld.count_invalid(selector):
                # Counted, not dropped: the article comes from the other layers.
                self.crawler.stats.inc_value("arabpress/pages/invalid_jsonld")
            item["fetched_at"] = response_date(response)
            item["sitemap_lastmod"] = response.meta.get(LASTMOD_META)
            yield item
        yield from self.article_requests(page.related_urls)
        yield from self.article_requests(body_article_links(selector, response.url))

    # --- requests ---------------------------------------------------------------

    def article_requests(self, urls: Iterable[str], lastmod: datetime | None = None) -> Iterator[scrapy.Request]:
        """Request each on-site article URL once, by its URL key, without tracking parameters or AMP suffix.

        A link to an article this crawl requested already is not requested again: the
        duplicate filter would drop it (as would the incremental middleware, first), and an
        article is linked from tens of pages, each link a request to build and pass through
        every spider middleware. A sitemap's request, with its lastmod, always goes out: on
        it the incremental middleware may fetch an article it skipped from a plain link.
        With a DEPTH_LIMIT every link goes out, since the depth of each decides.
        """
        for url in urls:
            clean = strip_tracking(url)
            if is_amp_url(clean):
                clean = amp_to_canonical(clean)
            if not self.on_site(clean):
                continue
            if not is_article_url(clean):
                self.crawler.stats.inc_value("arabpress/links/not_article")
                continue
            meta: dict[str, Any] = {KIND_META: KIND_ARTICLE}
            if lastmod is not None:
                meta[LASTMOD_META] = lastmod
            try:
                key = url_key(clean)
            except ValueError as error:
                self.logger.warning("article link %s not followed: %s", clean, error)
                continue
            if self.drop_repeats:
                digest = url_digest(key)
                if lastmod is None and digest in self.requested_articles:
                    continue
                self.requested_articles.add(digest)
            yield scrapy.Request(key, meta=meta, priority=ARTICLE_PRIORITY)

    def listing_request(self, url: str) -> scrapy.Request:
        """Request a listing page (home, section, pagination)."""
        return scrapy.Request(strip_tracking(url), meta={KIND_META: KIND_LISTING})

    def on_site(self, url: str) -> bool:
        """Return True when *url* belongs to the configured site."""
        return bool(url) and is_same_site(url, self.base_url)

    def on_item_scraped(self, item: Any) -> None:
        """Stop the crawl once the maximum number of articles is stored."""
        self.articles_scraped += 1
        if self.max_articles and self.articles_scraped == self.max_articles:
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_articles"))


def check_arguments(arguments: Mapping[str, Any], settings: BaseSettings) -> None:
    """Raise ValueError, with one line to show, for a spider argument the spider would refuse."""
    normalize_base_url(arguments.get("base_url") or settings.get("ARABPRESS_BASE_URL"))
    if arguments.get("since"):
        parse_since(str(arguments["since"]))
    max_articles = arguments.get("max_articles")
    if max_articles not in (None, "") and not str(max_articles).isdigit():
        raise ValueError(f"max_articles must be a whole number, not {max_articles!r}")


def normalize_base_url(value: str | None) -> str:
    """Return the site's origin without a trailing slash, or raise ValueError."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"ARABPRESS_BASE_URL must be an http(s) URL such as https://example.com, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def parse_since(value: str) -> date:
    """Parse the ``since`` argument (YYYY-MM-DD), or raise ValueError."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since must be a date as YYYY-MM-DD, not {value!r}") from None


def parse_lastmod(value: str | None) -> datetime | None:
    """Parse a sitemap <lastmod> (W3C datetime) into an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def is_truncated(response: Response) -> bool:
    """Tell whether the download ended before the body the server announced (Scrapy's dataloss flag).

    Scrapy compares the bytes received with Content-Length (and notices a connection lost mid
    chunked body); with DOWNLOAD_FAIL_ON_DATALOSS off it hands the part over flagged
    ``dataloss``, otherwise the download fails. Markup is no evidence: many valid pages end
    without ``</html>``.
    """
    return "dataloss" in response.flags


def response_date(response: Response) -> datetime:
    """Return when the server produced *response* (its Date header), else now, in UTC."""
    header = response.headers.get(b"Date")
    if header:
        try:
            return parsedate_to_datetime(header.decode("latin-1")).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC)
