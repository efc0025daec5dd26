"""Body paragraphs of an article container, without captions, ads, share bars or "Read more" lines."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from arabpress.extract.dom import Element, class_tokens, comparable, comparable_opening, fold_whitespace, is_blank

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
        "table",
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
    r"|twitter-tweet|instagram-media|tiktok-embed|wp-embedded-content)$"
)
# A paragraph that only points to another story: "Read more: <link>".
READ_MORE_LABELS = ("read more", "read also", "also read", "see also", "related")
ARABIC_READ_MORE = ("اقرا ايضا", "اقرا المزيد", "اقرا كذلك")
AD_LABELS = frozenset({"advertisement", "advertising", "sponsored", "اعلان", "إعلان"})
# The longest label above: only that much of a paragraph's opening is compared.
LABEL_LENGTH = max(len(label) + 1 for label in (*READ_MORE_LABELS, *ARABIC_READ_MORE, *AD_LABELS))


def is_skipped(element: Element) -> bool:
    """Tell whether an element's subtree is never body text."""
    if element.tag in SKIPPED_TAGS or element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return any(SKIPPED_CLASS.match(token.lower()) for token in class_tokens(element.get("class")))


def is_read_more(text: str, lead: str | None = None) -> bool:
    """Tell whether a paragraph is a "Read more" pointer (``lead`` is the text of its opening <strong>)."""
    if lead is not None and comparable(lead).rstrip(" :") in READ_MORE_LABELS:
        return True
    folded = comparable_opening(text, LABEL_LENGTH)
    return folded.startswith(tuple(f"{label}:" for label in READ_MORE_LABELS)) or folded.startswith(ARABIC_READ_MORE)


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
    # A list item's own text only: its nested lists give paragraphs of their own.
    return fold_whitespace("".join(_text_parts(element, nested_lists=element.tag != "li")))


def _opening_strong(element: Element) -> str | None:
    """Return the text of the <strong>/<b> a paragraph opens with, if it opens with one."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children or children[0].tag not in ("strong", "b") or not is_blank(element.text or ""):
        return None
    return fold_whitespace(children[0].text_content())


def _contains_paragraphs(element: Element) -> bool:
    """Tell whether an inline element wraps block content."""
    return any(isinstance(node.tag, str) and node.tag in PARAGRAPH_TAGS for node in element.iterdescendants())


def _keep(text: str, lead: str | None = None) -> bool:
    """Tell whether a paragraph's text belongs in the body."""
    return not is_blank(text) and not is_read_more(text, lead) and not is_ad_label(text)


def _walk(container: Element) -> Iterator[str]:
    """Yield the paragraphs of a container in document order."""
    run: list[str] = [container.text or ""]  # loose inline text between blocks is a paragraph too

    def flush() -> Iterator[str]:
        text = fold_whitespace("".join(run))
        run.clear()
        if _keep(text):
            yield text

    for child in container:
        if not isinstance(child.tag, str) or is_skipped(child):
            pass
        elif child.tag in PARAGRAPH_TAGS:
            yield from flush()
            text = paragraph_text(child)
            if _keep(text, _opening_strong(child)):
                yield text
            if child.tag == "li":
                yield from (text for nested in child if nested.tag in LIST_TAGS for text in _walk(nested))
        elif child.tag == "br":
            yield from flush()
        elif child.tag in INLINE_TAGS and not _contains_paragraphs(child):
            run.append("".join(_text_parts(child, nested_lists=True)))
        else:
            yield from flush()
            yield from _walk(child)
        run.append(child.tail or "")
    yield from flush()


def body_paragraphs(container: Element) -> list[str]:
    """Return the body paragraphs of an article container."""
    return list(_walk(container))
