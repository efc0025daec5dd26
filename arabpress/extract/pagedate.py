"""Publication date signals beyond the article's own layers: a generic finder and the page's zone.

When JSON-LD, meta tags, microdata and the theme give no publication date, htmldate looks
for one on the whole page (other meta names, JSON-LD of any type, ``<time>``, visible
date text), with what never dates the article detached first: the masthead (today's
date), the site footer (copyright year), related stories, comments, modification dates.
The URL's date comes last. An instant written in UTC says nothing of the page's own day:
the page usually states the same instant elsewhere in its own offset, which is preferred.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from htmldate import find_date
from lxml.etree import LxmlError, XPath

from arabpress.extract.dom import Element, has_class_xpath
from arabpress.extract.evidence import DATE_TEXT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsel import Selector

# Page furniture whose dates are not the article's: the site's banner (its masthead shows
# today's date) and footer (the copyright year), lists of other stories and comments. None
# of them holds the headline (an article's own <header> does), which keeps a wrapper such
# as "has-comments" safe. Simple paths in a union: one predicate over every element of a
# large page costs milliseconds.
FURNITURE = XPath(
    "//header[not(ancestor::article or ancestor::main)] | //footer[not(ancestor::article or ancestor::main)]"
    " | //*[@role='banner' or @role='contentinfo' or @id='comments' or (@class and ("
    "contains(@class, 'header-date') or contains(@class, 'masthead') or contains(@class, 'site-header')"
    " or contains(@class, 'related') or contains(@class, 'comment')))]"
)
PAGE_ELEMENTS = frozenset({"html", "head", "body"})
# Modification dates, which htmldate falls back on when it finds no publication date.
MODIFIED_ELEMENTS = (
    f"//*[@itemprop='dateModified'] | //time[{has_class_xpath('updated')}][not({has_class_xpath('published')})]"
)
META_KEYS = ("name", "property", "itemprop", "http-equiv")
# Modification dates, and og:url, whose date htmldate would take before the page's own (the URL comes last).
NOT_DATE_KEY = re.compile(r"modif|updated|lastmod|last-modified|utime|lastdate|^og:url$")
EMPTY_PAGE = "<html><body></body></html>"
# Where a page restates a timestamp: <time datetime>, meta contents, scripts (JSON, analytics).
# Plain strings straight from lxml: scripts run to hundreds of kilobytes on news pages.
RESTATEMENTS = XPath("//time/@datetime | //meta/@content | //script/text()", smart_strings=False)
UTC_OFFSETS = frozenset({"Z", "+00:00", "-00:00", "+0000", "-0000"})
# An ISO 8601 timestamp to the second ("2023-11-08T22:28:35"), with its offset when it has one.
STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?(?![\d:])")
STAMP_SECONDS_AT = len("2023-11-08T22:28")
NOT_BEFORE_STAMP = frozenset("0123456789-")
# The largest UTC offset in use (UTC+14), and the westernmost (UTC-12).
MAX_OFFSET = timedelta(hours=14)
MIN_OFFSET = timedelta(hours=-12)
QUARTER_HOUR = timedelta(minutes=15)
ONE_HOUR = timedelta(hours=1)
# A month in a URL's path: /2011/12/ (a story's folder; dates in other months there are other stories').
URL_MONTH = re.compile(r"/((?:19|20)\d\d)/([01]\d)(?:/|$)")
DIGITS = re.compile(r"\d+")
# A whole day in a URL's path: /2023/11/02/.
URL_DAY = re.compile(r"/((?:19|20)\d\d)/([01]\d)/([0-3]\d)(?:/|$)")


def is_not_date_meta(meta: Element) -> bool:
    """Tell whether a <meta> is a modification date (article:modified_time, last-modified...) or og:url."""
    return any(NOT_DATE_KEY.search(meta.get(key, "").lower()) for key in META_KEYS)


def not_publication_dates(root: Element) -> list[Element]:
    """Return the elements whose dates are never the publication date: furniture and modification dates."""
    furniture = [node for node in FURNITURE(root) if node.tag not in PAGE_ELEMENTS and node.find(".//h1") is None]
    metas = [meta for meta in root.iterfind(".//meta") if is_not_date_meta(meta)]
    return [*furniture, *root.xpath(MODIFIED_ELEMENTS), *metas]


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


def page_date(page: Element, *, extensive: bool, month: tuple[datetime, datetime] | None = None) -> str | None:
    """Return the publication day htmldate finds in the page's markup and text, without its URL.

    ``month`` (first and last day) bounds the days taken: the month the URL files the page under.
    """
    first, last = month or (None, None)
    try:
        found: str | None = find_date(
            page,
            extensive_search=extensive,
            original_date=True,  # the publication date, never the modification date
            url="",  # not None: htmldate would read the canonical link's date before the page's
            min_date=first,
            max_date=last,
        )
    except (ValueError, LxmlError):  # a page htmldate cannot walk has no generic date
        return None
    return found


def url_date(url: str | None) -> str | None:
    """Return the day of a /YYYY/MM/DD/-style URL, read by htmldate's URL rules."""
    return find_date(EMPTY_PAGE, extensive_search=False, url=url) if url else None


def generic_published(selector: Selector, url: str | None) -> str | None:
    """Return the publication day ("YYYY-MM-DD") htmldate finds on the page, furniture aside, else in the URL."""
    month = url_month(url) if url else None
    with without_furniture(selector.root) as page:
        # The quick search finds most dates; the extensive one (visible text in any language) costs more.
        found = page_date(page, extensive=False, month=month) or page_date(page, extensive=True, month=month)
    return found or url_date(url)


def url_month(url: str) -> tuple[datetime, datetime] | None:
    """Return the first and last day of the month a URL's path files the page under (``/2011/12/``)."""
    match = URL_MONTH.search(urlsplit(url).path)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return datetime(year, month, 1), following - timedelta(days=1)


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


def timestamps_ending(text: str, second: int) -> Iterator[tuple[str, str, str]]:
    """Yield (day, clock, offset) of the ISO timestamps to the second in *text* whose seconds are *second*."""
    # An offset never changes the seconds: a plain search for ":SS" finds the few places to try,
    # far faster than a pattern tried at every position of a long script.
    needle = f":{second:02d}"
    found = text.find(needle, STAMP_SECONDS_AT)
    while found != -1:
        start = found - STAMP_SECONDS_AT
        match = STAMP.match(text, start)
        if match and (start == 0 or text[start - 1] not in NOT_BEFORE_STAMP):
            yield match[1], match[2], match[3] or ""
        found = text.find(needle, found + 1)


def local_restatement(selector: Selector, raw: str) -> str | None:
    """Return the page's statement of the UTC instant *raw* in its own offset, as ISO; None if it has none."""
    instant = datetime.fromisoformat(raw.strip()).replace(microsecond=0)
    for text in RESTATEMENTS(selector.root):
        for day, clock, written in timestamps_ending(text, instant.second):
            if written in UTC_OFFSETS:
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


def url_day_restatement(raw: str, url: str) -> str | None:
    """Return the UTC instant *raw* on the day its URL's path names (``/2023/11/02/``), as ISO; None if it has none.

    A site files a story under its own day; an instant within the largest offset of that day is
    restated with the smallest whole-hour offset that puts it there: the same instant, the page's day.
    """
    match = URL_DAY.search(urlsplit(url).path)
    if match is None:
        return None
    instant = datetime.fromisoformat(raw.strip()).replace(microsecond=0)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # /2023/13/45/ is no day
        return None
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    if instant < start:
        offset = -((instant - start) // ONE_HOUR) * ONE_HOUR  # the hours up to the day's start
    elif instant >= end:
        offset = -((instant - end) // ONE_HOUR + 1) * ONE_HOUR  # back to the day's last hour
    else:
        return None
    if not offset or not MIN_OFFSET <= offset <= MAX_OFFSET:
        return None
    return instant.astimezone(timezone(offset)).isoformat()


def states_another_day(text: str, raw: str) -> bool:
    """Tell whether visible *text* writes a date (day, month, year) more than a day from the ISO value *raw*."""
    if DATE_TEXT.search(text) is None:
        return False
    try:
        day = date.fromisoformat(raw.strip()[: len("2019-07-03")])
    except ValueError:
        return False
    numbers = {int(number) for number in DIGITS.findall(text)}
    # The day before or after is the same moment in another zone.
    near = (day + timedelta(days=shift) for shift in (-1, 0, 1))
    return not any(near_day.day in numbers and numbers & {near_day.year, near_day.year % 100} for near_day in near)
