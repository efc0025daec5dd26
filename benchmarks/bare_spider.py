"""The ceiling of a crawl: a bare Scrapy spider that follows the site's links and yields nothing.

It fetches what the arabpress spider fetches (robots.txt, the sitemaps, the home pages,
the section listings with their pagination, every article through listings, sitemaps,
related lists and in-body links) with one XPath per page and no extraction, so that benchmarks/run.py can
compare the real spider against what Scrapy alone costs on the same site. Run it with::

    scrapy runspider benchmarks/bare_spider.py -a base_url=http://127.0.0.1:PORT
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

# The theme's permalinks, and its home, section and pagination listings (both editions).
ARTICLE_PATH = re.compile(r"^/(?:ar/)?\d{4}/\d{2}/\d{2}/[^/]+/$")
LISTING_PATH = re.compile(r"^/(?:ar/)?(?:category/[^/]+/)?(?:page/\d+/)?$")
# Listings: every link (teasers, pagination, the section menu). Articles: the related lists
# and the body's links, as the arabpress spider follows them.
LISTING_LINKS = "//a/@href | //link[@rel='next']/@href"
ARTICLE_LINKS = "//*[contains(@class, 'related') or contains(@class, 'entry-content')]//a/@href"
# As in the arabpress spider: articles first, so the frontier stays small.
ARTICLE_PRIORITY = 10


class BareSpider(scrapy.Spider):
    """Follow articles and listings; parse nothing else."""

    name = "bare"

    def __init__(self, base_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        # Articles requested so far: as the arabpress spider does, a repeat link builds no request.
        self.requested: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Start from robots.txt (for its sitemaps) and the two home pages."""
        yield scrapy.Request(self.base_url + "/robots.txt", callback=self.parse_robots)
        for path in ("/", "/ar/"):
            yield scrapy.Request(self.base_url + path)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the sitemaps robots.txt names."""
        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            yield scrapy.Request(url, callback=self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow a sitemap index's sitemaps, or a post sitemap's articles."""
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(entry["loc"], callback=self.parse_sitemap)
            else:
                self.requested.add(entry["loc"])
                yield scrapy.Request(entry["loc"], priority=ARTICLE_PRIORITY)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        """Follow the on-site article and listing links of a listing, or of an article's related lists and body."""
        if not isinstance(response, TextResponse):
            return
        on_article = ARTICLE_PATH.match(urlsplit(response.url).path) is not None
        # As the arabpress spider does: a Selector of its own, not response.selector, which the
        # response caches and which refers to it (a cycle left to the garbage collector).
        for href in Selector(response).xpath(ARTICLE_LINKS if on_article else LISTING_LINKS).getall():
            url = response.urljoin(href)
            parts = urlsplit(url)
            if parts.netloc != self.host:
                continue
            clean = f"{parts.scheme}://{parts.netloc}{parts.path}"
            if ARTICLE_PATH.match(parts.path):
                if clean not in self.requested:
                    self.requested.add(clean)
                    yield scrapy.Request(clean, priority=ARTICLE_PRIORITY)
            elif LISTING_PATH.match(parts.path):
                yield scrapy.Request(clean)
