"""Small text and node helpers shared by the extraction layers."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from parsel import Selector

# An lxml element (``Selector.root``); lxml ships no type information.
Element: TypeAlias = Any

# Only ASCII whitespace is folded here; NBSP and friends are the text cleaning pipeline's job.
ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
ANY_WHITESPACE = re.compile(r"\s+")
TATWEEL = "\u0640"
ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def fold_whitespace(text: str) -> str:
    """Fold runs of ASCII whitespace to one space and trim them at both ends."""
    return ASCII_WHITESPACE.sub(" ", text).strip(" ")


def is_blank(text: str) -> bool:
    """Tell whether a text holds nothing visible (only whitespace and format characters)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def clean_value(text: str | None) -> str | None:
    """Return a whitespace-folded value, or None when it holds nothing visible."""
    if text is None:
        return None
    folded = fold_whitespace(text)
    return None if is_blank(folded) else folded


@functools.cache
def _comparable_table() -> dict[int, str | None]:
    """Return the str.translate table of comparable(): format characters, tatweel and marks out, alefs unified."""
    # Format characters (soft hyphen, zero-width, bidi marks) and tatweel do not change meaning.
    # One translate() in C instead of a per-character check: comparable() runs on every paragraph.
    dropped = [code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"]
    dropped += [ord(TATWEEL), *range(0x064B, 0x0660), 0x0670]  # harakat and superscript alef
    return {**dict.fromkeys(dropped), **ALEF_FORMS}


def comparable(text: str) -> str:
    """Reduce a text to a form for equality checks only (never stored)."""
    return ANY_WHITESPACE.sub(" ", text.translate(_comparable_table())).strip().casefold()


def comparable_opening(text: str, length: int) -> str:
    """Return the start of comparable(*text*): longer than *length* characters, or all of it."""
    # Prefix checks on long paragraphs and bodies need only their first characters.
    size = length + 16
    while True:
        folded = comparable(text[:size])
        if len(folded) > length or size >= len(text):
            return folded
        size *= 2


def unique(values: Iterable[str]) -> list[str]:
    """Keep the first occurrence of each value, in order."""
    return list(dict.fromkeys(values))


def clean_values(values: Iterable[str | None]) -> list[str]:
    """Fold each value, drop empty ones and repeats, keep the order."""
    return unique(value for value in map(clean_value, values) if value is not None)


def node_text(selector: Selector) -> str:
    """Return the visible text of one node, whitespace-folded (scripts and styles left out)."""
    parts = selector.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall()
    return fold_whitespace(" ".join(parts))


def texts(selector: Selector, query: str) -> list[str]:
    """Return the folded, non-empty texts of the nodes a CSS query matches, repeats dropped."""
    return clean_values(node_text(node) for node in selector.css(query))


def first_text(selector: Selector, *queries: str) -> str | None:
    """Return the first non-empty text matched by the CSS queries, tried in order."""
    for query in queries:
        found = texts(selector, query)
        if found:
            return found[0]
    return None


def absolute(href: str, base_url: str) -> str | None:
    """Resolve a link against the page's base URL; None for non-web links."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:", "whatsapp:")):
        return None
    resolved = urljoin(base_url, href)
    if not resolved.startswith(("http://", "https://")):
        return None
    try:
        port = urlsplit(resolved).port
    except ValueError:  # an invalid port: no one can follow the link
        return None
    return resolved if port != 0 else None


def class_tokens(classes: str | None) -> set[str]:
    """Split a class attribute into its tokens."""
    return set((classes or "").split())


def has_class_xpath(name: str) -> str:
    """Return an XPath predicate body that tests for one class token."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def has_rel_xpath(name: str) -> str:
    """Return an XPath predicate body that tests for one ``rel`` token."""
    return f"contains(concat(' ', normalize-space(@rel), ' '), ' {name} ')"
