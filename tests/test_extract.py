"""Article extraction on the saved sample pages: every field, every layer alone, the fallback, page kinds, links."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from parsel import Selector

from arabpress.extract import ArticlePage, DateField, page_kind
from arabpress.extract.links import body_article_links, listing_links, next_page_links, section_links
from tests.pages import PRODUCTION_ORIGIN, expected_pages, load_sample_response

AVIATION = (
    "/2026/01/28/saudi-aviation-records-historic-passenger-traffic-in-2025-and-sets-sights-on-further-growth-in-2026/"
)
SYRIA = "/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/"
GOLD = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
OPEC = "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"
TALKS = "/ar/2026/02/01/saudi-syria-riyadh-talks/"
VIDEO = "/2026/01/30/u-s-central-command-announces-regional-air-exercise-as-iran-unveils-drone-carrier-footage/"

PAGES = expected_pages()
ARTICLES = [page for page in PAGES if isinstance(page["item"], dict)]
COPIES = [page for page in PAGES if isinstance(page["item"], str)]
NOT_STORED = [page for page in PAGES if page["item"] is None]
EXPECTED = {page["path"]: page["item"] for page in ARTICLES}
FIELDS = ("url", "language", "title", "subtitle", "authors", "section", "tags", "images", "related_urls")

JSONLD_SCRIPT = re.compile(r'<script type="application/ld\+json">.*?</script>', re.DOTALL)
META_TAG = re.compile(r"<meta (?:property|name)=\"(?:og|article|author)[^>]*>")
# What the text cleaning pipeline removes or replaces before the body is stored.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200e\u200f\u2060\ufeff\u0640"))


def ids(pages: list[dict[str, Any]]) -> list[str]:
    """Name parametrized cases after the page path."""
    return [page["path"] for page in pages]


def cleaned(body: str) -> str:
    """Fold the body the way cleaning will: NBSP to space, invisible marks and tatweel removed."""
    paragraphs = (" ".join(p.replace("\u00a0", " ").translate(INVISIBLE).split()) for p in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def fetched(page: dict[str, Any]) -> str:
    """Return the path (with query) a page was first reached at."""
    return str(page.get("fetch_path") or page["path"])


def page_at(path: str) -> ArticlePage:
    """Read a saved page as an article."""
    response = load_sample_response(path)
    return ArticlePage(response.selector, response.url)


def edited(path: str, *edits: tuple[str | re.Pattern[str], str]) -> ArticlePage:
    """Read a saved page after textual edits to its HTML (a changed theme, a broken plugin...)."""
    html = load_sample_response(path).text
    for old, new in edits:
        # Replacements are literal text (JSON-LD holds backslashes).
        html = old.sub(new.replace("\\", "\\\\"), html) if isinstance(old, re.Pattern) else html.replace(old, new)
    return ArticlePage(Selector(text=html), PRODUCTION_ORIGIN + path)


# --- every sample page ----------------------------------------------------------------


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
@pytest.mark.parametrize("field", FIELDS)
def test_article_field(page: dict[str, Any], field: str) -> None:
    item = page_at(fetched(page)).to_item()
    assert item[field] == page["item"][field]


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_article_page_kind(page: dict[str, Any]) -> None:
    response = load_sample_response(fetched(page))
    assert page_kind(response.selector, response.url) == "article"
    assert page_kind(response.selector) == "article"


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_article_body_structure(page: dict[str, Any]) -> None:
    expected = page["item"]
    article = page_at(fetched(page))
    body = cleaned(article.body)
    assert article.body_source == "theme"
    assert len(article.body_paragraphs) == expected.get("body_paragraphs", len(body.split("\n\n")))
    assert len(body.split("\n\n")) == len(article.body_paragraphs)
    if "body_equals" in expected:
        assert body == expected["body_equals"]
    assert body.startswith(expected["body_startswith"])
    assert body.endswith(expected["body_endswith"])
    for unwanted in expected["body_not_contains"]:
        assert unwanted not in body


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_raw_body_holds_no_page_furniture(page: dict[str, Any]) -> None:
    raw = page_at(fetched(page)).body
    # Invisible marks, NBSP and tatweel are the cleaning pipeline's to remove; furniture must be gone already.
    visible = [text for text in page["item"]["body_not_contains"] if cleaned(text) == text and text.strip()]
    for unwanted in [*visible, "Read more", "اقرأ أيضا", "dataLayer", "margin:", "Share on", "Advertisement"]:
        assert unwanted not in raw
    assert "\n\n\n" not in raw
    assert all(paragraph == paragraph.strip(" ") and "  " not in paragraph for paragraph in raw.split("\n\n"))


@pytest.mark.parametrize("page", ARTICLES, ids=ids(ARTICLES))
def test_article_dates_are_found(page: dict[str, Any]) -> None:
    item = page_at(fetched(page)).to_item()
    assert (item["published_raw"] is not None) == (page["item"]["published_at"] is not None)
    assert (item["modified_raw"] is not None) == (page["item"]["modified_at"] is not None)


@pytest.mark.parametrize("page", NOT_STORED, ids=ids(NOT_STORED))
def test_pages_without_an_article(page: dict[str, Any]) -> None:
    response = load_sample_response(fetched(page))
    kind = page_kind(response.selector, response.url)
    if "drop_reason" in page:
        # An article the validation pipeline drops: the spider must still yield it.
        assert kind == "article"
        assert ArticlePage(response.selector, response.url).body == ""
    else:
        # The sample's only static page is /about/; every other page without an article is a listing.
        assert kind == ("page" if page["path"] == "/about/" else "listing")


@pytest.mark.parametrize("page", COPIES, ids=ids(COPIES))
def test_amp_copy_names_its_article(page: dict[str, Any]) -> None:
    response = load_sample_response(fetched(page))
    article_path = page["item"].removeprefix("same as ")
    assert page_kind(response.selector, response.url) == "amp"
    assert ArticlePage(response.selector, response.url).url == PRODUCTION_ORIGIN + article_path


def test_amp_copy_reads_like_its_article() -> None:
    amp, article = page_at(AVIATION + "amp/"), page_at(AVIATION)
    assert amp.body == article.body
    assert (amp.title, amp.subtitle, amp.authors) == (article.title, article.subtitle, article.authors)


def test_error_page() -> None:
    response = load_sample_response("/no/such/page/")
    assert response.status == 404
    assert page_kind(response.selector, response.url) == "error"


def test_windows_1256_page_decodes_from_its_meta_tag() -> None:
    response = load_sample_response("/ar/2026/01/31/opec-plus-output-steady/")
    assert response.headers.get(b"Content-Type") == b"text/html"
    path = "/ar/2026/01/31/opec-plus-output-steady/"
    assert page_at(path).title == EXPECTED[path]["title"]


def test_urls_follow_the_serving_origin() -> None:
    origin = "http://127.0.0.1:8123"
    response = load_sample_response(SYRIA, origin=origin)
    item = ArticlePage(response.selector, response.url).to_item()
    expected = next(page["item"] for page in PAGES if page["path"] == SYRIA)
    assert item["url"] == expected["url"].replace(PRODUCTION_ORIGIN, origin)
    assert item["related_urls"] == [url.replace(PRODUCTION_ORIGIN, origin) for url in expected["related_urls"]]
    assert item["fetched_url"] == origin + SYRIA


def test_item_leaves_pipeline_fields_unset() -> None:
    item = page_at(AVIATION).to_item()
    for field in ("published_at", "modified_at", "fetched_at", "sitemap_lastmod", "content_hash", "word_count"):
        assert field not in item
    assert item["fetched_url"] == PRODUCTION_ORIGIN + AVIATION


# --- dates: raw strings and their sources ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "published", "modified"),
    [
        (SYRIA, ("2022-08-26T14:10:00+03:00", "jsonld"), ("2022-08-26T16:45:00+03:00", "jsonld")),
        (GOLD, ("2026-01-24T18:05:00Z", "time"), (None, None)),
        (OPEC, ("2026-01-31T12:00:00Z", "microdata"), (None, None)),
        ("/ar/2026/01/31/opec-plus-output-steady/", ("2026-01-31T12:00:00+00:00", "meta"), (None, None)),
        (TALKS, ("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م", "text"), (None, None)),
    ],
)
def test_date_sources(path: str, published: tuple[str | None, str | None], modified: tuple[str, str]) -> None:
    item = page_at(path).to_item()
    assert (item["published_raw"], item["published_source"]) == published
    assert (item["modified_raw"], item["modified_source"]) == modified


def test_masthead_date_is_never_the_article_date() -> None:
    empty_posted_on = ('<div class="entry-meta">', '<div class="entry-meta"><span class="posted-on"></span>')
    without_dates = edited(SYRIA, (JSONLD_SCRIPT, ""), empty_posted_on)
    # Only the permalink's /2022/08/26/ is left, never the masthead's 2 February 2026.
    assert without_dates.published == DateField("2022-08-26", "fallback")
    assert without_dates.modified is None


# --- each layer alone ---------------------------------------------------------------


def test_jsonld_inside_graph() -> None:
    article = page_at(SYRIA)
    assert article.jsonld is not None
    assert article.section == "Middle East"
    assert article.tags == ["Iran", "Syria", "United States"]


def test_jsonld_in_a_top_level_list_with_references_and_organizations() -> None:
    document = [
        {"@type": "WebSite", "@id": "#site", "name": "Arab Press"},
        {"@type": "Person", "@id": "#sami", "name": "Sami Nasser"},
        {
            "@type": ["ReportageNewsArticle"],
            "headline": "A list-wrapped headline – Arab Press",
            "author": [{"@id": "#sami"}, "By Rania Odeh", {"@type": "Organization", "name": "Arab Press"}],
            "articleSection": ["World", "Gulf"],
            "keywords": "oil, OPEC ,  , markets",
            "image": ["/wp-content/uploads/a.jpg", {"@type": "ImageObject", "contentUrl": "https://cdn.example/b.jpg"}],
            "datePublished": "2026-01-28T16:15:00+03:00",
            "inLanguage": "ar",
        },
    ]
    script = f'<script type="application/ld+json">{json.dumps(document)}</script>'
    article = edited(AVIATION, (JSONLD_SCRIPT, script), (META_TAG, ""))
    assert article.title == "A list-wrapped headline"
    assert article.authors == ["Sami Nasser", "Rania Odeh"]
    assert article.section == "World"
    assert article.tags == ["oil", "OPEC", "markets"]
    assert [image["url"] for image in article.images] == [
        f"{PRODUCTION_ORIGIN}/wp-content/uploads/a.jpg",
        "https://cdn.example/b.jpg",
        f"{PRODUCTION_ORIGIN}/wp-content/uploads/2026/01/jeddah-terminal.jpg",
    ]
    assert article.published == ("2026-01-28T16:15:00+03:00", "jsonld")


def test_invalid_jsonld_is_skipped() -> None:
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Broken",</script>'
    article = edited(SYRIA, (JSONLD_SCRIPT, broken))
    item = article.to_item()
    assert article.jsonld is None
    assert item["title"] == "What is behind US clashes with ‘Iran-backed’ fighters in Syria?"
    # The page states its date only in the JSON-LD: the permalink's /2022/08/26/ is what is left.
    assert (item["published_raw"], item["published_source"]) == ("2022-08-26", "fallback")
    assert item["section"] == "Middle East"  # from the theme's category link
    assert item["tags"] == ["Iran", "Syria", "United States"]


def test_meta_tags_alone() -> None:
    # The aviation page without JSON-LD and with the theme's markup renamed away.
    article = edited(
        AVIATION,
        (JSONLD_SCRIPT, ""),
        ("entry-", "x-"),
        ("byline", "x-byline"),
        ("cat-links", "x-cats"),
        ("tags-links", "x-tags"),
        ("<time", "<span"),
        ('<meta property="og:site_name"', '<meta name="author" content="Sami Nasser" /><meta property="og:site_name"'),
    )
    item = article.to_item()
    assert item["title"] == EXPECTED[AVIATION]["title"]
    assert item["authors"] == ["Sami Nasser"]
    assert item["section"] == "Economy"
    assert item["tags"] == ["Aviation", "Riyadh Air", "Saudi Arabia"]
    assert (item["published_raw"], item["published_source"]) == ("2026-01-28T16:15:00+03:00", "meta")
    assert (item["modified_raw"], item["modified_source"]) == ("2026-01-29T09:00:00+03:00", "meta")
    # Without the theme's standfirst, og:description (not the body's opening) is the subtitle.
    assert item["subtitle"] is not None and item["subtitle"].startswith("Airports across the kingdom")


def test_theme_alone() -> None:
    article = edited(AVIATION, (JSONLD_SCRIPT, ""), (META_TAG, ""))
    item = article.to_item()
    assert item["title"] == EXPECTED[AVIATION]["title"]
    assert item["authors"] == ["Sami Nasser", "Rania Odeh"]
    assert item["section"] == "Economy"
    assert item["tags"] == ["Aviation", "Riyadh Air", "Saudi Arabia"]
    assert (item["published_raw"], item["published_source"]) == ("2026-01-28T16:15:00+03:00", "time")
    assert (item["modified_raw"], item["modified_source"]) == ("2026-01-29T09:00:00+03:00", "time")
    assert item["language"] == "en"


def test_title_from_html_title_without_site_name() -> None:
    article = edited(OPEC, (re.compile(r"<h1[^>]*>.*?</h1>"), ""), ('itemprop="headline"', ""))
    assert article.title == "OPEC+ Holds Oil Output Steady Amid Member Tensions and Market Oversupply"


def test_description_repeating_the_opening_is_no_subtitle() -> None:
    gold = page_at(GOLD)
    assert gold.subtitle is None
    # The same description, once it says something the body does not open with, is the standfirst.
    changed = edited(GOLD, ('og:description" content="Gold prices', 'og:description" content="Bullion prices'))
    assert changed.subtitle is not None and changed.subtitle.startswith("Bullion prices rose")
    # A WordPress excerpt running into the second paragraph is still the body's opening.
    first, second = (cleaned(paragraph) for paragraph in gold.body_paragraphs[:2])
    excerpt = f"{first} {second[:20]} [&hellip;]"
    excerpted = edited(GOLD, (re.compile(r'og:description" content="[^"]*"'), f'og:description" content="{excerpt}"'))
    assert excerpted.subtitle is None


def test_images_merge_structured_sources_with_the_figure_caption() -> None:
    images = page_at(SYRIA).images
    assert len(images) == 1
    assert images[0]["caption"] == EXPECTED[SYRIA]["images"][0]["caption"]
    assert images[0]["caption"] is not None


def test_language_by_script_without_declarations() -> None:
    article = edited(TALKS, ('<html lang="ar" dir="rtl">', "<html>"))
    assert article.language == "ar"
    english = edited(GOLD, ('<html lang="en-US" dir="ltr">', "<html>"))
    assert english.language == "en"


def test_related_list_keeps_first_occurrence_and_gone_pages() -> None:
    related = page_at(SYRIA).related_urls
    assert len(related) == len(set(related))
    assert f"{PRODUCTION_ORIGIN}{VIDEO}" in related
    assert not any("utm_" in url or "#" in url for url in related)


def test_cut_short_structured_headline_gives_way_to_the_full_one() -> None:
    cut = '"headline": "What is behind US clashes with \u2018Iran-backed\u2019 fighters\u2026"'
    article = edited(SYRIA, (re.compile(r'"headline": "[^"]*"'), cut), (META_TAG, ""))
    assert article.title == EXPECTED[SYRIA]["title"]


def test_article_inside_a_web_page_main_entity() -> None:
    document = {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Nested", "author": "Sami"}}
    script = f'<script type="application/ld+json">{json.dumps(document)}</script>'
    article = edited(SYRIA, (JSONLD_SCRIPT, script))
    assert (article.title, article.authors) == ("Nested", ["Sami"])


def test_canonical_naming_a_listing_is_ignored_on_an_article_page() -> None:
    article = edited(OPEC, (f'href="{PRODUCTION_ORIGIN}{OPEC}"', f'href="{PRODUCTION_ORIGIN}/"'))
    assert article.url == PRODUCTION_ORIGIN + OPEC


def test_amp_copy_without_canonical_names_its_article() -> None:
    html = load_sample_response(AVIATION + "amp/").text
    html = re.sub(r'<link rel="canonical"[^>]*>', "", html)
    article = ArticlePage(Selector(text=html), f"{PRODUCTION_ORIGIN}{AVIATION}amp/?utm_source=x")
    assert article.url == PRODUCTION_ORIGIN + AVIATION


def test_body_paragraph_rules() -> None:
    extra = (
        '<div class="wp-caption"><img src="/a.jpg" /><p class="wp-caption-text">Old-style caption</p></div>'
        "<ul><li>First point</li><li>Second <em>point</em></li></ul>"
        "<blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote>"
        '<blockquote class="twitter-tweet"><p>Embedded post</p></blockquote>'
        '<p><strong>اقرأ أيضاً:</strong> <a href="/ar/2026/02/01/saudi-syria-riyadh-talks/">محادثات</a></p>'
        "<div>Loose text <a href='/x/'>with a link</a><br>and a second line</div>"
        "<h3>A subheading</h3><p><!-- note --></p>"
    )
    article = edited(OPEC, ("<p>Brent crude", extra + "<p>Brent crude"))
    assert article.body_paragraphs[1:9] == [
        "First point",
        "Second point",
        "Quoted one. Quoted two.",
        "Loose text with a link",
        "and a second line",
        "A subheading",
        "Brent crude slipped after the decision as traders expect supply to exceed demand in the coming months.",
        "The group said it would keep monitoring the market and could adjust its policy if needed.",
    ]
    assert article.images == [{"url": f"{PRODUCTION_ORIGIN}/a.jpg", "caption": "Old-style caption"}]


# --- a changed theme --------------------------------------------------------------------


def test_fallback_body_when_the_theme_markup_is_gone() -> None:
    article = edited(AVIATION, (JSONLD_SCRIPT, ""), ("entry-content", "post-body-x"))
    original = page_at(AVIATION).body_paragraphs
    assert article.body_source == "fallback"
    assert article.body_paragraphs[0] == original[0]
    assert article.body_paragraphs[-1] == original[-1]
    assert "Read more" not in article.body
    assert "Travellers at the new terminal" not in article.body


def test_fallback_keeps_arabic_articles() -> None:
    article = edited(TALKS, ("entry-content", "story-text"))
    original = cleaned(page_at(TALKS).body).split("\n\n")
    body = cleaned(article.body)
    assert article.body_source == "fallback"
    assert body.startswith(original[0])
    assert body.endswith(original[-1])


def test_changed_theme_still_yields_articles() -> None:
    renamed = (
        ('class="single single-post"', 'class="layout-b"'),
        ("type-post", "kind-story"),
        ("entry-content", "story-text"),
    )
    with_og_type = edited(GOLD, *renamed)
    assert page_kind(with_og_type.selector) == "article"
    with_jsonld_only = edited(SYRIA, *renamed, (META_TAG, ""))
    assert page_kind(with_jsonld_only.selector) == "article"
    bare = edited(SYRIA, *renamed, (META_TAG, ""), (JSONLD_SCRIPT, ""), ('<link rel="canonical"', '<link rel="x"'))
    assert page_kind(bare.selector) == "unknown"
    assert page_kind(bare.selector, PRODUCTION_ORIGIN + SYRIA) == "article"
    assert page_kind(bare.selector, PRODUCTION_ORIGIN + "/about/") == "unknown"


def test_changed_theme_listing() -> None:
    listing = load_sample_response("/").text.replace('class="archive category"', 'class="layout-b"')
    assert page_kind(Selector(text=listing)) == "listing"
    # Teasers marked up like posts do not make a listing an article.
    assert page_kind(Selector(text=listing.replace('class="teaser"', 'class="post type-post"'))) == "listing"
    as_article_list = json.dumps({"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "headline": "x"}]})
    with_item_list = listing.replace("</head>", f'<script type="application/ld+json">{as_article_list}</script></head>')
    assert page_kind(Selector(text=with_item_list)) == "listing"


# --- link discovery -------------------------------------------------------------------------


def test_listing_links() -> None:
    response = load_sample_response("/")
    assert listing_links(response.selector, response.url) == [
        f"{PRODUCTION_ORIGIN}{SYRIA}",
        f"{PRODUCTION_ORIGIN}{AVIATION}",
        f"{PRODUCTION_ORIGIN}{GOLD}",
        f"{PRODUCTION_ORIGIN}{VIDEO}",
    ]


def test_next_page_links() -> None:
    first = load_sample_response("/category/middle-east/")
    assert next_page_links(first.selector, first.url) == [f"{PRODUCTION_ORIGIN}/category/middle-east/page/2/"]
    last = load_sample_response("/category/middle-east/page/2/")
    assert next_page_links(last.selector, last.url) == []


def test_section_links() -> None:
    response = load_sample_response(SYRIA)
    links = section_links(response.selector, response.url)
    assert f"{PRODUCTION_ORIGIN}/category/middle-east/" in links
    assert f"{PRODUCTION_ORIGIN}/ar/" in links
    assert f"{PRODUCTION_ORIGIN}/about/" not in links
    assert not any("twitter.com" in link or "/tag/" in link for link in links)
    arabic = load_sample_response(TALKS)
    assert f"{PRODUCTION_ORIGIN}/ar/category/saudi-arabia/" in section_links(arabic.selector, arabic.url)


def test_body_article_links() -> None:
    response = load_sample_response(AVIATION)
    assert body_article_links(response.selector, response.url) == [f"{PRODUCTION_ORIGIN}{SYRIA}"]
    gold = load_sample_response(GOLD)
    assert body_article_links(gold.selector, gold.url) == [f"{PRODUCTION_ORIGIN}{AVIATION}"]
