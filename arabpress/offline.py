"""Turn one saved page into the article the crawl would store, without the engine.

``arabpress extract`` and the tests use this: the same page kind check and extraction as
the spider, then the project's item pipelines in their configured order, minus storage.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.selector import Selector
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from arabpress.extract import ArticlePage, page_kind, with_native_classes
from arabpress.extract.fallback import ExtractionError
from arabpress.items import ArticleItem
from arabpress.spiders.arabpress import ArabPressSpider, response_date

# What a page that is no article is, in words.
PAGE_KIND_REASONS = {
    "listing": "listing page",
    "page": "static page",
    "error": "error page",
    "amp": "AMP copy of another page",
    "forum": "forum thread",
    "search": "search page",
    "unknown": "no article found",
}
# More replacement characters than this share of the text means the bytes are not text
# in the encoding the page declares (or that could be detected).
MAX_REPLACEMENT_SHARE = 0.01


@dataclass
class Outcome:
    """The article a page yields, or why it yields none (``label``: the reason without page specifics)."""

    item: ArticleItem | None
    reason: str | None = None
    label: str | None = None


def offline_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Return the project settings with storage switched off."""
    settings = get_project_settings().copy()
    settings.set("MONGO_ENABLED", False, priority="cmdline")
    # Nothing here runs asynchronously: no reactor is needed, nor installed.
    settings.set("TWISTED_REACTOR_ENABLED", False, priority="cmdline")
    settings.set("TELNETCONSOLE_ENABLED", False, priority="cmdline")
    # The project's extensions watch whole crawls (records, checks, progress): none runs here.
    settings.set("EXTENSIONS", {}, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def build_pipelines(crawler: Crawler) -> list[Any]:
    """Instantiate the enabled item pipelines of *crawler*'s settings, in order."""
    pipelines = []
    for path in build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES")):
        try:
            pipelines.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured:
            continue
    return pipelines


def make_crawler(settings: Settings | None = None) -> Crawler:
    """Return a crawler with the arabpress spider attached, for running pipelines by hand."""
    crawler = get_crawler(ArabPressSpider, settings_dict=(settings or offline_settings()).copy_to_dict())
    crawler.spider = ArabPressSpider.from_crawler(crawler, base_url="https://www.arabpress.example")
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return crawler


def process(item: ArticleItem, pipelines: list[Any]) -> Outcome:
    """Run *item* through *pipelines*; a drop becomes the outcome's reason."""
    current: Any = item
    for pipeline in pipelines:
        try:
            current = pipeline.process_item(current)
        except DropItem as drop:
            # Labelled by class, as Scrapy's item_dropped_reasons_count stats are.
            return Outcome(None, f"dropped: {drop}", f"dropped: {type(drop).__name__}")
        if inspect.isawaitable(current):
            raise TypeError(f"{type(pipeline).__name__}.process_item is asynchronous; run it in a crawl")
    return Outcome(current)


def extract_response(
    response: HtmlResponse,
    pipelines: list[Any],
    fetched_at: datetime | None = None,
    sitemap_lastmod: datetime | None = None,
    selector: Selector | None = None,
) -> Outcome:
    """Return what *response* yields once extracted and through *pipelines*.

    *fetched_at* and *sitemap_lastmod* are the crawl context of a stored page; a page fetched
    now has its Date header and no sitemap. *selector* is the response's parsed page, if the
    caller made one (else ``response.selector``).
    """
    selector = with_native_classes(selector if selector is not None else response.selector)
    page = ArticlePage(selector, response.url)
    try:
        kind = page_kind(selector, response.url, page)
        if kind != "article":
            label = f"not an article: {PAGE_KIND_REASONS.get(kind, kind)}"
            if kind == "amp":
                return Outcome(None, f"not an article: AMP copy of {page.url}", label)
            return Outcome(None, label, label)
        item = page.to_item()
    except ExtractionError as error:
        return Outcome(None, f"extraction failed: {error}", "extraction failed")
    item["fetched_at"] = fetched_at or response_date(response)
    item["sitemap_lastmod"] = sitemap_lastmod
    return process(item, pipelines)


def html_problem(response: HtmlResponse) -> str | None:
    """Return what makes *response* no decodable HTML ("is not HTML (binary data)"...), else None."""
    if b"\x00" in response.body[:4096]:
        return "is not HTML (binary data)"
    text = response.text
    if text.count("\ufffd") > max(3, len(text) * MAX_REPLACEMENT_SHARE):
        return f"has undecodable bytes for encoding {response.encoding}"
    # lxml's parser always makes <html>, <head> and <body>: two levels are all there is to look at.
    if not response.selector.root.xpath("boolean(/html/head/* | /html/body/*)"):
        return "is not HTML (no elements found)"
    return None


def json_value(value: Any) -> str:
    """Serialize datetimes as ISO 8601 UTC with Z."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot serialize {type(value).__name__}")
