"""The generic layer: body text found by trafilatura when the theme's markup is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import trafilatura
from lxml import etree

from arabpress.extract.body import keep_paragraph
from arabpress.extract.dom import Element, fold_whitespace

if TYPE_CHECKING:
    from collections.abc import Iterator


class ExtractionError(Exception):
    """The generic extractor failed on a page (its own error, as one line)."""


# Class tokens of the headline block and captions: never body text. Tested as whole tokens
# or token prefixes/suffixes ("wp-caption", "caption-text"), never as substrings, so that a
# page-wide class such as "f_caption_muted_videos_on" prunes nothing. The page's own
# containers (html, body, main, article) are never pruned.
NOT_BODY_TOKENS = ("subtitle", "standfirst", "lede", "byline", "caption")


def _token_test(token: str) -> str:
    """Return an XPath test for a class token equal to, starting with or ending with *token*."""
    classes = "concat(' ', normalize-space(@class), ' ')"
    forms = (f" {token} ", f" {token}-", f" {token}_", f"-{token} ", f"_{token} ")
    return " or ".join(f"contains({classes}, '{form}')" for form in forms)


NOT_BODY = [
    "//h1",
    "//header",
    "//*[not(self::html or self::body or self::main or self::article)]"
    f"[{' or '.join(_token_test(token) for token in NOT_BODY_TOKENS)}]",
]
# trafilatura's body elements that hold several paragraphs: lists (items) and tables (rows).
ITEM_TAGS = {"list": "item", "table": "row"}
CELL_SEPARATOR = " | "


def _element_text(element: Element) -> str:
    """Return an element's text, whitespace-folded."""
    return fold_whitespace(" ".join(element.itertext()))


def _paragraphs(body: Element) -> Iterator[str]:
    """Yield the paragraphs of trafilatura's body: blocks, loose text, list items, table rows (cells joined)."""
    yield fold_whitespace(body.text or "")
    for block in body:
        if isinstance(block.tag, str):
            yield from _block_paragraphs(block)
        # Text between blocks (after a subheading, say) is a paragraph of its own.
        yield fold_whitespace(block.tail or "")


def _block_paragraphs(block: Element) -> Iterator[str]:
    """Yield one body block's paragraphs: itself, or its list items or table rows."""
    item_tag = ITEM_TAGS.get(block.tag)
    if item_tag is None:
        yield _element_text(block)
        return
    for item in block.iter(item_tag):
        if block.tag == "table":
            yield CELL_SEPARATOR.join(text for text in map(_element_text, item) if text)
        else:
            # A nested list's items come as items of their own.
            own = [item.text or "", *(part for child in item if child.tag != "list" for part in _tail_texts(child))]
            yield fold_whitespace(" ".join(own))


def _tail_texts(element: Element) -> Iterator[str]:
    """Yield an inline child's text and its tail."""
    yield from element.itertext()
    yield element.tail or ""


def fallback_paragraphs(root: Element, url: str) -> list[str]:
    """Return the body paragraphs trafilatura finds in a parsed page (empty when it finds none).

    Raises ExtractionError when trafilatura fails on the page.
    """
    # trafilatura expects a tree parsed without comments: it loses the text that follows
    # one (``had suffered<!-- --> months of``). Comments are no page content, so they go
    # from the parsed page itself, which is cheaper than a copy.
    etree.strip_tags(root, etree.Comment)
    try:
        # The parsed tree goes in as is: trafilatura copies it, so there is no second parse.
        document = trafilatura.bare_extraction(
            root,
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=False,
            prune_xpath=NOT_BODY,
        )
    except Exception as error:  # lxml and trafilatura raise many types on pages they cannot read
        raise ExtractionError(f"{type(error).__name__}: {error}") from error
    body = getattr(document, "body", None)  # None when trafilatura found no body
    if body is None:
        return []
    return [text for text in _paragraphs(body) if keep_paragraph(text)]
