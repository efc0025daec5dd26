"""Small text and node helpers shared by the extraction layers."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
import weakref
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

from lxml import etree, html
from parsel import Selector, SelectorList
from parsel.csstranslator import css2xpath

from arabpress.extract.classindex import CLASS_NAME, XML_WHITESPACE, class_chains, class_index
from arabpress.urls import LINK_CACHE_SIZE

T = TypeVar("T")
S = TypeVar("S", bound=Selector)

# An lxml element (``Selector.root``); lxml ships no type information.
Element: TypeAlias = Any

# Only ASCII whitespace is folded here; NBSP and friends are the text cleaning pipeline's job.
# Only the runs that change: a lone space stays, so most of a paragraph matches nothing
# (three times faster than replacing every space by itself on long paragraphs).
ASCII_WHITESPACE = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")
TATWEEL = "\u0640"
ALEF_VARIANTS = ("أ", "إ", "آ", "ٱ")
ALEF_FORMS = str.maketrans(dict.fromkeys(ALEF_VARIANTS, "ا"))


def fold_whitespace(text: str) -> str:
    """Fold runs of ASCII whitespace to one space and trim them at both ends."""
    # Most texts hold single spaces only: these C substring scans (of what ASCII_WHITESPACE can
    # match first) are ten times faster than the regex; spelt out, no generator runs.
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = ASCII_WHITESPACE.sub(" ", text)
    return text.strip(" ")


def is_blank(text: str) -> bool:
    """Tell whether a text holds nothing visible (only whitespace and format characters)."""
    first = text[:1]
    # No ASCII character is a format character (Cf): most texts need no category lookup.
    if first and not first.isspace() and (first.isascii() or unicodedata.category(first) != "Cf"):
        return False  # most texts start with a visible character: no generator runs
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


@functools.cache
def _dropped_characters() -> re.Pattern[str]:
    """Return a pattern of the characters _comparable_table() drops, as ranges of a character class."""
    codes = sorted(code for code, value in _comparable_table().items() if value is None)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges) + "]")


def comparable(text: str) -> str:
    """Reduce a text to a form for equality checks only (never stored)."""
    # The table maps no ASCII character (no format character, mark or alef is ASCII), and
    # isascii() reads a flag: most English texts skip the per-character work.
    if not text.isascii():
        # What translate(_comparable_table()) does, in C scans: its per-character dict lookups
        # cost three times as much on Arabic text.
        text = _dropped_characters().sub("", text)
        for alef in ALEF_VARIANTS:
            if alef in text:
                text = text.replace(alef, "ا")
    # split() and join() fold the same Unicode whitespace as re's \s, several times faster.
    return " ".join(text.split()).casefold()


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


VISIBLE_TEXT = ".//text()[not(ancestor::script or ancestor::style)]"
VISIBLE_TEXTS = etree.XPath(VISIBLE_TEXT, smart_strings=False)
INVISIBLE = frozenset({"script", "style"})


def node_text(node: Selector | Element) -> str:
    """Return the visible text of a Selector or an element, whitespace-folded (scripts and styles left out)."""
    root = node.root if isinstance(node, Selector) else node
    if isinstance(root, etree._Element) and isinstance(root.tag, str) and not len(root) and root.tag not in INVISIBLE:
        # An element with text only (a headline, a link): its one text node, as VISIBLE_TEXT selects it.
        # The HTML parser gives scripts and styles no child elements, so no element is inside one.
        return fold_whitespace(root.text or "")
    # Compiled once, plain strings: this runs on every node a text field reads.
    parts = VISIBLE_TEXTS(root) if isinstance(root, etree._Element) else node.xpath(VISIBLE_TEXT).getall()
    return fold_whitespace(" ".join(parts))


def document_classes(document: Element) -> frozenset[str]:
    """Return every class token of a parsed document (its root element), as XPath's class tests split them."""
    return class_index(document).classes


# A query of one lower-case tag name ("figcaption", "h1"): parsel's translation lower-cases names.
TAG_QUERY = re.compile(r"[a-z][a-z0-9]*")
# How parsel's CSS translation (cssselect) tests a class: a predicate on every element of the scope.
CLASS_STEP = re.compile(
    r"\[@class and contains\(@class, '([^']+)'\)"
    r" and contains\(concat\(' ', normalize-space\(@class\), ' '\), ' \1 '\)\]"
    r"(?=/|$| \|)"  # the step's only predicate: nothing positional follows
)
# The same test on the class attributes themselves: libxml2 skips the elements without one (the
# paragraphs of a body), twice as fast; the parents of the matching attributes are the same nodes.
CLASS_ATTRIBUTE_STEP = r"/@class[contains(., '\1') and contains(concat(' ', normalize-space(.), ' '), ' \1 ')]/.."
# An attribute's value ([itemprop=articleBody]), the step's only predicate, and its attribute form.
VALUE_STEP = re.compile(r"\[@([\w-]+) = '([^']*)'\](?=/|$| \|)")
VALUE_ATTRIBUTE_STEP = r"/@\1[. = '\2']/.."


@functools.lru_cache(maxsize=256)
def css_xpath(query: str) -> etree.XPath:
    """Compile a CSS query as parsel translates it, class and value tests moved onto the attributes."""
    xpath = VALUE_STEP.sub(VALUE_ATTRIBUTE_STEP, CLASS_STEP.sub(CLASS_ATTRIBUTE_STEP, css2xpath(query)))
    return etree.XPath(xpath, smart_strings=False)


def css_nodes(scope: Selector | Element, query: str) -> list[Element]:
    """Return the elements a CSS query matches in *scope*; no scan when the page lacks the classes it needs."""
    root = scope.root if isinstance(scope, Selector) else scope
    if not hasattr(root, "getroottree"):  # a text or attribute value holds no elements
        return []
    if TAG_QUERY.fullmatch(query):
        # descendant-or-self::tag, as lxml's walk by tag name gives it: no XPath to run.
        return list(root.iter(query))
    document = root.getroottree().getroot()
    index = class_index(document)
    # Each comma-separated branch needs all its classes and attribute values: a branch lacking
    # one matches nothing, and is left out of the query (each branch tests every element of the scope).
    branches = [
        branch
        for branch, classes, values in query_branches(query)
        if classes <= index.classes and all(value in attribute_values(document, name) for name, value in values)
    ]
    if not branches:
        return []
    kept = ",".join(branches)
    chains = class_chains(kept)
    if chains is not None:
        # Tags, classes and descendants only: answered from the page's class index, no scan.
        return index.select(root, chains)
    # Elements straight from lxml: no Selector is built for each match.
    found: list[Element] = css_xpath(kept)(root)
    return found


# An attribute's value test as the theme's queries write it ([itemprop=articleBody]); parsel's
# translation lower-cases the attribute's name.
ATTRIBUTE_VALUE = re.compile(r"\[([\w-]+)=([\w-]+)\]")


@functools.lru_cache(maxsize=256)
def query_branches(query: str) -> tuple[tuple[str, frozenset[str], frozenset[tuple[str, str]]], ...]:
    """Return the comma-separated branches of a CSS query, each with the classes and attribute values it needs."""
    return tuple(
        (
            branch,
            frozenset(CLASS_NAME.findall(branch)),
            frozenset((name.lower(), value) for name, value in ATTRIBUTE_VALUE.findall(branch)),
        )
        for branch in query.split(",")
    )


@functools.lru_cache(maxsize=4)  # the pages being read now (one attribute is asked); more would only hold them
def attribute_values(document: Element, name: str) -> frozenset[str]:
    """Return every value of an attribute in a parsed document (its root element)."""
    return frozenset(_attribute_values(name)(document))


@functools.lru_cache(maxsize=16)
def _attribute_values(name: str) -> etree.XPath:
    """Return the compiled query of an attribute's values."""
    return etree.XPath(f"//@{name}", smart_strings=False)


def css(selector: Selector, query: str) -> SelectorList[Selector]:
    """Run a CSS query (as css_nodes does) and return its matches as Selectors."""
    if not hasattr(selector.root, "getroottree"):
        return selector.css(query)
    return SelectorList(type(selector)(root=node, type="html") for node in css_nodes(selector, query))


def texts(scope: Selector | Element, query: str) -> list[str]:
    """Return the folded, non-empty texts of the nodes a CSS query matches, repeats dropped."""
    return clean_values(node_text(node) for node in css_nodes(scope, query))


def first_text(scope: Selector | Element, *queries: str) -> str | None:
    """Return the first non-empty text matched by the CSS queries, tried in order."""
    for query in queries:
        found = texts(scope, query)
        if found:
            return found[0]
    return None


# A link that names its host ("https://host/..."): urljoin reads only the scheme of the page's URL
# for it; for a path from the root ("/2024/01/02/story/"), only its scheme and host. (Characters
# urlsplit removes, a host-less "https:///" or a "//host" link take the general path.)
LINK_WITH_HOST = re.compile(r"https?://[^/?#\t\r\n][^\t\r\n]*")
LINK_FROM_ROOT = re.compile(r"/[^/\t\r\n][^\t\r\n]*|/")
WEB_SCHEMES = frozenset({"http", "https"})
# A path from the root that urljoin only prefixes with the origin: no dot segment to remove, no
# ;params, and a "?" or "#" only before a non-empty query or fragment (urljoin drops empty ones).
# A link with its host that urljoin only splits and re-joins: a host of letters, digits, dots and
# hyphens (no port or credentials to check), no ;params, and no empty "?" or "#" (dropped).
PLAIN_WITH_HOST = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[^;?#\t\r\n]*)?(?:\?[^#\t\r\n]+)?(?:#[^\t\r\n]+)?")
PLAIN_FROM_ROOT = re.compile(r"/(?![/.])[^/;?#\t\r\n]*(?:/(?!\.)[^/;?#\t\r\n]*)*(?:\?[^#\t\r\n]+)?(?:#[^\t\r\n]+)?")


def absolute(href: str, base_url: str) -> str | None:
    """Resolve a link against the page's base URL; None for non-web links."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:", "whatsapp:")):
        return None
    with_host = LINK_WITH_HOST.fullmatch(href) is not None
    if with_host or LINK_FROM_ROOT.fullmatch(href):
        scheme, host = _scheme_and_host(base_url)
        if scheme in WEB_SCHEMES:
            if with_host and PLAIN_WITH_HOST.fullmatch(href):
                # urljoin gives such a link back as written (its parts re-joined unchanged).
                return href
            if not with_host and PLAIN_FROM_ROOT.fullmatch(href):
                # Most of a page's own links (its images, its related stories) are new to the
                # cache below: joined as urljoin would, without its parsing.
                origin = f"{scheme}://{host}"
                return origin + href if _is_usable_origin(origin) else None
            # The same link on every page of a site (menus, related lists) is resolved once.
            return _resolved_link(f"{scheme}://" if with_host else f"{scheme}://{host}", href)
    return _resolved(base_url, href)


@functools.lru_cache(maxsize=64)  # the origins of the pages being read
def _is_usable_origin(origin: str) -> bool:
    """Tell whether links on *origin* can be followed (its port, if any, is valid and not 0)."""
    return _resolved(origin, "/") is not None


@functools.lru_cache(maxsize=64)  # the base URLs of the pages being read
def _scheme_and_host(url: str) -> tuple[str, str]:
    """Return the scheme and the host (netloc) urljoin reads from *url*."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _resolved(base_url: str, href: str) -> str | None:
    """Join *href* to *base_url*; None unless the result is a web URL with a usable port."""
    resolved = urljoin(base_url, href)
    if not resolved.startswith(("http://", "https://")):
        return None
    try:
        port = urlsplit(resolved).port
    except ValueError:  # an invalid port: no one can follow the link
        return None
    return resolved if port != 0 else None


_resolved_link = functools.lru_cache(maxsize=LINK_CACHE_SIZE)(_resolved)


def class_tokens(classes: str | None) -> set[str]:
    """Split a class attribute into its tokens."""
    return set((classes or "").split())


# Each token test starts with the plain substring test the token match implies: libxml2 then
# builds the normalized, padded string only for the few values that hold the name at all.
def has_class_xpath(name: str) -> str:
    """Return an XPath predicate body that tests for one class token."""
    return f"(contains(@class, '{name}') and contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"


def has_token_xpath(name: str) -> str:
    """Return an XPath predicate body that tests an attribute node (``.``) for one token."""
    return f"(contains(., '{name}') and contains(concat(' ', normalize-space(.), ' '), ' {name} '))"


def has_token(value: str | None, name: str) -> bool:
    """Tell whether an attribute value holds *name* as a token, as has_token_xpath tests it."""
    # The substring test first, as in the XPath: most values do not hold the name at all.
    if not value or name not in value:
        return False
    return name in XML_WHITESPACE.split(value)


def element_of(selector: Selector) -> Element | None:
    """Return the element a Selector holds, None for a text value (which no query selects in)."""
    return selector.root if isinstance(selector.root, etree._Element) else None


def _native_html_classes() -> etree.ElementNamespaceClassLookup:
    """Return lxml.html's element classes by tag name, as a lookup lxml runs in C."""
    default = etree.ElementDefaultClassLookup(
        element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity
    )
    lookup = etree.ElementNamespaceClassLookup(default)
    # The form controls' classes; lxml's HTML parser writes every tag name in lower case.
    lookup.get_namespace(None).update(html.HtmlElementClassLookup._default_element_classes)
    return lookup


NATIVE_HTML_CLASSES = _native_html_classes()


def with_native_classes(selector: S) -> S:
    """Have lxml find the classes of the selector's page elements in C from now on (same classes); return it.

    lxml.html's lookup is a Python method, called for each element the extraction touches
    (a page's paragraphs, metas, links): the parser of a page parsed for itself is told to
    use the same classes from a lookup table. A parser that other documents share is left alone.
    """
    element = element_of(selector)
    parser = element.getroottree().parser if element is not None else None
    # Exactly lxml.html's parser: a subclass may have chosen classes of its own.
    if isinstance(parser, html.HTMLParser) and type(parser) is html.HTMLParser and parser is not html.html_parser:
        parser.set_element_class_lookup(NATIVE_HTML_CLASSES)
    return selector


def page_root(selector: Selector) -> Element | None:
    """Return the root element of the selector's document (what // queries scan), None for a text value."""
    element = element_of(selector)
    return element.getroottree().getroot() if element is not None else None


def has_rel_xpath(name: str) -> str:
    """Return an XPath predicate body that tests for one ``rel`` token."""
    return f"(contains(@rel, '{name}') and contains(concat(' ', normalize-space(@rel), ' '), ' {name} '))"


def once_per_page(function: Callable[[Selector], T]) -> Callable[[Selector], T]:
    """Cache a whole-page reading for as long as its Selector lives (each // XPath scans the page)."""
    results: weakref.WeakKeyDictionary[Selector, T] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def cached(selector: Selector) -> T:
        # One lookup (each makes a weak reference): these are asked twenty times a page.
        try:
            return results[selector]
        except KeyError:
            value = results[selector] = function(selector)
            return value

    return cached
