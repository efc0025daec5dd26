"""The theme layer: the WordPress-style markup of the site's article pages."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree

from arabpress.extract.dom import (
    Element,
    absolute,
    clean_value,
    clean_values,
    css_nodes,
    element_of,
    first_text,
    has_class_xpath,
    has_rel_xpath,
    has_token,
    node_text,
    page_root,
    texts,
)
from arabpress.extract.images import Image

if TYPE_CHECKING:
    from parsel import Selector

# Where the article sits, most specific first; the whole document is the last resort.
ARTICLE_ROOTS = (
    f"//article[{has_class_xpath('type-post')}]",
    "//@itemscope/parent::*[contains(@itemtype, 'Article')]",  # //*[@itemscope][...], from the attributes
    f"//article[{has_class_xpath('amp-article')}]",
    "//article[.//h1]",
    "//main",
)
# ARTICLE_ROOTS[1] compiled; the others are read from lxml's walk by tag name (article_element).
ITEM_ARTICLE = etree.XPath(ARTICLE_ROOTS[1])
# The body container, most specific first.
CONTENT_CONTAINERS = (".entry-content", "[itemprop=articleBody]", "article.amp-article")
SUBTITLES = (".entry-subtitle", ".amp-lede", ".standfirst")
# A figure's images (.//img | .//amp-img), from lxml's walk by tag name: one pass, not two scans.
FIGURE_IMAGE_TAGS = ("img", "amp-img")
# Dates of the page furniture (the masthead shows today's date) and of other stories.
# A sidebar (an <aside> without the headline, with several dates) lists other stories; the
# article's own meta box may be an <aside> with its one date.
NOT_ARTICLE_DATES = (
    f"ancestor-or-self::*[{has_class_xpath('header-date')} or contains(@class, 'related')"
    " or (self::aside and not(.//h1) and count(.//time) > 1)]"
)
HOME_PATHS = frozenset({"", "/", "/ar", "/ar/"})


def article_element(root: Element) -> Element | None:
    """Return the first element ARTICLE_ROOTS selects in the document of *root*, in their order; None if none does."""
    # The <article> elements are walked once (a page has one or a few), not scanned for by each query.
    articles = list(root.iter("article"))
    found = next((article for article in articles if has_token(article.get("class"), "type-post")), None)
    if found is None:
        found = next(iter(ITEM_ARTICLE(root)), None)
    if found is None:
        found = next((article for article in articles if has_token(article.get("class"), "amp-article")), None)
    if found is None:
        found = next((article for article in articles if next(article.iterdescendants("h1"), None) is not None), None)
    return found if found is not None else next(root.iter("main"), None)


def article_root(selector: Selector) -> Selector:
    """Return the element that holds the article (headline, meta, body), else the whole page."""
    root = page_root(selector)
    found = article_element(root) if root is not None else None
    return selector if found is None else type(selector)(root=found, type="html")


def title(root: Selector) -> str | None:
    """Return the theme headline (h1.entry-title, else the article's h1)."""
    return first_text(root, "h1.entry-title", "h1")


def subtitle(root: Selector) -> str | None:
    """Return the standfirst under the headline."""
    return first_text(root, *SUBTITLES)


def authors(root: Selector) -> list[str]:
    """Return the byline's names: its author links, else its links, else its whole text (split by bylines.py)."""
    linked = texts(root, ".byline .author a") or texts(root, ".byline a")
    if linked:
        return linked
    written = first_text(root, ".byline", ".amp-byline")
    return [written] if written else []


def _breadcrumb_section(selector: Selector) -> str | None:
    """Return the last breadcrumb link that is not the home page."""
    crumbs = selector.xpath("//*[contains(@class, 'breadcrumb')]//a[@href]")
    named = [node_text(crumb) for crumb in crumbs if urlsplit(crumb.attrib["href"]).path not in HOME_PATHS]
    return next((name for name in reversed(named) if name), None)


def section(root: Selector, selector: Selector) -> str | None:
    """Return the first category link of the article, else the breadcrumbs' section."""
    category_links = "a[rel~=category]"
    return first_text(root, ".cat-links a", category_links) or _breadcrumb_section(selector)


def tags(root: Selector) -> list[str]:
    """Return the tag links of the article in page order."""
    plain_tag_links = f".//a[{has_rel_xpath('tag')}][not({has_rel_xpath('category')})]"
    return texts(root, ".tags-links a") or clean_values(node_text(link) for link in root.xpath(plain_tag_links))


def _figure_image(figure: Element, base_url: str) -> Image | None:
    """Return a figure's image with its caption, or None when it holds no image."""
    for source in figure.iterdescendants(*FIGURE_IMAGE_TAGS):
        candidates = (source.get(name, "") for name in ("data-src", "data-lazy-src", "src"))
        # Lazy-loading themes put a data: placeholder in src and the real URL elsewhere.
        url = next((url for url in (absolute(link, base_url) for link in candidates) if url), None)
        if url:
            return Image(url=url, caption=first_text(figure, "figcaption", ".wp-caption-text"))
    return None


def images(root: Selector, base_url: str) -> list[Image]:
    """Return the featured image and the figures of the body, with their captions."""
    featured = "figure.post-thumbnail, .post-thumbnail"
    figures = ".entry-content figure, .entry-content .wp-caption, [itemprop=articleBody] figure"
    found = (_figure_image(figure, base_url) for query in (featured, figures) for figure in css_nodes(root, query))
    return [image for image in found if image is not None]


def _article_times(condition: str) -> etree.XPath:
    """Compile the query of the datetime attributes of the article <time> elements *condition* selects."""
    return etree.XPath(f".//time[@datetime]{condition}[not({NOT_ARTICLE_DATES})]/@datetime", smart_strings=False)


# Compiled once, plain strings and elements: no Selector per value (these run on every article).
PUBLISHED_TIMES = _article_times(f"[{has_class_xpath('published')}]")
NOT_UPDATED_TIMES = _article_times(f"[not({has_class_xpath('updated')})]")
UPDATED_TIMES = _article_times(f"[{has_class_xpath('updated')}]")
TIMES_OF_VALUE = etree.XPath(f".//time[normalize-space(@datetime)=$value][not({NOT_ARTICLE_DATES})]")
POSTED_ON = etree.XPath(f".//*[{has_class_xpath('posted-on')}][not({NOT_ARTICLE_DATES})]")


def _datetime(root: Selector, times: etree.XPath) -> str | None:
    """Return the datetime attribute of the first article <time> the query selects."""
    element = element_of(root)
    values: list[str] = times(element) if element is not None else []
    return next((value.strip() for value in values if value.strip()), None)


def published_time(root: Selector) -> str | None:
    """Return the article's <time class=published datetime>, else its first non-"updated" <time datetime>."""
    return _datetime(root, PUBLISHED_TIMES) or _datetime(root, NOT_UPDATED_TIMES)


def time_text(root: Selector, value: str) -> str | None:
    """Return the visible text of the article's first <time> whose datetime is *value*."""
    element = element_of(root)
    texts = TIMES_OF_VALUE(element, value=value) if element is not None else []
    return clean_value(node_text(texts[0])) if texts else None


def modified_time(root: Selector) -> str | None:
    """Return the article's <time class=updated datetime>."""
    return _datetime(root, UPDATED_TIMES)


def posted_on_text(root: Selector) -> str | None:
    """Return the visible date text of the article's meta line (``.posted-on``)."""
    element = element_of(root)
    dates = POSTED_ON(element) if element is not None else []
    return next((text for text in (clean_value(node_text(node)) for node in dates) if text), None)


def content_container(root: Selector, selector: Selector) -> Element | None:
    """Return the element holding the body text, in the article first, else anywhere on the page."""
    for scope in (root, selector):
        for query in CONTENT_CONTAINERS:
            found = css_nodes(scope, query)
            if found:
                return found[0]
    return None
