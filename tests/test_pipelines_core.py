"""Validation, the since filter, duplicates and fingerprints, one pipeline at a time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from arabpress.items import ArticleItem
from arabpress.offline import build_pipelines, make_crawler, process
from arabpress.pipelines.duplicates import DuplicatesPipeline, DuplicateUrl
from arabpress.pipelines.fingerprint import FingerprintPipeline, content_hash, word_count
from arabpress.pipelines.since import PublishedBeforeSince, SinceFilterPipeline
from arabpress.pipelines.validation import MissingBody, MissingTitle, MissingUrl, ValidationPipeline


def article(**fields: Any) -> ArticleItem:
    """Return a complete article, with *fields* replacing the defaults."""
    values: dict[str, Any] = {
        "url": "https://www.arabpress.example/2026/01/01/story/",
        "title": "A story",
        "body": "First paragraph.\n\nSecond paragraph.",
        "published_at": datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
    }
    values.update(fields)
    return ArticleItem(**values)


@pytest.fixture
def crawler() -> Crawler:
    return make_crawler()


@pytest.mark.parametrize(
    ("field", "empty", "drop"),
    [
        ("url", None, MissingUrl),
        ("title", "", MissingTitle),
        ("title", "   ", MissingTitle),
        ("body", "", MissingBody),
        ("body", None, MissingBody),
    ],
)
def test_validation_drops_by_reason(crawler: Crawler, field: str, empty: Any, drop: type[DropItem]) -> None:
    pipeline = ValidationPipeline.from_crawler(crawler)
    with pytest.raises(drop) as raised:
        pipeline.process_item(article(**{field: empty}))
    assert str(raised.value).startswith(f"missing {field}: ")


def test_validation_names_the_url_once(crawler: Crawler) -> None:
    with pytest.raises(MissingBody) as raised:
        ValidationPipeline.from_crawler(crawler).process_item(article(body=""))
    assert str(raised.value) == "missing body: https://www.arabpress.example/2026/01/01/story/"


def test_validation_keeps_an_undated_article(crawler: Crawler) -> None:
    item = article(published_at=None)
    assert ValidationPipeline.from_crawler(crawler).process_item(item) is item


def test_since_filter_drops_only_older_articles(crawler: Crawler) -> None:
    assert crawler.spider is not None
    crawler.spider.since = date(2026, 1, 15)  # type: ignore[attr-defined]
    pipeline = SinceFilterPipeline.from_crawler(crawler)
    with pytest.raises(PublishedBeforeSince):
        pipeline.process_item(article(published_at=datetime(2026, 1, 14, 23, 59, tzinfo=UTC)))
    kept = article(published_at=datetime(2026, 1, 15, 0, 0, tzinfo=UTC))
    assert pipeline.process_item(kept) is kept
    undated = article(published_at=None)
    assert pipeline.process_item(undated) is undated


def test_since_filter_is_idle_without_since(crawler: Crawler) -> None:
    old = article(published_at=datetime(1999, 1, 1, tzinfo=UTC))
    assert SinceFilterPipeline.from_crawler(crawler).process_item(old) is old


def test_duplicate_url_is_processed_once(crawler: Crawler) -> None:
    pipeline = DuplicatesPipeline.from_crawler(crawler)
    pipeline.process_item(article())
    with pytest.raises(DuplicateUrl):
        pipeline.process_item(article(title="The AMP copy"))


def test_same_body_under_two_urls_is_counted_and_kept(crawler: Crawler) -> None:
    pipeline = DuplicatesPipeline.from_crawler(crawler)
    first = pipeline.process_item(article())
    second = pipeline.process_item(article(url="https://www.arabpress.example/2026/01/02/copy/"))
    assert first["url"] != second["url"]
    assert crawler.stats is not None
    assert crawler.stats.get_value("arabpress/duplicates/same_body") == 1


def test_fingerprint_follows_title_and_body() -> None:
    base = content_hash("Title", "Body text.")
    assert base == content_hash("Title", "Body text.")
    assert base != content_hash("Title", "Body text!")
    assert base != content_hash("Other title", "Body text.")
    # The separator keeps title and body apart: moving a word across them changes the hash.
    assert content_hash("A b", "c") != content_hash("A", "b c")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("", 0),
        ("One two three.", 3),
        ("Iran-backed fighters — again", 3),
        ("قررت مجموعة أوبك+ الإبقاء", 4),
        ("8 percent\n\nup 2.5%", 4),
    ],
)
def test_word_count(body: str, words: int) -> None:
    assert word_count(body) == words


# Characters of each kind, in Windows-1256 (counted by the byte table) and outside it (the
# word-by-word count of the lines that hold one): letters, digits, marks, signs and spaces.
WORD_COUNT_PIECES = [
    *("a", "Z", "7", "_", "é", "ب", "ـ", "پ", "\u064b", "\u200c", "-", "«", "…", "’", "—", "،", "؟", "x-y,", "—»"),
    *("١", "ж", "中", "\U0001f600", "\u0301", "\u2460", "²"),
    *(" ", "  ", "\n", "\n\n", "\t", "\r", "\x1c", "\x85", "\u00a0", "\u2003", "\u202f", "\u3000"),
]


@settings(max_examples=1000)
@given(st.one_of(st.text(), st.lists(st.sampled_from(WORD_COUNT_PIECES)).map("".join)))
def test_word_count_counts_the_space_separated_runs_holding_a_letter_or_digit(body: str) -> None:
    # The definition: each run of non-spaces counted once from its first word character.
    assert word_count(body) == len(re.findall(r"\w\S*", body))


def test_fingerprint_pipeline_sets_both_fields() -> None:
    item = FingerprintPipeline().process_item(article())
    assert item["content_hash"] == content_hash("A story", "First paragraph.\n\nSecond paragraph.")
    assert item["word_count"] == 4


def test_project_chain_drops_duplicates_across_items(crawler: Crawler) -> None:
    pipelines = build_pipelines(crawler)
    first = process(
        article(published_at=None, published_raw="2026-01-01T09:00:00Z", published_source="jsonld"), pipelines
    )
    assert first.item is not None
    again = process(article(published_at=None), pipelines)
    assert again.item is None
    assert again.reason == "dropped: already processed in this crawl: https://www.arabpress.example/2026/01/01/story/"
