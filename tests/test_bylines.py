"""Authors as people, on small pages written here: each rule, in English and Arabic."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from parsel import Selector

from arabpress.extract import ArticlePage
from arabpress.offline import build_pipelines, make_crawler, process

URL = "https://www.example-news.com/2024/05/01/story/"


def page(*, byline: str | None = None, meta: Sequence[str] = (), jsonld: Any = None, url: str = URL) -> ArticlePage:
    """Write a small article page with the given author sources and read it."""
    head = "".join(f'<meta name="author" content="{name}">' for name in meta)
    if jsonld is not None:
        document = {"@type": "NewsArticle", "headline": "A story", "author": jsonld}
        head += f'<script type="application/ld+json">{json.dumps(document, ensure_ascii=False)}</script>'
    written = f'<div class="byline">{byline}</div>' if byline is not None else ""
    html = f"<html><head>{head}</head><body><article><h1>A story</h1>{written}<p>Text.</p></article></body></html>"
    return ArticlePage(Selector(text=html), url)


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("Written by Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Jane Doe and Omar", ["Jane Doe", "Omar"]),
        ("Analysis by Jane Doe, CNN Editor-at-large", ["Jane Doe"]),
        ("By TOM KRISHER, AP Auto Writer", ["TOM KRISHER"]),
        ("MEG KINNARD and ERRIN HAINES, Associated Press", ["MEG KINNARD", "ERRIN HAINES"]),
        ("Amy Kuperinsky | NJ Advance Media for NJ.com", ["Amy Kuperinsky"]),
        ("Jane Doe, Futurism", ["Jane Doe"]),
        ("Ilana Muhlstein, MS, RDN", ["Ilana Muhlstein"]),
    ],
    ids=[
        "by",
        "written by",
        "first name",
        "role after comma",
        "agency role",
        "agency after names",
        "for",
        "affiliation",
        "credentials",
    ],
)
def test_names_without_prefixes_roles_or_affiliations(byline: str, people: list[str]) -> None:
    article = page(byline=byline)
    assert (article.authors, article.author_organizations) == (people, [])


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("By Jane Doe on Nov. 19, 2019", ["Jane Doe"]),
        ("Jane Doe Updated 10:30 AM", ["Jane Doe"]),
        ("Jane Doe, 19 November 2019", ["Jane Doe"]),
        ("Jane Doe - Monday", ["Jane Doe"]),
        ("كتب: رانيا عودة - الأحد ١ فبراير ٢٠٢٦", ["رانيا عودة"]),
    ],
)
def test_dates_are_left_out(byline: str, people: list[str]) -> None:
    assert page(byline=byline).authors == people


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("بقلم: سامي ناصر", ["سامي ناصر"]),
        ("بقلم سامي ناصر", ["سامي ناصر"]),
        ("كتب: سامي ناصر", ["سامي ناصر"]),
        ("كتبت: رانيا عودة", ["رانيا عودة"]),
        ("إعداد: سامي ناصر و رانيا عودة", ["سامي ناصر", "رانيا عودة"]),
        ("سامي ناصر، رانيا عودة", ["سامي ناصر", "رانيا عودة"]),
        ("بقلم: سامي ناصر - وكالات", ["سامي ناصر"]),
        ("كتب: سامي ناصر - رويترز", ["سامي ناصر"]),
    ],
)
def test_arabic_bylines(byline: str, people: list[str]) -> None:
    article = page(byline=byline)
    assert (article.authors, article.author_organizations) == (people, [])


@pytest.mark.parametrize(
    "byline", ["AFP", "By Reuters", "The Associated Press", "أ ف ب", "وكالات", "Staff Reports", "Markets Desk"]
)
def test_an_agency_or_desk_alone_is_kept_as_an_organisation(byline: str) -> None:
    article = page(byline=byline)
    assert article.authors == [byline.removeprefix("By ")]
    assert article.author_organizations == article.authors


def test_an_agency_beside_a_person_is_left_out() -> None:
    article = page(byline="Jane Doe and AFP")
    assert (article.authors, article.author_organizations) == (["Jane Doe"], [])


def test_the_site_itself_as_byline_is_an_organisation() -> None:
    article = page(meta=["Example News"])
    assert article.author_organizations == ["Example News"]


def test_a_person_in_a_later_source_wins_over_an_organisation_in_an_earlier_one() -> None:
    # JSON-LD names the publisher as author; the byline names the reporter.
    article = page(jsonld={"@type": "Organization", "name": "Example News"}, byline="By Jane Doe")
    assert (article.authors, article.author_organizations) == (["Jane Doe"], [])
    alone = page(jsonld={"@type": "NewsMediaOrganization", "name": "Example News"})
    assert (alone.authors, alone.author_organizations) == (["Example News"], ["Example News"])


@pytest.mark.parametrize(
    "meta",
    [
        ["https://www.facebook.com/janedoe", "Jane Doe"],
        ["@janedoe", "Jane Doe"],
        ["Jane Doe @janedoe"],
        ["jane@example-news.com", "Jane Doe"],
        ["admin", "Jane Doe"],
    ],
    ids=["profile URL", "handle", "handle after the name", "e-mail", "account name"],
)
def test_urls_handles_and_account_names_are_no_authors(meta: list[str]) -> None:
    assert page(meta=meta).authors == ["Jane Doe"]


def test_names_are_deduplicated_in_page_order() -> None:
    article = page(jsonld=["Jane Doe", {"@type": "Person", "name": "John Roe"}, "JANE  DOE", "By John Roe"])
    assert article.authors == ["Jane Doe", "John Roe"]


def test_only_a_date_in_the_byline_gives_no_author() -> None:
    assert page(byline="Sa 13 Jul 2019").authors == []


def test_the_item_carries_authors_and_their_organisations_through_the_pipelines() -> None:
    item = page(byline="كتب: وكالات").to_item()
    item.update(fetched_at=None, sitemap_lastmod=None, body="نص الخبر " * 20)
    outcome = process(item, build_pipelines(make_crawler()))
    assert outcome.item is not None, outcome.reason
    assert outcome.item["authors"] == ["وكالات"]
    assert outcome.item["author_organizations"] == ["وكالات"]
