"""The article item that travels from the spider through the pipelines to storage.

docs/schema.md documents every field; keep the two in step.
"""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    """One news article, as extracted and then normalized by the pipelines."""

    # Identity and language (extraction).
    url = scrapy.Field()  # canonical URL: <link rel=canonical>, else fetched URL without tracking
    fetched_url = scrapy.Field()  # the URL that was actually requested
    language = scrapy.Field()  # "en" or "ar"
    declared_language = scrapy.Field()  # the page's language tag as declared ("de-DE"), None if none

    # Text fields (extraction, then the text cleaning pipeline).
    title = scrapy.Field()
    subtitle = scrapy.Field()  # standfirst; None when the page has none
    authors = scrapy.Field()  # list[str], people in page order; the signing organisation when no person
    author_organizations = scrapy.Field()  # list[str], the names of authors that are organisations (agency, desk)
    section = scrapy.Field()
    tags = scrapy.Field()  # list[str], page order
    images = scrapy.Field()  # list[{"url": str, "caption": str | None}]
    body = scrapy.Field()  # paragraphs joined by "\n\n"
    body_source = scrapy.Field()  # which extraction layer produced the body: "theme" or "fallback"
    related_urls = scrapy.Field()  # list[str], absolute, tracking removed, first occurrence, page order

    # Dates: raw strings and where they came from (extraction) ...
    published_raw = scrapy.Field()
    published_source = scrapy.Field()  # "jsonld", "meta", "microdata", "time", "text", "fallback"
    modified_raw = scrapy.Field()
    modified_source = scrapy.Field()
    # ... and the normalized, timezone-aware UTC datetimes (date pipeline).
    published_at = scrapy.Field()
    modified_at = scrapy.Field()
    published_date = scrapy.Field()  # "YYYY-MM-DD": the day as the page states it, in its own zone
    published_precision = scrapy.Field()  # "day", "minute" or "second": how much the page states

    # Crawl context.
    fetched_at = scrapy.Field()  # aware UTC datetime: the response's Date header, else the clock
    sitemap_lastmod = scrapy.Field()  # aware UTC datetime from the sitemap, when the URL came from one

    # Computed for storage (fingerprint pipeline).
    content_hash = scrapy.Field()  # sha256 hex of the cleaned title and body
    word_count = scrapy.Field()
