"""Every sample page through extraction and the item pipelines, against expected.json.

This is the code path of ``arabpress extract`` (arabpress.offline): what each page yields
here is what a crawl stores.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from itemadapter import ItemAdapter

from arabpress.offline import build_pipelines, extract_response, make_crawler
from tests.pages import expected_pages, load_sample_response

PAGES = expected_pages()
ARTICLES = [page for page in PAGES if isinstance(page["item"], dict)]
NOT_ARTICLES = [page for page in PAGES if not isinstance(page["item"], dict)]
LIST_FIELDS = ("authors", "tags", "images", "related_urls")
TEXT_FIELDS = ("url", "language", "title", "subtitle", "section")


def iso_z(value: datetime | None) -> str | None:
    """Format an aware datetime as the expected ISO 8601 UTC with Z."""
    if value is None:
        return None
    assert value.tzinfo is not None, "dates must be timezone-aware"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def yielded(page: dict[str, Any]) -> Any:
    """Run one sample page through a fresh chain of pipelines."""
    response = load_sample_response(page.get("fetch_path") or page["path"])
    crawler = make_crawler()
    return extract_response(response, build_pipelines(crawler)), crawler


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page["path"])
def test_article_fields(page: dict[str, Any]) -> None:
    outcome, _ = yielded(page)
    assert outcome.item is not None, outcome.reason
    item = ItemAdapter(outcome.item)
    expected = page["item"]
    for field in TEXT_FIELDS + LIST_FIELDS:
        assert item[field] == expected[field], field
    assert iso_z(item["published_at"]) == expected["published_at"]
    assert iso_z(item["modified_at"]) == expected["modified_at"]


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page["path"])
def test_article_body(page: dict[str, Any]) -> None:
    outcome, _ = yielded(page)
    assert outcome.item is not None, outcome.reason
    body = outcome.item["body"]
    expected = page["item"]
    if "body_equals" in expected:
        assert body == expected["body_equals"]
    assert body.startswith(expected["body_startswith"])
    assert body.endswith(expected["body_endswith"])
    assert len(body.split("\n\n")) == expected["body_paragraphs"]
    for unwanted in expected["body_not_contains"]:
        assert unwanted not in body, unwanted


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page["path"])
def test_article_fingerprint(page: dict[str, Any]) -> None:
    outcome, _ = yielded(page)
    assert outcome.item is not None, outcome.reason
    again, _ = yielded(page)
    assert again.item is not None
    assert outcome.item["content_hash"] == again.item["content_hash"]
    assert len(outcome.item["content_hash"]) == 64
    assert 0 < outcome.item["word_count"] <= len(outcome.item["body"].split())


def test_fingerprints_differ_between_articles() -> None:
    hashes = set()
    for page in ARTICLES:
        outcome, _ = yielded(page)
        assert outcome.item is not None
        hashes.add(outcome.item["content_hash"])
    assert len(hashes) == len(ARTICLES)


@pytest.mark.parametrize("page", NOT_ARTICLES, ids=lambda page: page["path"])
def test_pages_without_article(page: dict[str, Any]) -> None:
    outcome, _ = yielded(page)
    assert outcome.item is None
    if "drop_reason" in page:
        assert outcome.reason is not None
        assert outcome.reason.startswith(f"dropped: {page['drop_reason']}")
    elif isinstance(page["item"], str):
        canonical = page["item"].removeprefix("same as ")
        assert outcome.reason == f"not an article: AMP copy of https://www.arabpress.example{canonical}"
    else:
        assert outcome.reason is not None
        assert outcome.reason.startswith("not an article: ")
