"""Document-wide facts: language attribute, ``<title>``, base URL, AMP flag, body classes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from arabpress.extract.dom import Element, class_tokens, clean_value, once_per_page, page_root

if TYPE_CHECKING:
    from parsel import Selector

AMP_ATTRIBUTES = ("amp", "⚡")
# Compiled once, plain strings: parsel would build a Selector for each value (these run on every page).
HTML_LANG = etree.XPath("/html/@lang", smart_strings=False)
TITLE_TEXTS = etree.XPath("//head/title//text() | /html/title//text()", smart_strings=False)
BASE_HREF = etree.XPath("/html/head/base/@href", smart_strings=False)  # lxml's parser keeps <base> in the one <head>


@once_per_page  # the language and the declared language both ask
def html_lang(selector: Selector) -> str | None:
    """Return the ``lang`` attribute of ``<html>``."""
    root = page_root(selector)
    found = HTML_LANG(root) if root is not None else []
    return clean_value(found[0]) if found else None


def html_title(selector: Selector) -> str | None:
    """Return the ``<title>`` text as written (the site name may still be appended)."""
    root = page_root(selector)
    if root is None:
        return None
    # The titles TITLE_TEXTS selects, from lxml's walk by tag name (its union scans the page twice).
    titles = [title for title in root.iter("title") if _is_document_title(title, root)]
    if any(len(title) for title in titles):  # lxml's parser gives <title> text only; anything else takes the XPath
        return clean_value(" ".join(TITLE_TEXTS(root)))
    return clean_value(" ".join(title.text for title in titles if title.text))


def _is_document_title(title: Element, root: Element) -> bool:
    """Tell whether a <title> is one //head/title | /html/title selects (*root*: the document's root element)."""
    parent = title.getparent()
    return parent is not None and (parent.tag == "head" or (parent is root and root.tag == "html"))


def base_url(selector: Selector, url: str) -> str:
    """Return the URL relative links resolve against: ``<base href>`` if any, else the page URL."""
    root = page_root(selector)
    found = BASE_HREF(root) if root is not None else []
    href = found[0] if found else None
    return urljoin(url, href.strip()) if href and href.strip() else url


def is_amp_document(selector: Selector) -> bool:
    """Tell whether the page is an AMP document (``<html amp>`` or ``<html ⚡>``)."""
    root = selector.root
    attributes = getattr(root, "attrib", {})
    return getattr(root, "tag", None) == "html" and any(name in attributes for name in AMP_ATTRIBUTES)


def body_classes(selector: Selector) -> set[str]:
    """Return the class tokens of ``<body>`` (the first one with a class attribute, as //body/@class reads)."""
    root = page_root(selector)
    # The elements by tag name in document order, stopping at the first: only the <head> is walked
    # before it, where //body/@class scans the whole page.
    bodies = root.iter("body") if root is not None else iter(())
    return class_tokens(next((classes for body in bodies if (classes := body.get("class")) is not None), None))
