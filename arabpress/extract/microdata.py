"""The microdata layer: ``itemprop`` values of the page's schema.org article."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from arabpress.extract.dom import clean_value, clean_values, node_text, once_per_page, page_root

if TYPE_CHECKING:
    from parsel import Selector

# Found from the itemscope attributes (//@itemscope/parent::*): libxml2 tests the predicate on
# their few elements, not on every element of the page (four times faster).
ARTICLE_SCOPE = '//@itemscope/parent::*[contains(@itemtype, "Article") or contains(@itemtype, "BlogPosting")]'
# Compiled once: parsel compiles a query string at each call (these run on every page).
ARTICLE_SCOPES = etree.XPath(ARTICLE_SCOPE)
NAMED_ITEMS = etree.XPath('descendant::*/@itemprop[. = "name"]/..')


@lru_cache(maxsize=32)
def item_properties(prop: str) -> etree.XPath:
    """Return the compiled query of the elements below a node with itemprop *prop*."""
    # The descendants' itemprop attributes, as ARTICLE_SCOPE: .//*[@itemprop="..."] tests every element.
    return etree.XPath(f'descendant::*/@itemprop[. = "{prop}"]/..')


@once_per_page
def article_scope(selector: Selector) -> Selector | None:
    """Return the first element that declares a schema.org article item, or None."""
    root = page_root(selector)
    found = ARTICLE_SCOPES(root) if root is not None else []
    return type(selector)(root=found[0], type="html") if found else None


def item_value(node: Selector) -> str:
    """Return one itemprop element's value: content/datetime attribute, a nested item's name, else its text."""
    attribute = node.attrib.get("content") or node.attrib.get("datetime")
    if attribute:
        return attribute
    names = NAMED_ITEMS(node.root) if "itemscope" in node.attrib else []
    return item_value(type(node)(root=names[0], type="html")) if names else node_text(node)


def values(selector: Selector, prop: str) -> list[str]:
    """Return an itemprop's values within the article item, in page order."""
    scope = article_scope(selector)
    if scope is None:
        return []
    found = item_properties(prop)(scope.root)
    return clean_values(item_value(type(scope)(root=node, type="html")) for node in found)


def value(selector: Selector, prop: str) -> str | None:
    """Return the first value of an itemprop."""
    found = values(selector, prop)
    return found[0] if found else None


def headline(selector: Selector) -> str | None:
    """Return the itemprop headline."""
    return value(selector, "headline")


def description(selector: Selector) -> str | None:
    """Return the itemprop description."""
    return value(selector, "description")


def authors(selector: Selector) -> list[str]:
    """Return the itemprop author names."""
    return values(selector, "author")


def section(selector: Selector) -> str | None:
    """Return the itemprop articleSection."""
    return value(selector, "articleSection")


def tags(selector: Selector) -> list[str]:
    """Return the itemprop keywords (comma-separated values split)."""
    return clean_values(word for keywords in values(selector, "keywords") for word in keywords.split(","))


def published(selector: Selector) -> str | None:
    """Return the itemprop datePublished as written."""
    return clean_value(value(selector, "datePublished"))


def modified(selector: Selector) -> str | None:
    """Return the itemprop dateModified as written."""
    return clean_value(value(selector, "dateModified"))
