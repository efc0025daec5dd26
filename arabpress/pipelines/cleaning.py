"""Clean the text fields of every article, in English and Arabic, with arabpress.text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from arabpress.text import (
    boilerplate_pattern,
    clean_list,
    clean_optional,
    clean_text,
    first_paragraph,
    join_paragraphs,
    repeats_opening,
    sift_paragraphs,
    split_paragraphs,
)

if TYPE_CHECKING:
    import re

    from scrapy.crawler import Crawler

BOILERPLATE_REMOVED_STAT = "arabpress/cleaning/boilerplate_removed"


class TextCleaningPipeline:
    """Clean title, subtitle, authors, section, tags, image captions and body; count boilerplate."""

    def __init__(self, crawler: Crawler, boilerplate: re.Pattern[str]) -> None:
        self.crawler = crawler
        self.boilerplate = boilerplate

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextCleaningPipeline:
        """Build the pipeline for *crawler*, adding ARABPRESS_CLEANING_EXTRA_BOILERPLATE to the patterns."""
        # Given as "a, b" on the command line, the patterns come with the spaces around them.
        extra = [pattern.strip() for pattern in crawler.settings.getlist("ARABPRESS_CLEANING_EXTRA_BOILERPLATE")]
        return cls(crawler, boilerplate_pattern(extra))

    def process_item(self, item: Any) -> Any:
        """Clean the text fields of *item* in place and return it; absent fields stay absent."""
        adapter = ItemAdapter(item)
        if adapter.get("title") is not None:
            adapter["title"] = clean_text(adapter["title"])
        for field in ("authors", "author_organizations", "tags"):
            if adapter.get(field) is not None:
                adapter[field] = clean_list(adapter[field])
        for field in ("subtitle", "section"):
            if field in adapter:
                adapter[field] = clean_optional(adapter[field])
        if adapter.get("images") is not None:
            adapter["images"] = [
                {**image, "caption": clean_optional(image.get("caption"))} for image in adapter["images"]
            ]
        if adapter.get("body") is not None:
            adapter["body"] = self.clean_body(adapter["body"], adapter.get("title"))
            self.drop_repeated_opening(adapter)
        return item

    def clean_body(self, body: str, title: str | None) -> str:
        """Clean a body and count the boilerplate paragraphs it lost."""
        paragraphs, boilerplate = sift_paragraphs(split_paragraphs(body), title, self.boilerplate)
        if boilerplate:
            self.crawler.stats.inc_value(BOILERPLATE_REMOVED_STAT, boilerplate)
        return join_paragraphs(paragraphs)

    @staticmethod
    def drop_repeated_opening(adapter: ItemAdapter) -> None:
        """Unset a subtitle that only repeats the body's first paragraph: it is no standfirst."""
        # The site's meta description, a fallback for the subtitle, often repeats the opening.
        subtitle, body = adapter.get("subtitle"), adapter["body"]
        if subtitle and body and repeats_opening(subtitle, first_paragraph(body)):
            adapter["subtitle"] = None
