"""Process each article once per crawl, and count the same body under two URLs."""

from __future__ import annotations

import hashlib
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DuplicateUrl(DropItem):
    """An article with this canonical URL was already processed in this crawl."""


def digest(text: str) -> bytes:
    """Return a compact digest of *text* (16 bytes keep memory low on large crawls)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class DuplicatesPipeline:
    """Drop repeats of a canonical URL (AMP copies, tracked links); count repeated bodies.

    Two different canonical URLs with the same body are two articles as far as the site
    says (syndicated copies, corrections re-published): both are kept, and the stat
    ``arabpress/duplicates/same_body`` tells how often it happens.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen_urls: set[bytes] = set()
        self.first_url_of_body: dict[bytes, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicatesPipeline:
        """Build the pipeline for *crawler*."""
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """Return *item* the first time its canonical URL is seen, else drop it."""
        adapter = ItemAdapter(item)
        url = str(adapter.get("url"))
        url_key = digest(url)
        if url_key in self.seen_urls:
            raise DuplicateUrl(f"already processed in this crawl: {url}")
        self.seen_urls.add(url_key)
        body_key = digest(str(adapter.get("body") or ""))
        first_url = self.first_url_of_body.setdefault(body_key, url)
        if first_url != url:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("arabpress/duplicates/same_body")
            self.crawler.spider.logger.info("same body as %s: %s", first_url, url)  # type: ignore[union-attr]
        return item
