"""Document-wide facts: language attribute, ``<title>``, base URL, AMP flag, body classes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from arabpress.extract.dom import class_tokens, clean_value

if TYPE_CHECKING:
    from parsel import Selector

AMP_ATTRIBUTES = ("amp", "⚡")


def html_lang(selector: Selector) -> str | None:
    """Return the ``lang`` attribute of ``<html>``."""
    return clean_value(selector.xpath("/html/@lang").get())


def html_title(selector: Selector) -> str | None:
    """Return the ``<title>`` text as written (the site name may still be appended)."""
    return clean_value(" ".join(selector.xpath("//head/title//text() | /html/title//text()").getall()))


def base_url(selector: Selector, url: str) -> str:
    """Return the URL relative links resolve against: ``<base href>`` if any, else the page URL."""
    href = selector.xpath("/html/head/base/@href").get()  # lxml's parser keeps <base> in the one <head>
    return urljoin(url, href.strip()) if href and href.strip() else url


def is_amp_document(selector: Selector) -> bool:
    """Tell whether the page is an AMP document (``<html amp>`` or ``<html ⚡>``)."""
    root = selector.root
    attributes = getattr(root, "attrib", {})
    return getattr(root, "tag", None) == "html" and any(name in attributes for name in AMP_ATTRIBUTES)


def body_classes(selector: Selector) -> set[str]:
    """Return the class tokens of ``<body>``."""
    return class_tokens(selector.xpath("//body/@class").get())
