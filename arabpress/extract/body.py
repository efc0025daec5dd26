"""Body paragraphs of an article container, without captions, ads, share bars, datelines or "Read more" lines.

Data tables give a paragraph per row; layout tables are read as containers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from arabpress.extract.dom import Element, class_tokens, comparable, comparable_opening, fold_whitespace, is_blank
from arabpress.extract.evidence import DATE_TEXT

if TYPE_CHECKING:
    from collections.abc import Iterator


# Each of these is one paragraph of the body (a quote is one paragraph however many <p> it holds).
PARAGRAPH_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li"})
LIST_TAGS = frozenset({"ul", "ol"})
# Never body text: media and their captions, code, forms, page furniture, the headline.
SKIPPED_TAGS = frozenset(
    {
        "figure",
        "figcaption",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "svg",
        "canvas",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "aside",
        "nav",
        "h1",
    }
)
INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "font", "i", "mark", "q", "s", "small", "span"}
    | {"strong", "sub", "sup", "time", "u", "var", "wbr", "del", "data", "dfn", "ins", "kbd", "label", "samp", "img"}
)
# Class names of ads, share bars, newsletter and related blocks, captions and theme furniture.
SKIPPED_CLASS = re.compile(
    r"^(?:ads?|ad[-_].*|ads[-_].*|.*[-_]ads?|adsbygoogle|advert.*|sponsor.*|share.*|.*[-_]share|sharedaddy|social.*"
    r"|newsletter.*|.*[-_]newsletter|.*related.*|wp-caption.*|caption|tts-.*|screen-reader-text|sr-only"
    r"|entry-(?:header|meta|footer|subtitle)|amp-(?:lede|byline)|byline|tags-links|cat-links"
    r"|twitter-tweet|instagram-media|tiktok-embed|wp-embedded-content"
    # Datelines: the article's own date and time lines repeated in its body.
    r"|(?:.*[-_])?(?:date|dateline|datetime|pubdate|timestamp|time)|posted-on|published|updated)$"
)
DATE_ITEMPROPS = frozenset({"datePublished", "dateModified", "dateCreated"})
# Links that share the page on another service or send it by mail: what share bars are made of.
SHARE_LINK = re.compile(
    r"^(?:whatsapp|sms|viber|tg):|^mailto:\?|[/.](?:facebook\.com/shar|twitter\.com/(?:intent|share)|x\.com/intent"
    r"|linkedin\.com/(?:share|cws/share)|pinterest\.[a-z.]+/pin/create|reddit\.com/submit|t\.me/share|telegram\.me/share"
    r"|wa\.me/|api\.whatsapp\.com/send|web\.whatsapp\.com/send|tumblr\.com/(?:share|widgets/share)|vk\.com/share"
    r"|getpocket\.com/(?:save|edit)|flipboard\.com/bookmarklet|news\.ycombinator\.com/submitlink|xing\.com/spi/shares)",
    re.IGNORECASE,
)
# Text a share bar may hold besides its links ("Share this:", separators).
SHARE_BAR_TEXT = 40
# After a share bar that closes the text, this many short paragraphs are its furniture (a comment
# notice), when they are little beside the text before the bar.
TRAILING_FURNITURE = 2
TRAILING_FURNITURE_CHARACTERS = 200
TRAILING_FURNITURE_SHARE = 0.25
# A dateline holds a date and at most this many other words ("Published Monday at 5 PM").
DATELINE_WORDS = 4
DATELINE_CHARACTERS = 80
LETTER_WORD = re.compile(r"[^\W\d_]+")
TWO_DIGITS = re.compile(r"\d\d")
# Cells holding these are laid out by the table, not data: the table is read as a container.
BLOCK_TAGS = frozenset({"p", "div", "table", "ul", "ol", "h2", "h3", "h4", "h5", "h6", "blockquote", "section"})
CELL_SEPARATOR = " | "
# A paragraph that only points to another story: "Read more: <link>".
READ_MORE_LABELS = ("read more", "read also", "also read", "see also", "related")
ARABIC_READ_MORE = ("اقرا ايضا", "اقرا المزيد", "اقرا كذلك")
AD_LABELS = frozenset({"advertisement", "advertising", "sponsored", "اعلان", "إعلان"})
READ_MORE_OPENINGS = (*(f"{label}:" for label in READ_MORE_LABELS), *ARABIC_READ_MORE)
# The longest label above: only that much of a paragraph's opening is compared.
LABEL_LENGTH = max(len(label) + 1 for label in (*READ_MORE_LABELS, *ARABIC_READ_MORE, *AD_LABELS))


def is_skipped(element: Element) -> bool:
    """Tell whether an element's subtree is never body text."""
    if element.tag in SKIPPED_TAGS:
        return True
    # Most elements of a body (its paragraphs) have no attribute: one call tells, not four lookups.
    if not element.keys():
        return False
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if element.get("itemprop") in DATE_ITEMPROPS:
        return True
    classes = element.get("class")
    return bool(classes) and has_skipped_class(classes)


# A site's theme writes the same few class attributes on every page: each is matched once.
@lru_cache(maxsize=1024)
def has_skipped_class(classes: str) -> bool:
    """Tell whether a class attribute holds a token of ads, share bars, captions, datelines or furniture."""
    return any(SKIPPED_CLASS.match(token.lower()) for token in class_tokens(classes))


def is_dateline(text: str) -> bool:
    """Tell whether a paragraph is only a date line ("Monday, November 18, 2019 at 5:00 PM")."""
    # Every date DATE_TEXT finds ends in two digits: a scan for them first spares its costly search.
    if len(text) > DATELINE_CHARACTERS or not TWO_DIGITS.search(text) or not DATE_TEXT.search(text):
        return False
    return len(LETTER_WORD.findall(DATE_TEXT.sub(" ", text))) <= DATELINE_WORDS


def _text_outside_share_links(element: Element) -> int:
    """Return how many characters of an element's text are not in share links."""
    shared = sum(len(link.text_content()) for link in element.iter("a") if SHARE_LINK.search(link.get("href", "")))
    return len(element.text_content()) - shared


def share_bars(container: Element) -> set[Element]:
    """Return the container's share bars: the largest blocks whose text is (nearly) all share links."""
    bars = set()
    for link in container.iter("a"):
        if not SHARE_LINK.search(link.get("href", "")):
            continue
        bar, node = None, link
        while node is not None and node is not container and _text_outside_share_links(node) <= SHARE_BAR_TEXT:
            bar, node = node, node.getparent()
        if bar is not None:
            bars.add(bar)
    return bars


def is_layout_table(table: Element) -> bool:
    """Tell whether a table lays out blocks (paragraphs, lists, tables) rather than holding data."""
    return any(isinstance(node.tag, str) and node.tag in BLOCK_TAGS for node in table.iterdescendants())


def table_rows(table: Element) -> Iterator[str]:
    """Yield a data table's rows, cells joined by " | "."""
    for row in table.iter("tr"):
        cells = (paragraph_text(cell) for cell in row if cell.tag in ("td", "th"))
        yield CELL_SEPARATOR.join(cell for cell in cells if cell)


def _is_read_more_lead(lead: str | None) -> bool:
    """Tell whether a paragraph's opening <strong> is a "Read more" label."""
    return lead is not None and comparable(lead).rstrip(" :") in READ_MORE_LABELS


def _opens_read_more(opening: str) -> bool:
    """Tell whether a paragraph's comparable opening is a "Read more" label."""
    return opening.startswith(READ_MORE_OPENINGS)


def is_read_more(text: str, lead: str | None = None) -> bool:
    """Tell whether a paragraph is a "Read more" pointer (``lead`` is the text of its opening <strong>)."""
    return _is_read_more_lead(lead) or _opens_read_more(comparable_opening(text, LABEL_LENGTH))


def is_ad_label(text: str) -> bool:
    """Tell whether a paragraph is only an ad label ("Advertisement")."""
    # A paragraph whose opening is longer than every label is no label.
    return comparable_opening(text, LABEL_LENGTH) in AD_LABELS


def _text_parts(element: Element, nested_lists: bool) -> Iterator[str]:
    """Yield an element's text in order, leaving out skipped subtrees (and nested lists when asked)."""
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and not is_skipped(child) and (nested_lists or child.tag not in LIST_TAGS):
            # Block boundaries and line breaks separate words even without whitespace in the source.
            boundary = "" if child.tag in INLINE_TAGS else " "
            yield boundary
            yield from _text_parts(child, nested_lists)
            yield boundary
        if child.tail:
            yield child.tail


def paragraph_text(element: Element) -> str:
    """Return one paragraph's text: skipped parts left out, ASCII whitespace folded."""
    if not len(element):
        # Most paragraphs hold text only: nothing to leave out or to separate.
        return fold_whitespace(element.text or "")
    # A list item's own text only: its nested lists give paragraphs of their own.
    return fold_whitespace("".join(_text_parts(element, nested_lists=element.tag != "li")))


def _opening_strong(element: Element) -> str | None:
    """Return the text of the <strong>/<b> a paragraph opens with, if it opens with one."""
    first = next((child for child in element if isinstance(child.tag, str)), None) if len(element) else None
    if first is None or first.tag not in ("strong", "b") or not is_blank(element.text or ""):
        return None
    return fold_whitespace(first.text_content())


def _contains_paragraphs(element: Element) -> bool:
    """Tell whether an inline element wraps block content."""
    return any(isinstance(node.tag, str) and node.tag in PARAGRAPH_TAGS for node in element.iterdescendants())


# The first two characters of every label's comparable form (and of each label as written).
LABEL_STARTS = frozenset(
    start for label in (*READ_MORE_OPENINGS, *AD_LABELS) for start in (label[:2], comparable(label)[:2])
)


@lru_cache(maxsize=4096)  # the characters paragraphs open with
def _folded_character(character: str) -> str | None:
    """Return what comparable() makes of a character when that is one character, else None."""
    folded = comparable(character)
    return folded if len(folded) == 1 else None


def may_open_with_label(text: str) -> bool:
    """Tell whether comparable(*text*) may start with a label; False only when its first two characters rule all out."""
    # comparable() folds character by character, whitespace aside: two characters that each fold
    # to one are the first two of comparable(text).
    if len(text) < 2:
        return True
    first, second = _folded_character(text[0]), _folded_character(text[1])
    return first is None or second is None or first + second in LABEL_STARTS


def keep_paragraph(text: str, lead: str | None = None) -> bool:
    """Tell whether a paragraph's text belongs in the body (not blank, a pointer, an ad label or a dateline)."""
    if is_blank(text) or (lead is not None and _is_read_more_lead(lead)):
        return False
    if may_open_with_label(text):
        # The opening is folded once for both label checks.
        opening = comparable_opening(text, LABEL_LENGTH)
        if _opens_read_more(opening) or opening in AD_LABELS:
            return False
    # Most paragraphs are longer than any date line: is_dateline's first test, without the call.
    return len(text) > DATELINE_CHARACTERS or not is_dateline(text)


# What _walk yields where a share bar stood.
SHARE_BAR = None


def _loose_paragraph(run: list[str]) -> str | None:
    """Return the loose inline text gathered in *run* if it is a paragraph to keep; empty the run."""
    text = "".join(run)
    run.clear()
    # Between blocks there is mostly a line break only: blank, nothing to fold or check.
    if text and not text.isspace():
        text = fold_whitespace(text)
        if keep_paragraph(text):
            return text
    return None


def _walk(container: Element, bars: set[Element]) -> Iterator[str | None]:
    """Yield the paragraphs of a container in document order (SHARE_BAR where a share bar is)."""
    run: list[str] = [container.text or ""]  # loose inline text between blocks is a paragraph too
    # The run is read before each block (a plain call: a generator per paragraph cost more).
    for child in container:
        tag = child.tag
        if child in bars:
            if (loose := _loose_paragraph(run)) is not None:
                yield loose
            yield SHARE_BAR
        elif not isinstance(tag, str) or is_skipped(child):
            pass
        elif tag in PARAGRAPH_TAGS:
            if (loose := _loose_paragraph(run)) is not None:
                yield loose
            text = paragraph_text(child)
            if keep_paragraph(text, _opening_strong(child)):
                yield text
            if tag == "li":
                yield from (text for nested in child if nested.tag in LIST_TAGS for text in _walk(nested, bars))
        elif tag == "br":
            if (loose := _loose_paragraph(run)) is not None:
                yield loose
        elif tag == "table" and not is_layout_table(child):
            if (loose := _loose_paragraph(run)) is not None:
                yield loose
            yield from (row for row in table_rows(child) if keep_paragraph(row))
        elif tag in INLINE_TAGS and not _contains_paragraphs(child):
            run.append("".join(_text_parts(child, nested_lists=True)))
        else:
            if (loose := _loose_paragraph(run)) is not None:
                yield loose
            yield from _walk(child, bars)
        run.append(child.tail or "")
    if (loose := _loose_paragraph(run)) is not None:
        yield loose


def without_trailing_furniture(paragraphs: list[str | None]) -> list[str]:
    """Drop share bars, and the few short lines after the share bar that closes the text (a comment notice)."""
    bar_positions = [index for index, paragraph in enumerate(paragraphs) if paragraph is SHARE_BAR]
    texts = [paragraph for paragraph in paragraphs if paragraph is not SHARE_BAR]
    if not bar_positions or bar_positions[-1] == 0:
        return texts
    trailing = [paragraph for paragraph in paragraphs[bar_positions[-1] :] if paragraph is not SHARE_BAR]
    before = sum(len(text) for text in texts[: len(texts) - len(trailing)])
    short = all(len(text) < TRAILING_FURNITURE_CHARACTERS for text in trailing)
    if (
        0 < len(trailing) <= TRAILING_FURNITURE
        and short
        and sum(map(len, trailing)) < before * TRAILING_FURNITURE_SHARE
    ):
        return texts[: len(texts) - len(trailing)]
    return texts


def body_paragraphs(container: Element) -> list[str]:
    """Return the body paragraphs of an article container."""
    return without_trailing_furniture(list(_walk(container, share_bars(container))))
