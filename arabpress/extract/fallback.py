"""The generic layer: body text found by trafilatura when the theme's markup is missing."""

from __future__ import annotations

import trafilatura
from parsel import Selector

from arabpress.extract.body import is_ad_label, is_read_more
from arabpress.extract.dom import is_blank, node_text

# trafilatura's XML output: <p>, <head> (subheadings), <quote> and list <item> are paragraphs.
PARAGRAPH_ELEMENTS = "//main//*[self::p or self::head or self::quote or self::item][not(ancestor::quote)]"
# The headline block (headline, standfirst, byline) and captions are never body text.
NOT_BODY = [
    "//h1",
    "//header",
    "//*[contains(@class, 'subtitle') or contains(@class, 'standfirst') or contains(@class, 'lede')]",
    "//*[contains(@class, 'byline') or contains(@class, 'caption')]",
]


def fallback_paragraphs(html: str, url: str) -> list[str]:
    """Return the body paragraphs trafilatura finds in a whole page (empty when it finds none)."""
    document = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=False,
        prune_xpath=NOT_BODY,
    )
    if not document:
        return []
    tree = Selector(text=document, type="xml")
    paragraphs = (node_text(node) for node in tree.xpath(PARAGRAPH_ELEMENTS))
    return [text for text in paragraphs if not is_blank(text) and not is_read_more(text) and not is_ad_label(text)]
