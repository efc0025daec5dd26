"""Extraction rules for pages nobody here wrote: page kinds from evidence, the generic body, body furniture.

Every page is a small one written in the test.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree
from parsel import Selector
from scrapy.http import HtmlResponse

from arabpress.extract import ArticlePage, evidence, page_kind
from arabpress.extract.body import body_paragraphs, is_dateline, share_bars
from arabpress.extract.dom import css
from arabpress.extract.fallback import ExtractionError, document_paragraphs, fallback_paragraphs
from arabpress.offline import build_pipelines, extract_response, make_crawler

STORY = (
    "The council voted on Tuesday to rebuild the old harbour wall, which storms broke twice last winter. "
    "Fishermen said the work could not wait another season, and the mayor promised money from the port fund."
)
SECOND = "Engineers will start in March. The stone will come from the quarry that built the first wall in 1890."


def page(body: str, head: str = "<title>Council votes to rebuild the harbour wall - Town News</title>") -> str:
    """Return a whole HTML page with *head* and *body*."""
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def story_page(extra_body: str = "", headline: str = "Council votes to rebuild the harbour wall") -> str:
    """An article page that declares nothing: no JSON-LD, no og:type, no <article>, no theme classes."""
    return page(
        f'<div id="top"><a href="/">Town News</a></div><div class="main"><h1>{headline}</h1>'
        f'<div class="text"><p>{STORY}</p><p>{SECOND}</p>{extra_body}</div></div><div id="foot">Contact</div>'
    )


def kind(html: str, url: str | None) -> str:
    """Return the kind of a page written here, fetched from *url*."""
    return page_kind(Selector(text=html), url)


# --- page kinds from evidence -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/2019/11/18/council-harbour-wall/",
        "https://news.example/local/council-votes-to-rebuild-harbour-wall",
        "https://news.example/news/view.php?idx=8576",
        "https://news.example/article/3834/1",
        "https://news.example/local/harbour-wall.html",
    ],
)
def test_undeclared_story_at_a_permalink_is_an_article(url: str) -> None:
    assert kind(story_page(), url) == "article"


def test_the_same_story_elsewhere_is_no_article() -> None:
    # A page's own name is no permalink (an about page), and no address says nothing.
    assert kind(story_page(), "https://news.example/about/") == "unknown"
    assert kind(story_page(), None) == "unknown"


def test_a_permalink_needs_a_body() -> None:
    short = page("<h1>Council votes to rebuild the harbour wall</h1><p>Photo gallery.</p>")
    assert kind(short, "https://news.example/local/council-votes-to-rebuild-harbour-wall") == "unknown"


def test_a_permalink_needs_a_headline_or_a_date() -> None:
    url = "https://news.example/local/council-votes-to-rebuild-harbour-wall"
    untitled = story_page(headline="Town News").replace(
        "<title>Council votes to rebuild the harbour wall - ", "<title>"
    )
    assert kind(untitled, url) == "unknown"
    dated = untitled.replace("<h1>Town News</h1>", "<h1>Town News</h1><span>18 November 2019</span>")
    assert kind(dated, url) == "article"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/", "listing"),
        ("https://news.example/tag/harbour/", "listing"),
        ("https://news.example/local/page/2/", "listing"),
        ("https://news.example/?s=harbour", "search"),
        ("https://news.example/search/harbour-wall-vote", "search"),
    ],
)
def test_listings_and_searches_stay_refused(url: str, expected: str) -> None:
    assert kind(story_page(), url) == expected


def test_forum_threads_stay_refused() -> None:
    url = "https://talk.example/t/council-votes-to-rebuild-the-harbour-wall/123"
    posting = json.dumps({"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "x"})
    with_markup = story_page().replace("</title>", f'</title><script type="application/ld+json">{posting}</script>')
    assert kind(with_markup, url) == "forum"
    assert kind(story_page(), "https://talk.example/forum/viewtopic.php?t=8576") == "forum"
    assert kind(story_page().replace("<body>", '<body class="bbpress">'), url) == "forum"
    assert kind(story_page(), url) == "article"


def test_refusals_keep_their_reasons() -> None:
    pipelines = build_pipelines(make_crawler())

    def reason(url: str) -> str | None:
        return extract_response(HtmlResponse(url, body=story_page().encode()), pipelines).reason

    assert reason("https://news.example/?q=harbour") == "not an article: search page"
    assert reason("https://news.example/forum/harbour-wall-thread-12345") == "not an article: forum thread"
    assert reason("https://news.example/tag/harbour/") == "not an article: listing page"
    outcome = extract_response(
        HtmlResponse("https://news.example/2019/11/18/wall/", body=story_page().encode()), pipelines
    )
    assert outcome.reason is None
    assert outcome.item is not None
    assert outcome.item["body"] == f"{STORY}\n\n{SECOND}"


def test_date_signals() -> None:
    url = "https://news.example/local/harbour-wall"
    assert not evidence.has_date(Selector(text=story_page()), url)
    assert evidence.has_date(Selector(text=story_page()), "https://news.example/2019/11/18/harbour-wall")
    with_meta = story_page().replace("</title>", '</title><meta name="pubdate" content="2019-11-18">')
    assert evidence.has_date(Selector(text=with_meta), url)
    with_time = story_page().replace("</h1>", '</h1><time datetime="2019-11-18">Monday</time>')
    assert evidence.has_date(Selector(text=with_time), url)
    for written in ("18.11.2019", "November 18, 2019", "18 novembre 2019"):
        near = story_page().replace("</h1>", f"</h1><p>By Ann Lee, {written}</p>")
        assert evidence.has_date(Selector(text=near), url), written


# --- the generic body -----------------------------------------------------------------------------


def fallback(html: str) -> list[str]:
    """Return the generic extractor's paragraphs of a page written here."""
    return fallback_paragraphs(Selector(text=html).root, "https://news.example/2019/11/18/wall/")


def test_prune_rules_match_class_tokens_not_substrings() -> None:
    caption = '<p class="wp-caption-text">The old wall in 1890.</p>'
    html = story_page(caption).replace("<body>", '<body class="site f_caption_muted_videos_on">')
    paragraphs = fallback(html)
    assert paragraphs[:2] == [STORY, SECOND]
    assert "The old wall in 1890." not in paragraphs


def test_generic_body_keeps_tables_and_lists() -> None:
    table = "<table><tr><th>Year</th><th>Storms</th></tr><tr><td>2018</td><td>2</td></tr></table>"
    items = "<ul><li>New stone facing</li><li>A higher parapet</li></ul>"
    paragraphs = fallback(story_page(table + items))
    assert "Year | Storms" in paragraphs
    assert "2018 | 2" in paragraphs
    assert paragraphs[-2:] == ["New stone facing", "A higher parapet"]


def test_generic_body_keeps_text_around_comments() -> None:
    paragraphs = fallback(story_page().replace("old harbour wall", "old <!-- y --> harbour wall"))
    assert paragraphs[:2] == [STORY, SECOND]


def test_loose_text_between_blocks_is_a_paragraph() -> None:
    # trafilatura's body leaves the text after a subheading loose when the page does.
    body = etree.fromstring(
        "<body>Opening line.<head>What comes next</head>Divers go first.<p>Then the wall.</p></body>"
    )
    assert [text for text in document_paragraphs(body) if text] == [
        "Opening line.",
        "What comes next",
        "Divers go first.",
        "Then the wall.",
    ]


def test_generic_extractor_errors_are_extraction_errors() -> None:
    # Whatever the libraries raise comes out as one ExtractionError, never as their own type.
    with pytest.raises(ExtractionError, match="TypeError"):
        fallback_paragraphs("<html><body><p>not a parsed page</p></body></html>", "https://x/")


# --- body furniture -------------------------------------------------------------------------------


def container(inner: str) -> object:
    """Return the body container of a page written here."""
    return Selector(text=page(f'<div class="entry-content">{inner}</div>')).css(".entry-content")[0].root


SHARE = (
    '<div class="btns"><a href="whatsapp://send?text=x">Share this on WhatsApp</a> '
    '<a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></div>'
)


def test_share_bars_are_dropped() -> None:
    paragraphs = body_paragraphs(container(f"<p>{STORY}</p>{SHARE}<p>{SECOND}</p>"))
    assert paragraphs == [STORY, SECOND]
    assert body_paragraphs(container(f"{SHARE}<p>{STORY}</p><p>{SECOND}</p>")) == [STORY, SECOND]
    assert len(share_bars(container(f"<p>{STORY}</p>{SHARE}"))) == 1
    # A share link inside a paragraph of text leaves the paragraph whole.
    text = f'<p>{STORY} <a href="https://twitter.com/intent/tweet">Tweet this</a></p>'
    assert body_paragraphs(container(text)) == [f"{STORY} Tweet this"]


def test_comment_notice_after_the_closing_share_bar_is_dropped() -> None:
    notice = "<p>NOTE: Comments that insult other readers will not be approved by the moderator.</p>"
    story = f"<p>{STORY}</p><p>{SECOND}</p><p>{STORY}</p>"
    assert body_paragraphs(container(f"{story}{SHARE}{notice}")) == [STORY, SECOND, STORY]
    # Text that goes on after a share bar is the story's.
    third, fourth, fifth = "Third paragraph.", "Fourth paragraph.", "Fifth paragraph."
    inner = f"<p>{STORY}</p>{SHARE}<p>{third}</p><p>{fourth}</p><p>{fifth}</p>"
    assert body_paragraphs(container(inner)) == [STORY, third, fourth, fifth]


def test_datelines_are_dropped() -> None:
    inner = (
        '<span itemprop="datePublished">sexta-feira, 22 de outubro de 2010</span>'
        '<div class="post-date">Monday</div><p>Published: 18 November 2019, 10:30</p>'
        f"<p>{STORY}</p><p>On 18 November 2019 the council met again.</p>"
    )
    assert body_paragraphs(container(inner)) == [STORY, "On 18 November 2019 the council met again."]
    assert is_dateline("Monday, November 18, 2019 at 5:00 PM")
    assert not is_dateline("The wall was finished on 18 November 2019 after a long delay.")


def test_data_tables_give_rows_and_layout_tables_give_paragraphs() -> None:
    data = "<table><tr><th>Pos.</th><th>Driver</th></tr><tr><td>1</td><td>Kyle Busch</td></tr></table>"
    assert body_paragraphs(container(f"<p>{STORY}</p>{data}")) == [STORY, "Pos. | Driver", "1 | Kyle Busch"]
    layout = f"<table><tr><td><p>{STORY}</p></td><td><p>{SECOND}</p></td></tr></table>"
    assert body_paragraphs(container(layout)) == [STORY, SECOND]


# --- reading a page once ----------------------------------------------------------------------------


def test_css_queries_skip_pages_without_their_classes() -> None:
    selector = Selector(text=page('<div class="byline x"><a class="author">Ann</a></div><p class="y">z</p>'))
    assert css(selector, ".byline .author").getall() == selector.css(".byline .author").getall()
    assert len(css(selector, ".byline .author")) == 1
    assert len(css(selector, ".standfirst")) == 0
    assert len(css(selector, ".standfirst, .y")) == 1
    assert len(css(selector, "[class=y]")) == 1


def test_meta_tags_are_read_in_page_order() -> None:
    head = (
        '<meta property="article:tag" content="harbour"><meta name="article:tag" content="council">'
        '<meta property="og:title" name="og:title" content="Once">'
    )
    article = ArticlePage(Selector(text=page("<p>x</p>", head)), "https://news.example/a/")
    assert article.tags == ["harbour", "council"]
    assert article.title == "Once"


def test_a_permalink_with_a_date_found_anywhere_is_an_article() -> None:
    # No headline and no date by the title: the page's one date, further down, still dates a story.
    url = "https://photos.example/photo/26034451/spring-by-the-harbour"
    untitled = page(
        f"<div class='text'><p>{STORY}</p><p>{SECOND}</p></div><div class='info'>Uploaded on 16 February 2013</div>",
        head="<title>Spring harbour</title>",
    )
    assert kind(untitled, url) == "article"
    published = ArticlePage(Selector(text=untitled), url).published
    assert published is not None
    assert published.raw == "2013-02-16"
    undated = untitled.replace("Uploaded on 16 February 2013", "Uploaded by Sam")
    assert kind(undated, url) == "unknown"


def test_a_dated_headline_away_from_a_permalink_is_an_article() -> None:
    dated = story_page().replace("</h1>", "</h1><p>Last revision: August 9, 2017</p>")
    assert kind(dated, "https://news.example/service/terms/") == "article"
    assert kind(story_page(), "https://news.example/service/terms/") == "unknown"
    short = page("<h1>Terms of service</h1><p>Last revision: August 9, 2017</p><p>Be kind.</p>")
    assert kind(short, "https://news.example/service/terms/") == "unknown"


def test_a_static_page_that_dates_its_story_is_an_article() -> None:
    url = "https://news.example/en/content/council-harbour-wall"
    static = story_page().replace("<body>", '<body class="page page-id-453">')
    assert kind(static, url) == "page"
    byline = static.replace("</h1>", "</h1><div class='meta'>Posted the September 1, 2017 at 0h00</div>")
    assert kind(byline, url) == "article"
    meta = static.replace("</title>", '</title><meta property="article:published_time" content="2017-09-01">')
    assert kind(meta, url) == "article"


def test_an_empty_theme_body_gives_way_to_a_story_found_elsewhere() -> None:
    url = "https://news.example/2019/11/18/council-harbour-wall/"
    paragraphs = "".join(f"<p>{STORY} {n}</p><p>{SECOND} {n}</p>" for n in range(3))
    scripted = page(
        f"<article><h1>Council votes to rebuild the harbour wall</h1><div class='entry-content'></div></article>"
        f"<div class='live'>{paragraphs}</div>"
    )
    filled = ArticlePage(Selector(text=scripted), url)
    assert filled.body_source == "fallback"
    assert STORY in filled.body
    # Without a story outside it, the empty body stays empty: the page's furniture is no body.
    empty = ArticlePage(Selector(text=scripted.replace(paragraphs, "<p>Related articles. Share.</p>")), url)
    assert (empty.body, empty.body_source) == ("", "theme")
