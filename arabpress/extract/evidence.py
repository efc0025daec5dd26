"""What a page shows about its kind when it declares none: its address, headline, dates and layout.

Each function reads one signal; ``arabpress.extract.kind`` weighs them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from arabpress.extract.dom import Element, class_tokens, comparable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from parsel import Selector

# A date in a path: /2019/11/18/, /2018/08/, 20231102, 2019-11-18.
PATH_DATE = re.compile(r"(?:^|/)(?:19|20)\d\d/[01]?\d(?:/|$)|(?<!\d)(?:19|20)\d\d-?[01]\d-?[0-3]\d(?!\d)")
# Words of a slug: letters or digits between separators.
SLUG_WORD = re.compile(r"[^\W_]+")
SLUG_SEPARATORS = re.compile(r"[-_.+]")
# A slug of this many words (schattiges_plaetzchen, dieta-atkinsa.html), or an id of this many
# digits, names one item rather than a collection ("news", "about").
SLUG_WORDS = 2
ID_DIGITS = 3
# File names that name a listing or the site itself, not one item.
INDEX_NAMES = frozenset({"index", "default", "home", "main", "start"})
PAGE_EXTENSIONS = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.IGNORECASE)
# Path segments of collections: tags, sections, authors, archives, searches, pagination.
LISTING_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "topic", "topics", "author", "authors", "archive", "archives"}
    | {"search", "page", "label", "labels", "section", "sections", "feed"}
)
SEARCH_PARAMETERS = frozenset({"s", "q", "query", "search", "keyword", "keywords"})
SEARCH_PATH = re.compile(r"(?:^|/)search(?:/|\.|$)", re.IGNORECASE)
# Forum software and schema.org types of discussion threads.
FORUM_TYPES = re.compile(r'"@type"\s*:\s*(?:"DiscussionForumPosting"|\[[^\]]*"DiscussionForumPosting")')
FORUM_PATH = re.compile(
    r"(?:^|/)(?:forums?|threads?|viewtopic\.php|showthread\.php|topic|board)(?:/|$|[?.])", re.IGNORECASE
)
FORUM_CLASSES = frozenset({"bbpress", "forum", "forums", "phpbb", "vbulletin", "xenforo", "discourse", "topic-view"})
# Where a page states a date: meta names and microdata of dates, <time>, JSON-LD date keys.
DATE_META = (
    "//meta[contains(translate(concat(@name, @property, @itemprop, @http-equiv), 'DATEPUBLISHCR', 'datepublishcr'),"
    " 'date') or contains(translate(concat(@name, @property, @itemprop), 'PUBLISHED', 'published'), 'published')]"
    "/@content"
)
DATE_ELEMENTS = "//time | //*[@itemprop='datePublished' or @itemprop='dateCreated']"
JSONLD_DATE = re.compile(r'"date(?:Published|Created)"\s*:\s*"\d{4}-\d\d-\d\d')
# A date written out: 2019-11-18, 18.11.2019, 11/18/2019, 18 November 2019, November 18, 2019.
DATE_TEXT = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d[-/.][01]?\d[-/.][0-3]?\d|[0-3]?\d[-/.][01]?\d[-/.](?:19|20)?\d\d"
    r"|[0-3]?\d\.?\s+[^\W\d_]{3,12}\.?,?\s+(?:19|20)\d\d|[^\W\d_]{3,12}\.?\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d)"
    r"(?!\d)"
)
# How much text after the headline is searched for its date line.
DATE_TEXT_WINDOW = 600
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
# An id in a path segment or query value: 3834, idx=8576, article717.
ITEM_ID = re.compile(r"[^\W\d_]*\d{3,}")
# A headline has at least this many words; twice as many make a title a headline by itself.
HEADLINE_WORDS = 3
# Share of the shorter of title and heading that the other repeats.
HEADLINE_OVERLAP = 0.6
TITLE_WORD = re.compile(r"[^\W_]+")


def path_segments(url: str) -> list[str]:
    """Return the non-empty segments of a URL's path."""
    return [segment for segment in urlsplit(url).path.split("/") if segment]


def _names_one_item(segment: str) -> bool:
    """Tell whether a path segment is a slug of several words or carries an id."""
    stem = PAGE_EXTENSIONS.sub("", segment)
    if stem.lower() in INDEX_NAMES:
        return False
    words = SLUG_WORD.findall(stem)
    if any(word.isdigit() and len(word) >= ID_DIGITS for word in words):
        return True
    return len(words) >= SLUG_WORDS and len(SLUG_SEPARATORS.findall(stem)) >= SLUG_WORDS - 1


def is_permalink(url: str) -> bool:
    """Tell whether a URL has the shape of one item's address: a slug, an id or a date in its path or query."""
    parts = urlsplit(url)
    segments = path_segments(url)
    if is_listing_url(url):
        return False
    if PATH_DATE.search(parts.path) and segments and not segments[-1].isdigit():
        return True
    if segments and _names_one_item(segments[-1]):
        return True
    # /article/3834/1, /news/news_view.html?idx=8576, /?p=959, spip.php?article717
    values = [value.strip("/") for _, value in parse_qsl(parts.query)] + parts.query.split("&") + segments
    return any(ITEM_ID.fullmatch(value) for value in values if value)


def is_listing_url(url: str) -> bool:
    """Tell whether a URL is a site's front, or a tag, section, author, archive, search or pagination page."""
    segments = [segment.lower() for segment in path_segments(url)]
    if is_search_url(url):
        return True
    if not segments or (len(segments) == 1 and PAGE_EXTENSIONS.sub("", segments[0]) in INDEX_NAMES):
        return not urlsplit(url).query
    # /tag/NAME/, /category/NAME/, /page/2/ (also under a section), /archives/
    return segments[-1] in LISTING_SEGMENTS or (len(segments) >= 2 and segments[-2] in LISTING_SEGMENTS)


def is_search_url(url: str) -> bool:
    """Tell whether a URL is a search: a search path or a search query parameter."""
    parts = urlsplit(url)
    names = {name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(SEARCH_PATH.search(parts.path)) or bool(names & SEARCH_PARAMETERS)


def is_forum_thread(selector: Selector, url: str) -> bool:
    """Tell whether the page is a discussion thread: forum markup, forum software classes or a forum path."""
    scripts = selector.xpath("//script[@type='application/ld+json']/text()").getall()
    if any(FORUM_TYPES.search(script) for script in scripts):
        return True
    classes = class_tokens(" ".join(selector.xpath("//body/@class | /html/@class").getall()))
    if {token.lower() for token in classes} & FORUM_CLASSES:
        return True
    return bool(FORUM_PATH.search(urlsplit(url).path))


def has_date(selector: Selector, url: str) -> bool:
    """Tell whether the page states a date: date metas, <time>, datePublished, the URL, or text by the headline."""
    if PATH_DATE.search(urlsplit(url).path) or selector.xpath(DATE_ELEMENTS):
        return True
    if any(DATE_TEXT.search(value) for value in selector.xpath(DATE_META).getall()):
        return True
    scripts = selector.xpath("//script[@type='application/ld+json']/text()").getall()
    if any(JSONLD_DATE.search(script) for script in scripts):
        return True
    return has_dated_headline(selector)


def has_dated_headline(selector: Selector) -> bool:
    """Tell whether a date is written in the visible text around the page's first <h1>."""
    return DATE_TEXT.search(headline_surroundings(selector)) is not None


def _text_run(nodes: Iterable[Element], limit: int) -> str:
    """Return the visible text of *nodes* in order, stopping past *limit* characters."""
    parts: list[str] = []
    size = 0
    for node in nodes:
        if not isinstance(node.tag, str) or node.tag in INVISIBLE_TAGS:
            continue
        for text in node.itertext():
            parts.append(text)
            size += len(text)
            if size > limit:
                return " ".join(parts)
    return " ".join(parts)


def headline_surroundings(selector: Selector) -> str:
    """Return the visible text right around the page's first <h1> (where bylines and date lines sit)."""
    found = selector.xpath("(//h1)[1]")
    if not found:
        return ""
    heading = found[0].root
    texts = []
    # The headline's siblings, then its parent's: the byline and date line sit in one of them.
    for node in (heading, heading.getparent()):
        if node is None:
            break
        texts.append(_text_run(node.itersiblings(preceding=True), DATE_TEXT_WINDOW // 3))
        texts.append(_text_run(node.itersiblings(), DATE_TEXT_WINDOW))
    return " ".join(" ".join(texts).split())


def headline(selector: Selector, title: str | None) -> bool:
    """Tell whether the page's title names one item: a heading says it again, or it is a sentence long."""
    words = set(TITLE_WORD.findall(comparable(title or "")))
    if len(words) >= HEADLINE_WORDS * 2:
        return True
    if len(words) < HEADLINE_WORDS:
        return False
    for heading in selector.xpath("//h1 | //h2")[:12]:
        said = set(TITLE_WORD.findall(comparable(" ".join(heading.xpath(".//text()").getall()))))
        if len(said) >= HEADLINE_WORDS and len(said & words) >= HEADLINE_OVERLAP * min(len(said), len(words)):
            return True
    return False
