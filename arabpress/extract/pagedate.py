"""Publication date signals beyond the article's own layers: a generic finder and the page's zone.

When JSON-LD, meta tags, microdata and the theme give no publication date, htmldate looks
for one on the whole page (other meta names, JSON-LD of any type, ``<time>``, visible
date text, the URL last), with the page's furniture (masthead, related stories) removed
first. An instant written in UTC says nothing of the page's own day: the page usually
states the same instant elsewhere in its own offset, and that statement is preferred.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from htmldate import find_date
from lxml.etree import LxmlError

from arabpress.extract.dom import Element, has_class_xpath

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsel import Selector

# Page furniture whose dates are not the article's: the site's banner (its masthead shows
# today's date) and footer (the copyright year), lists of other stories and comments. None
# of them holds the headline (an article's own <header> does), which keeps a wrapper such
# as "has-comments" safe.
FURNITURE = (
    "//body//*[not(.//h1)]["
    "@role='banner' or @role='contentinfo'"
    " or ((self::header or self::footer) and not(ancestor::article or ancestor::main))"
    f" or {has_class_xpath('header-date')} or {has_class_xpath('masthead')} or {has_class_xpath('site-header')}"
    " or contains(@class, 'related') or contains(@class, 'comment') or @id='comments']"
)
# Modification dates, which htmldate falls back on when it finds no publication date.
MODIFIED_ELEMENTS = (
    f"//*[@itemprop='dateModified'] | //time[{has_class_xpath('updated')}][not({has_class_xpath('published')})]"
)
META_KEYS = ("name", "property", "itemprop", "http-equiv")
MODIFIED_KEY = re.compile(r"modif|updated|lastmod|last-modified|utime|lastdate")
# Where a page restates a timestamp: <time datetime>, meta contents, scripts (JSON, analytics).
RESTATEMENTS = "//time/@datetime | //meta/@content | //script/text()"
# An ISO 8601 timestamp to the second, with its offset when it has one.
TIMESTAMP = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?(?![\d:])")
# The largest UTC offset in use (UTC+14).
MAX_OFFSET = timedelta(hours=14)
QUARTER_HOUR = timedelta(minutes=15)


def is_modified_meta(meta: Element) -> bool:
    """Tell whether a <meta> states a modification date (article:modified_time, last-modified...)."""
    return any(MODIFIED_KEY.search(meta.get(key, "").lower()) for key in META_KEYS)


def not_publication_dates(root: Element) -> list[Element]:
    """Return the elements whose dates are never the publication date: furniture and modification dates."""
    modified_metas = [meta for meta in root.iterfind(".//meta") if is_modified_meta(meta)]
    return [*root.xpath(FURNITURE), *root.xpath(MODIFIED_ELEMENTS), *modified_metas]


@contextmanager
def without_furniture(root: Element) -> Iterator[Element]:
    """Detach the page's furniture and modification dates for the block's duration."""
    # Detached and put back rather than copied: htmldate copies the tree it is given anyway.
    detached = []
    for node in not_publication_dates(root):
        parent = node.getparent()
        if parent is not None:  # None: inside a block detached already
            detached.append((parent, parent.index(node), node))
            parent.remove(node)  # lxml moves the node's tail text with it
    try:
        yield root
    finally:
        for parent, index, node in reversed(detached):
            parent.insert(index, node)


def generic_published(selector: Selector, url: str | None) -> str | None:
    """Return the publication day ("YYYY-MM-DD") htmldate finds on the page, furniture aside; None if none."""
    with without_furniture(selector.root) as page:
        try:
            found: str | None = find_date(
                page,
                extensive_search=True,
                original_date=True,  # the publication date, never the modification date
                url=url,
                deferred_url_extractor=True,  # the URL's date only when the page states none
            )
        except (ValueError, LxmlError):  # a page htmldate cannot walk has no generic date
            return None
    return found


def is_utc_statement(raw: str) -> bool:
    """Tell whether *raw* is an ISO timestamp written in UTC (Z or a zero offset)."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return False
    return value.tzinfo is not None and value.utcoffset() == timedelta(0) and ("T" in raw or " " in raw.strip())


def _offset_of(written: str, wall: datetime, instant: datetime) -> str | None:
    """Return the offset ("+HH:MM") that makes *wall* the local time of *instant*, from *written* when given."""
    if written:
        offset = datetime.fromisoformat(f"2000-01-01T00:00:00{written}").utcoffset()
    else:
        offset = wall - instant.replace(tzinfo=None)
    if offset is None or not offset or abs(offset) > MAX_OFFSET or offset % QUARTER_HOUR:
        return None
    sign = "-" if offset < timedelta(0) else "+"
    hours, rest = divmod(abs(offset), timedelta(hours=1))
    return f"{sign}{hours:02d}:{rest // timedelta(minutes=1):02d}"


def local_restatement(selector: Selector, raw: str) -> str | None:
    """Return the page's statement of the UTC instant *raw* in its own offset, as ISO; None if it has none."""
    instant = datetime.fromisoformat(raw.strip()).replace(microsecond=0)
    for text in selector.xpath(RESTATEMENTS).getall():
        for day, clock, written in TIMESTAMP.findall(text):
            if written in {"Z", "+00:00", "-00:00", "+0000", "-0000"}:
                continue
            try:
                wall = datetime.fromisoformat(f"{day}T{clock}")
                offset = _offset_of(written, wall, instant)
                stated = datetime.fromisoformat(f"{day}T{clock}{offset}") if offset else None
            except ValueError:  # a digit run that only looks like a timestamp
                continue
            if stated is not None and stated == instant:
                return stated.isoformat()
    return None
