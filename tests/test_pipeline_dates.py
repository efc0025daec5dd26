"""The date pipeline: item fields, the reference date, settings and stats."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from arabpress import defaults
from arabpress.items import ArticleItem
from arabpress.pipelines.dates import DateNormalizationPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

TESTS = Path(__file__).parent
PAGES = TESTS.parent / "arabpress" / "sample_site" / "pages"
EXPECTED = json.loads((TESTS / "data" / "expected.json").read_text(encoding="utf-8"))
# The day the sample site was served (its masthead): Monday 2 February 2026.
FETCHED_AT = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)

# What the pages carry, per article path: (source, raw) of the published and modified dates.
SAMPLE_DATES: dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]] = {
    "/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/": (
        ("jsonld", "2022-08-26T14:10:00+03:00"),
        ("jsonld", "2022-08-26T16:45:00+03:00"),
    ),
    (
        "/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025"
        "-and-sets-sights-on-further-growth-in-2026/"
    ): (
        ("jsonld", "2026-01-28T16:15:00+03:00"),
        ("jsonld", "2026-01-29T09:00:00+03:00"),
    ),
    "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/": (
        ("time", "2026-01-24T18:05:00Z"),
        None,
    ),
    "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/": (
        ("microdata", "2026-01-31T12:00:00Z"),
        None,
    ),
    "/ar/2026/02/01/saudi-syria-riyadh-talks/": (("text", "الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م"), None),
    "/ar/2026/02/02/saudi-property-market-foreign-buyers/": (
        ("text", "الاثنين 14 شعبان 1447هـ الموافق 2 شباط/فبراير 2026 - 10:30"),
        None,
    ),
    "/ar/2026/01/31/opec-plus-output-steady/": (("meta", "2026-01-31T12:00:00+00:00"), None),
}


def project_settings(**overrides: Any) -> dict[str, Any]:
    """Return the project's default settings with *overrides*."""
    return {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()} | overrides


def make_pipeline(**overrides: Any) -> tuple[DateNormalizationPipeline, Crawler]:
    """Build the pipeline the way Scrapy does, from a crawler with project settings."""
    crawler = get_crawler(settings_dict=project_settings(**overrides))
    return DateNormalizationPipeline.from_crawler(crawler), crawler


def stat(crawler: Crawler, name: str) -> Any:
    """Return one arabpress/dates stat of *crawler*."""
    return crawler.stats.get_value(f"arabpress/dates/{name}") if crawler.stats else None


def article(**fields: Any) -> ArticleItem:
    """Return an article item fetched at FETCHED_AT with *fields*."""
    return ArticleItem(url="https://www.arabpress.example/x/", fetched_at=FETCHED_AT, **fields)


def test_sets_both_dates_and_keeps_the_raw_strings() -> None:
    pipeline, crawler = make_pipeline()
    item = article(
        published_raw="2026-01-28T16:15:00+03:00",
        published_source="jsonld",
        modified_raw="الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م",
        modified_source="text",
    )
    result = pipeline.process_item(item)
    assert result is item
    assert item["published_at"] == datetime(2026, 1, 28, 13, 15, tzinfo=UTC)
    assert item["modified_at"] == datetime(2026, 2, 1, 18, 45, tzinfo=UTC)
    assert item["published_raw"] == "2026-01-28T16:15:00+03:00"
    assert item["published_source"] == "jsonld"
    assert item["modified_raw"] == "الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م"
    assert item["modified_source"] == "text"
    assert stat(crawler, "iso") == 1
    assert stat(crawler, "dateparser") == 1


def test_works_on_plain_dicts() -> None:
    pipeline, _ = make_pipeline()
    item: dict[str, Any] = {"url": "https://www.arabpress.example/x/", "published_raw": "Jan 24, 2026"}
    item |= {"published_source": "text", "fetched_at": FETCHED_AT}
    pipeline.process_item(item)
    assert item["published_at"] == datetime(2026, 1, 23, 21, 0, tzinfo=UTC)
    assert item["modified_at"] is None


def test_relative_dates_count_from_fetched_at() -> None:
    pipeline, _ = make_pipeline()
    fetched_at = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)
    item = ArticleItem(published_raw="منذ 3 ساعات", published_source="text", fetched_at=fetched_at)
    pipeline.process_item(item)
    assert item["published_at"] == fetched_at - timedelta(hours=3)


def test_without_fetched_at_the_clock_is_the_reference() -> None:
    pipeline, _ = make_pipeline()
    item = ArticleItem(published_raw="2 hours ago", published_source="text")
    before = datetime.now(UTC)
    pipeline.process_item(item)
    after = datetime.now(UTC)
    # dateparser may drop the clock's microseconds: a second of slack below.
    assert before - timedelta(hours=2, seconds=1) <= item["published_at"] <= after - timedelta(hours=2)


def test_missing_dates_are_kept_as_none_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    pipeline, crawler = make_pipeline()
    item = article()
    with caplog.at_level(logging.WARNING):
        assert pipeline.process_item(item) is item
    assert item["published_at"] is None
    assert item["modified_at"] is None
    assert stat(crawler, "missing/published_at") == 1
    assert stat(crawler, "missing/modified_at") == 1
    assert stat(crawler, "iso") is None
    assert stat(crawler, "dateparser") is None
    assert not caplog.records


@pytest.mark.parametrize(
    ("raw", "source", "problem_stat"),
    [
        ("2026-03-01T09:00:00Z", "jsonld", "rejected/future"),
        ("1 مارس 2026", "text", "rejected/future"),
        ("1989-06-04T09:00:00Z", "jsonld", "rejected/too_old"),
        ("June 4, 1989", "text", "rejected/too_old"),
        ("sometime last spring-ish", "text", "unparsable"),
    ],
)
def test_unusable_dates_become_none_counted_and_logged_once(
    caplog: pytest.LogCaptureFixture, raw: str, source: str, problem_stat: str
) -> None:
    pipeline, crawler = make_pipeline()
    item = article(published_raw=raw, published_source=source)
    with caplog.at_level(logging.WARNING, logger="arabpress"):
        assert pipeline.process_item(item) is item
    assert item["published_at"] is None
    assert item["published_raw"] == raw
    assert stat(crawler, problem_stat) == 1
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "https://www.arabpress.example/x/" in warnings[0]
    assert "published_at" in warnings[0]


def test_stats_add_up_over_items() -> None:
    pipeline, crawler = make_pipeline()
    for raw, source in [("2026-01-24T18:05:00Z", "time"), ("not iso", "meta"), ("2030-01-01", "jsonld")]:
        pipeline.process_item(article(published_raw=raw, published_source=source))
    assert stat(crawler, "iso") == 2  # the valid one and the future one
    assert stat(crawler, "dateparser") == 1  # the meta string that is not ISO
    assert stat(crawler, "unparsable") == 1
    assert stat(crawler, "rejected/future") == 1
    assert stat(crawler, "missing/modified_at") == 3


def test_settings_configure_the_normalizer() -> None:
    pipeline, crawler = make_pipeline(
        ARABPRESS_TIMEZONE="Africa/Cairo",
        ARABPRESS_DATES_FUTURE_TOLERANCE=str(60 * 24 * 3600),
        ARABPRESS_DATES_MIN_YEAR="1980",
    )
    soon = article(published_raw="2026-03-01T12:00:00", published_source="meta", modified_raw="1985-05-05T10:00:00")
    soon["modified_source"] = "meta"
    pipeline.process_item(soon)
    assert soon["published_at"] == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)  # Cairo is UTC+2 in March
    assert soon["modified_at"] == datetime(1985, 5, 5, 7, 0, tzinfo=UTC)  # and UTC+3 in summer 1985
    assert stat(crawler, "rejected/future") is None
    assert stat(crawler, "rejected/too_old") is None


def test_switched_off_by_setting() -> None:
    crawler = get_crawler(settings_dict=project_settings(ARABPRESS_DATES_ENABLED=False))
    with pytest.raises(NotConfigured):
        DateNormalizationPipeline.from_crawler(crawler)


def expected_articles() -> list[dict[str, Any]]:
    """Return the pages of expected.json that yield an article of their own."""
    return [page for page in EXPECTED["pages"] if isinstance(page["item"], dict)]


def test_sample_dates_cover_every_expected_article() -> None:
    assert {page["path"] for page in expected_articles()} == set(SAMPLE_DATES)


@pytest.mark.parametrize("page", expected_articles(), ids=lambda page: page["path"])
def test_expected_dates_of_the_sample_site(page: dict[str, Any]) -> None:
    path = page["path"]
    response = HtmlResponse(url=EXPECTED["origin"] + path, body=(PAGES / path.strip("/") / "index.html").read_bytes())
    published, modified = SAMPLE_DATES[path]
    item = ArticleItem(url=response.url, fetched_at=FETCHED_AT)
    for prefix, found in (("published", published), ("modified", modified)):
        if found is not None:
            source, raw = found
            assert raw in response.text, f"{raw!r} is not on {path}"
            item[f"{prefix}_source"], item[f"{prefix}_raw"] = source, raw
    pipeline, _ = make_pipeline()
    pipeline.process_item(item)
    for field in ("published_at", "modified_at"):
        expected = page["item"][field]
        assert item[field] == (None if expected is None else datetime.fromisoformat(expected)), field


@pytest.mark.parametrize(
    ("raw", "source", "day", "precision"),
    [
        ("2020-09-24", "jsonld", "2020-09-24", "day"),  # midnight in Riyadh is the 23rd in UTC
        ("2023-11-03T22:28:35-05:00", "meta", "2023-11-03", "second"),
        ("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م", "text", "2026-02-01", "minute"),
        ("2021-03-04", "fallback", "2021-03-04", "day"),
    ],
)
def test_sets_the_published_day_as_stated_and_its_precision(raw: str, source: str, day: str, precision: str) -> None:
    pipeline, _ = make_pipeline()
    item = article(published_raw=raw, published_source=source, modified_raw="2026-01-01", modified_source="jsonld")
    pipeline.process_item(item)
    assert (item["published_date"], item["published_precision"]) == (day, precision)
    assert item["published_at"] is not None


def test_unusable_published_dates_have_no_day() -> None:
    pipeline, _ = make_pipeline()
    item = article(published_raw="2030-01-01", published_source="jsonld", modified_raw="2026-01-05")
    item["modified_source"] = "jsonld"
    pipeline.process_item(item)
    assert (item["published_date"], item["published_precision"]) == (None, None)
    assert item["modified_at"] is not None


def test_visible_dates_follow_the_declared_language_order() -> None:
    pipeline, _ = make_pipeline()
    german = article(published_raw="01-11-2023", published_source="text", declared_language="de-DE")
    english = article(published_raw="01-11-2023", published_source="text", declared_language="en-US")
    pipeline.process_item(german)
    pipeline.process_item(english)
    assert german["published_date"] == "2023-11-01"
    assert english["published_date"] == "2023-01-11"
