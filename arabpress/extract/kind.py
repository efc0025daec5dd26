"""What a page is: an article, a listing, a static page, an error page, an AMP copy, a forum thread, a search.

The theme's classes and the page's structured data decide first. A page that declares
nothing is an article when it shows one: a permalink-shaped address, a body of paragraphs,
and a headline or a date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from arabpress.extract import evidence, jsonld, metatags, microdata
from arabpress.extract.body import body_paragraphs
from arabpress.extract.document import base_url, body_classes, html_title, is_amp_document
from arabpress.extract.dom import has_class_xpath
from arabpress.extract.page import ArticlePage
from arabpress.extract.theme import content_container
from arabpress.urls import is_article_url

if TYPE_CHECKING:
    from parsel import Selector

PageKind = Literal["article", "listing", "page", "error", "amp", "forum", "search", "unknown"]

LISTING_BODY_CLASSES = frozenset({"archive", "home", "blog", "search", "category", "tag", "author", "date"})
ARTICLE_BODY_CLASSES = frozenset({"single-post"})
# Below this much paragraph text an <article> at an article URL is not taken for a story by itself.
LONG_BODY_CHARACTERS = 400
# An undeclared page needs this much body text to be taken for an article.
SHOWN_BODY_CHARACTERS = 250


def _theme_kind(selector: Selector) -> PageKind | None:
    """Return the kind the theme's body classes, else its article classes, declare."""
    classes = body_classes(selector)
    if "error404" in classes:
        return "error"
    if classes & LISTING_BODY_CLASSES:
        return "listing"
    if classes & ARTICLE_BODY_CLASSES:
        return "article"
    if "page" in classes:
        return "page"
    # Teasers of a listing may be article.type-post too: only a lone one is the page's story.
    if len(selector.xpath(f"//article[{has_class_xpath('type-post')}]")) == 1:
        return "article"
    if selector.xpath(f"//article[{has_class_xpath('type-page')}]"):
        return "page"
    return None


def _declares_article(selector: Selector) -> bool:
    """Tell whether structured data calls the page an article (JSON-LD, og:type, microdata)."""
    return (
        jsonld.find_article(selector) is not None
        or metatags.og_type(selector) == "article"
        or microdata.article_scope(selector) is not None
    )


def _dates_its_story(selector: Selector) -> bool:
    """Tell whether a page its theme calls static states when it was published, as a post does.

    Themes give dated posts of their page type the static page's classes: article:published_time,
    a JSON-LD article's datePublished or a date line by the headline tell them apart.
    """
    if metatags.published(selector):
        return True
    article = jsonld.find_article(selector)
    return (article is not None and jsonld.date(article, "datePublished") is not None) or evidence.has_dated_headline(
        selector
    )


def _has_long_body_at_article_url(selector: Selector, url: str | None) -> bool:
    """Tell whether the page holds one <article> with a long body and its URL is an article permalink."""
    address = metatags.canonical(selector, url or "") or url
    articles = selector.xpath("//article")
    if address is None or not is_article_url(address) or len(articles) != 1:
        return False
    container = content_container(articles[0], selector)
    paragraphs = body_paragraphs(container if container is not None else articles[0].root)
    return sum(map(len, paragraphs)) >= LONG_BODY_CHARACTERS


def _page_address(selector: Selector, url: str | None) -> str | None:
    """Return the page's own address: its canonical link, else og:url, else the fetched URL."""
    base = base_url(selector, url) if url else ""
    declared = metatags.canonical(selector, base) or metatags.og_url(selector, base)
    if declared is None or (url and evidence.is_permalink(url) and not evidence.is_permalink(declared)):
        # A permalink whose canonical names a front page or a section: the theme's bug, not a listing.
        return url
    return declared


def _shows_article(page: ArticlePage, address: str) -> bool:
    """Tell whether an undeclared page shows an article: a body and a date, or a permalink, body and headline.

    Away from a permalink (``/service/terms/``) only a headline with its date line makes a story.
    """
    if evidence.is_permalink(address):
        if sum(map(len, page.body_paragraphs)) < SHOWN_BODY_CHARACTERS:
            return False
        title = metatags.title(page.selector) or html_title(page.selector)
        if evidence.headline(page.selector, title) or evidence.has_date(page.selector, address):
            return True
        # Last, the costly whole-page date search, kept for the item (it is the date the item gets).
        return page.published is not None
    return evidence.has_dated_headline(page.selector) and sum(map(len, page.body_paragraphs)) >= SHOWN_BODY_CHARACTERS


def _undeclared_kind(selector: Selector, address: str | None, page: ArticlePage) -> PageKind:
    """Return the kind of a page that neither its theme nor its structured data names."""
    if address is not None:
        if evidence.is_search_url(address):
            return "search"
        if evidence.is_listing_url(address):
            return "listing"
        if _shows_article(page, address):
            return "article"
    if len(selector.xpath("//article")) >= 2:
        return "listing"
    return "unknown"


def page_kind(selector: Selector, url: str | None = None, page: ArticlePage | None = None) -> PageKind:
    """Return what the page is; ``url`` (the fetched URL) helps when the markup says little.

    ``page`` is the page read as an article, when the caller has it (its body is reused).
    """
    if is_amp_document(selector):
        return "amp"
    declared = _theme_kind(selector)
    if declared == "page" and _dates_its_story(selector):
        return "article"
    if declared is not None:
        return declared
    if _declares_article(selector) or _has_long_body_at_article_url(selector, url and base_url(selector, url)):
        return "article"
    address = _page_address(selector, url)
    if evidence.is_forum_thread(selector, address or ""):
        return "forum"
    return _undeclared_kind(selector, address, page or ArticlePage(selector, url or address or ""))
