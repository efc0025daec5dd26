"""Links the spider follows: listing teasers, pagination, section menus, in-body article links.

Every function returns URL keys (arabpress.urls.url_key) on the page's own host, tracking
parameters removed, first occurrence kept, in page order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree

from arabpress.extract.classindex import class_index
from arabpress.extract.document import base_url
from arabpress.extract.dom import (
    Element,
    absolute,
    attribute_values,
    document_classes,
    has_class_xpath,
    has_rel_xpath,
    has_token_xpath,
    page_root,
    unique,
)
from arabpress.urls import (
    LINK_CACHE_SIZE,
    amp_to_canonical,
    is_amp_url,
    is_article_url,
    is_section_url,
    strip_tracking,
    url_key,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from parsel import Selector

# The listing's own area; menus, footers and asides are left to section_links.
LISTING_AREAS = ("//main", "//*[@id='main']", "//*[@id='content']", "//body")
PAGINATION = (
    f"//link[{has_rel_xpath('next')}]/@href"
    f" | //a[{has_rel_xpath('next')}]/@href"
    f" | //a[{has_class_xpath('next')}]/@href"
    f" | //*[{has_class_xpath('pagination')} or {has_class_xpath('nav-links')}]//a/@href"
)
# Compiled once, plain strings: no Selector per link (a body has tens of them). The containers
# are found from their attributes (//@class[...]/..): libxml2 tests a predicate on every
# element of //*[...], which costs twice as much on a whole page.
# Each branch with the class it needs: one whose class the page lacks selects nothing, and is
# left out (each scans the whole page).
BODY_CONTAINER_BRANCHES = (
    ("entry-content", f"//@class[{has_token_xpath('entry-content')}]/..//a/@href"),
    (None, "//@itemprop[. = 'articleBody']/..//a/@href"),
    ("amp-article", f"//article/@class[{has_token_xpath('amp-article')}]/..//a/@href"),
)


@lru_cache(maxsize=8)
def _body_container_links(classes: frozenset[str]) -> etree.XPath:
    """Return the body containers' link query without the branches whose class is not among *classes*."""
    branches = [branch for needed, branch in BODY_CONTAINER_BRANCHES if needed is None or needed in classes]
    return etree.XPath(" | ".join(branches), smart_strings=False)


@lru_cache(maxsize=LINK_CACHE_SIZE)  # pure, and run on every link of every page
def normalize_link(url: str) -> str:
    """Return the URL key of *url* without tracking parameters, an AMP copy mapped to its article."""
    clean = strip_tracking(url)
    return url_key(amp_to_canonical(clean) if is_amp_url(clean) else clean)


def _links(hrefs: Iterable[str], page_url: str, keep: Callable[[str], bool]) -> list[str]:
    """Resolve, normalize and filter hrefs: same host as the page, first occurrence, page order."""
    host = _host(page_url)
    resolved = (absolute(href, page_url) for href in hrefs)
    normalized = (normalize_link(url) for url in resolved if url is not None)
    return unique(url for url in normalized if _host(url) == host and keep(url))


@lru_cache(maxsize=LINK_CACHE_SIZE)
def _host(url: str) -> str:
    """Return the host (netloc) of *url* in lower case."""
    return urlsplit(url).netloc.lower()


def listing_links(selector: Selector, page_url: str) -> list[str]:
    """Return the article links of a listing's main area (teaser titles and the like)."""
    area = next((found[0] for query in LISTING_AREAS if (found := selector.xpath(query))), selector)
    return _links(area.xpath(".//a/@href").getall(), base_url(selector, page_url), is_article_url)


def next_page_links(selector: Selector, page_url: str) -> list[str]:
    """Return the pagination links (rel=next, a.next, .pagination links), the page itself left out."""
    own = normalize_link(page_url)
    hrefs = selector.xpath(PAGINATION).getall()
    return _links(hrefs, base_url(selector, page_url), lambda url: url != own and not is_article_url(url))


def section_links(selector: Selector, page_url: str) -> list[str]:
    """Return the links to the home pages and category listings (/category/..., /ar/, /ar/category/...)."""
    return _links(selector.xpath("//a/@href").getall(), base_url(selector, page_url), is_section_url)


def body_container_hrefs(root: Element) -> list[str]:
    """Return the hrefs of the links in the body containers (what BODY_CONTAINER_BRANCHES select), in page order."""
    if "articleBody" not in attribute_values(root, "itemprop"):
        # The containers all have classes: the page's class index has them (no scan for each).
        index = class_index(root)
        amp = [article for article in index.with_class("amp-article") if article.tag == "article"]
        return index.descendant_hrefs(index.in_document_order([*index.with_class("entry-content"), *amp]))
    present = document_classes(root)
    needed = frozenset(name for name, _ in BODY_CONTAINER_BRANCHES if name is not None and name in present)
    found: list[str] = _body_container_links(needed)(root)
    return found


def body_article_links(selector: Selector, page_url: str) -> list[str]:
    """Return the article links inside the article body (including "Read more" lines)."""
    root = page_root(selector)
    if root is None:
        return []
    return _links(body_container_hrefs(root), base_url(selector, page_url), is_article_url)
