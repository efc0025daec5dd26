"""Field coverage counts: the flat items' single pass counts what Spidermon counts."""

from __future__ import annotations

from typing import Any

import scrapy
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.extensions import Spidermon as PlainSpidermon

from arabpress.extensions.fieldcoverage import Spidermon
from arabpress.items import ArticleItem

# Values as items hold them, and the ones Spidermon's rules single out: None, falsy values of
# every type, its default skip values ("N/A", "-"), bool against int, and nested dicts.
VALUES = st.one_of(
    st.sampled_from([None, "", "N/A", "-", "n/a", 0, 0.0, False, True, 1, [], ["N/A"], {}, ("a",), b""]),
    st.text(max_size=3),
    st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.sampled_from(["url", "caption"]), st.none() | st.text(max_size=2), max_size=2),
)
FIELDS = sorted(ArticleItem.fields)
COVERAGE_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "SPIDERMON_FIELD_COVERAGE_SKIP_NONE": st.booleans(),
        "SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": st.booleans(),
        "SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": st.sampled_from([[], ["-", 0], ["N/A", False, ""]]),
        "SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": st.sampled_from([0, 1]),
    },
)
RESPONSE = HtmlResponse("https://www.arabpress.example/", body=b"<html></html>")


def counts(extension_class: type[PlainSpidermon], coverage: dict[str, Any], items: list[Any]) -> dict[str, Any]:
    """Return the field coverage counts an extension of *extension_class* makes of *items*."""
    crawler = get_crawler(scrapy.Spider, {"SPIDERMON_ENABLED": True, "SPIDERMON_ADD_FIELD_COVERAGE": True, **coverage})
    crawler.spider = crawler._create_spider("coverage")
    crawler.stats = crawler._create_stats() if crawler.stats is None else crawler.stats
    extension = extension_class.from_crawler(crawler)
    for item in items:
        extension.item_scraped(item, RESPONSE, crawler.spider)
    return crawler.stats.get_stats()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES), max_size=3), COVERAGE_SETTINGS)
def test_flat_items_are_counted_as_spidermon_counts_them(
    fields: list[dict[str, Any]], coverage: dict[str, Any]
) -> None:
    items = [ArticleItem(**values) for values in fields]
    assert counts(Spidermon, coverage, items) == counts(PlainSpidermon, coverage, items)


def test_an_article_is_counted_field_by_field() -> None:
    item = ArticleItem(url="https://www.arabpress.example/2026/01/01/x/", title="Title", subtitle=None, tags=[])
    stats = counts(Spidermon, {"SPIDERMON_FIELD_COVERAGE_SKIP_NONE": True}, [item])
    assert stats == {
        "spidermon_item_scraped_count": 1,
        "spidermon_item_scraped_count/ArticleItem": 1,
        "spidermon_item_scraped_count/ArticleItem/url": 1,
        "spidermon_item_scraped_count/ArticleItem/title": 1,
    }
