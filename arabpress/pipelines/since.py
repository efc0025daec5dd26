"""Drop articles published before the crawl's ``since`` date (``-a since=YYYY-MM-DD``).

The spider already skips sitemap entries last modified before that date; an article
reached through a link is fetched, and its own publication date is the final word.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class PublishedBeforeSince(DropItem):
    """The article was published before the requested ``since`` date."""


class SinceFilterPipeline:
    """Drop articles older than the spider's ``since`` date; keep undated ones."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SinceFilterPipeline:
        """Build the pipeline for *crawler*."""
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """Return *item* unless its publication date is before ``since``."""
        since: date | None = getattr(self.crawler.spider, "since", None)
        if since is None:
            return item
        adapter = ItemAdapter(item)
        published = adapter.get("published_at")
        if isinstance(published, datetime) and published.date() < since:
            raise PublishedBeforeSince(f"published {published.date()} before {since}: {adapter.get('url')}")
        return item
