"""The text cleaning pipeline on items built from the sample pages, and its boilerplate stat."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from scrapy.utils.test import get_crawler

from arabpress.items import ArticleItem
from arabpress.pipelines.cleaning import BOILERPLATE_REMOVED_STAT, TextCleaningPipeline
from tests.test_text import ARTICLES, GOLD, SYRIA_AR, raw_body, saved_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import HtmlResponse

SYRIA_EN = "/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/"
AVIATION = (
    "/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025-and-sets-sights-on-further-growth-in-2026/"
)

# Boilerplate blocks in each page's .entry-content, counted by reading the saved HTML.
BOILERPLATE_BLOCKS = {
    GOLD: 3,  # the share bar, the ad label and the "Read more:" line
    AVIATION: 1,  # the "Read more:" line
    SYRIA_EN: 1,  # the ad label
    SYRIA_AR: 0,
}


def texts(response: HtmlResponse, query: str) -> list[str]:
    """Return the raw string value of every node a CSS query selects."""
    return [node.xpath("string()").get(default="") for node in response.css(query)]


def raw_item(response: HtmlResponse) -> dict[str, Any]:
    """Build an uncleaned item from a saved page, as the theme extraction reads it."""
    subtitles = (
        texts(response, ".entry-subtitle") or response.css('meta[property="og:description"]::attr(content)').getall()
    )
    figures = response.css("article figure")
    return {
        "url": response.url,
        "title": texts(response, "h1.entry-title")[0],
        "subtitle": subtitles[0] if subtitles else None,
        "authors": texts(response, ".byline a"),
        "section": texts(response, 'a[rel~="category"]')[0],
        "tags": texts(response, 'a[rel="tag"]'),
        "images": [
            {"url": f.css("img::attr(src)").get(), "caption": f.css("figcaption").xpath("string()").get()}
            for f in figures
        ],
        "body": raw_body(response),
    }


@pytest.fixture
def crawler() -> Crawler:
    """A crawler with the project's default cleaning settings."""
    return get_crawler()


def clean(crawler: Crawler, item: Any) -> Any:
    """Run one item through a pipeline built for *crawler*."""
    return TextCleaningPipeline.from_crawler(crawler).process_item(item)


@pytest.mark.parametrize("path", list(BOILERPLATE_BLOCKS), ids=["gold", "aviation", "syria-en", "syria-ar"])
def test_sample_page_item_is_cleaned_as_expected(crawler: Crawler, path: str) -> None:
    expected = ARTICLES[path]
    item = clean(crawler, raw_item(saved_page(path)))
    for field in ("title", "subtitle", "authors", "section", "tags"):
        assert item[field] == expected[field], field
    assert [image["caption"] for image in item["images"]] == [image["caption"] for image in expected["images"]]
    assert item["body"].startswith(expected["body_startswith"])
    assert item["body"].endswith(expected["body_endswith"])
    assert len(item["body"].split("\n\n")) == expected["body_paragraphs"]
    assert item["body"] == expected.get("body_equals", item["body"])
    assert crawler.stats.get_value(BOILERPLATE_REMOVED_STAT) == (BOILERPLATE_BLOCKS[path] or None)


def test_stat_adds_up_over_items(crawler: Crawler) -> None:
    pipeline = TextCleaningPipeline.from_crawler(crawler)
    for path in (GOLD, AVIATION, SYRIA_AR):
        pipeline.process_item(raw_item(saved_page(path)))
    assert crawler.stats.get_value(BOILERPLATE_REMOVED_STAT) == 4


def test_scrapy_item_is_cleaned_and_unset_fields_stay_unset(crawler: Crawler) -> None:
    item = ArticleItem(title="  Gold\u00a0Jumps ", body="Gold Jumps\n\nGold prices rose\u200b.\n\nAdvertisement")
    cleaned = clean(crawler, item)
    assert cleaned is item
    assert dict(cleaned) == {"title": "Gold Jumps", "body": "Gold prices rose."}


def test_subtitle_that_repeats_the_opening_is_dropped_and_a_standfirst_kept(crawler: Crawler) -> None:
    body = "بحث ولي العهد السعودي مع الرئيس السوري في الرياض.\n\nوذكرت وكالة الأنباء الرسمية."
    repeat = clean(crawler, {"title": "محادثات الرياض", "subtitle": "بحث ولي العهد الســعودي مع…", "body": body})
    standfirst = clean(
        crawler, {"title": "محادثات الرياض", "subtitle": "المباحثات تناولت دعم مؤسسات الدولة", "body": body}
    )
    assert repeat["subtitle"] is None
    assert standfirst["subtitle"] == "المباحثات تناولت دعم مؤسسات الدولة"


@pytest.mark.parametrize("blank", ["", " \u00a0", "\u200f"])
def test_blank_optional_fields_become_none(crawler: Crawler, blank: str) -> None:
    item = clean(
        crawler, {"subtitle": blank, "section": blank, "images": [{"url": "https://x/a.jpg", "caption": blank}]}
    )
    assert item == {"subtitle": None, "section": None, "images": [{"url": "https://x/a.jpg", "caption": None}]}


def test_body_of_only_boilerplate_cleans_to_empty_and_is_counted(crawler: Crawler) -> None:
    item = clean(crawler, {"title": "X", "body": "Newsletter\n\nاشترك\n\n0:00\n\nClose\n\n\u00a0"})
    assert item["body"] == ""
    assert crawler.stats.get_value(BOILERPLATE_REMOVED_STAT) == 4


@pytest.mark.parametrize(
    "extra",
    [[r"Follow us on \w+", "تابعونا على .*"], r"Follow us on \w+, تابعونا على .*"],
    ids=["list", "comma-separated"],
)
def test_extra_boilerplate_setting_extends_the_patterns(extra: list[str] | str) -> None:
    crawler = get_crawler(settings_dict={"ARABPRESS_CLEANING_EXTRA_BOILERPLATE": extra})
    body = "Follow us on Telegram\n\nGold prices rose.\n\nتابعونا على تيليغرام\n\nShare this"
    item = clean(crawler, {"body": body})
    assert item["body"] == "Gold prices rose."
    assert crawler.stats.get_value(BOILERPLATE_REMOVED_STAT) == 3


def test_invalid_extra_boilerplate_pattern_fails_at_start() -> None:
    crawler = get_crawler(settings_dict={"ARABPRESS_CLEANING_EXTRA_BOILERPLATE": ["(unclosed"]})
    with pytest.raises(re.error, match="missing \\)"):
        TextCleaningPipeline.from_crawler(crawler)
