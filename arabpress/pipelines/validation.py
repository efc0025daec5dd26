"""Drop articles that lack what every stored article must have: a URL, a title, a body."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class MissingUrl(DropItem):
    """The article has no URL."""


class MissingTitle(DropItem):
    """The article has no title."""


class MissingBody(DropItem):
    """The article has no body text (a video-only story, say)."""


# Field checked, and the drop raised when it is empty, in the order they are checked.
REQUIRED_FIELDS: tuple[tuple[str, type[DropItem]], ...] = (
    ("url", MissingUrl),
    ("title", MissingTitle),
    ("body", MissingBody),
)


class ValidationPipeline:
    """Raise a DropItem subclass per missing field; Scrapy counts drops by that class."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        """Build the pipeline for *crawler*."""
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        """Return *item* when it is complete, else raise the drop for its first gap."""
        adapter = ItemAdapter(item)
        for field, drop in REQUIRED_FIELDS:
            value = adapter.get(field)
            if not (isinstance(value, str) and value.strip()):
                where = adapter.get("url") or adapter.get("fetched_url") or "(no URL)"
                raise drop(f"missing {field}: {where}")
        return item
