"""A page's elements by class token, read in one pass, and the CSS class queries it answers.

Each CSS class query run as XPath tests the class attribute of every element in its scope;
the theme's queries (``.entry-content``, ``.tags-links a``, ``.byline .author a``...) would
each scan most of the page. One scan lists the elements that have a class attribute; the
queries made of tag names, classes and descendant combinators are then answered from that
list, in document order as XPath returns them. Any other query is left to XPath.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Iterable

# An lxml element; lxml ships no type information.
Element: TypeAlias = Any

CLASSED_ELEMENTS = etree.XPath("//@class/..")
DESCENDANT_HREFS = etree.XPath("descendant::a/@href", smart_strings=False)
# XPath's normalize-space(), which the class test of parsel's CSS translation uses, splits at these
# only (not at NBSP or other Unicode spaces).
XML_WHITESPACE = re.compile(r"[ \t\r\n]+")
# One compound selector: a lower-case tag name (parsel lower-cases names), classes, or both.
COMPOUND = re.compile(r"([a-z][a-z0-9]*)?((?:\.-?[_a-zA-Z][\w-]*)*)")
# A class in a CSS query (".entry-content").
CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


class Compound(NamedTuple):
    """A compound selector: an element's tag name (None for any) and the classes it must have."""

    tag: str | None
    classes: frozenset[str]


Chain: TypeAlias = tuple[Compound, ...]  # compounds joined by descendant combinators


@functools.lru_cache(maxsize=1024)  # a site's theme writes the same class attributes on every page
def xml_tokens(value: str) -> frozenset[str]:
    """Return the tokens of a class attribute as XPath's normalize-space() splits it."""
    return frozenset(token for token in XML_WHITESPACE.split(value) if token)


class ClassIndex:
    """The elements of one document that have a class attribute, by token and in document order."""

    def __init__(self, document: Element) -> None:
        self.document = document
        self.elements: list[Element] = CLASSED_ELEMENTS(document)
        # By the attribute as written first: a theme repeats a few values (one step per element).
        self.by_value: dict[str, list[Element]] = {}
        for element in self.elements:
            value = element.get("class")
            group = self.by_value.get(value)
            if group is None:
                self.by_value[value] = [element]
            else:
                group.append(element)
        self.by_class: dict[str, list[Element]] = {}
        token_values: dict[str, list[str]] = {}
        for value in self.by_value:
            for token in xml_tokens(value):
                token_values.setdefault(token, []).append(value)
        self.token_values = token_values
        self.classes = frozenset(token_values)

    @functools.cached_property
    def rank(self) -> dict[Element, int]:
        """Each element's position in document order among the indexed ones."""
        return {element: position for position, element in enumerate(self.elements)}

    def with_class(self, token: str) -> list[Element]:
        """Return the elements whose class attribute holds *token*, in document order."""
        found = self.by_class.get(token)
        if found is None:
            values = self.token_values.get(token, [])
            if len(values) == 1:
                found = self.by_value[values[0]]
            else:
                found = self.in_document_order(element for value in values for element in self.by_value[value])
            self.by_class[token] = found
        return found

    def matching(self, compound: Compound) -> list[Element]:
        """Return the elements of the document a compound with classes matches, in document order."""
        first, *others = sorted(compound.classes)  # sorted: the same list whatever the set's order
        return [
            element
            for element in self.with_class(first)
            if (compound.tag is None or element.tag == compound.tag)
            and all(name in xml_tokens(element.get("class")) for name in others)
        ]

    def in_document_order(self, elements: Iterable[Element]) -> list[Element]:
        """Return indexed elements once each, in document order."""
        return sorted(dict.fromkeys(elements), key=self.rank.__getitem__)

    def select(self, scope: Element, chains: tuple[Chain, ...]) -> list[Element]:
        """Return the elements the chains (a query's branches) match in *scope*, as XPath orders them."""
        if len(chains) == 1:
            return self._chain(scope, chains[0])
        # Several branches merge in document order: each must end on indexed elements (classes).
        return self.in_document_order(element for chain in chains for element in self._chain(scope, chain))

    def _chain(self, scope: Element, chain: Chain) -> list[Element]:
        """Return what one branch matches: its first compound in or at *scope*, each next one below the last."""
        first, *rest = chain
        if first.classes:
            found = [element for element in self.matching(first) if self._within(element, scope)]
        else:
            found = list(scope.iter(first.tag))
        for compound in rest:
            if not found:
                return []
            above = set(found)
            if compound.classes:
                found = [element for element in self.matching(compound) if _has_ancestor_in(element, above)]
            else:
                # The subtrees of the outermost matches hold all the others: each element once, in order.
                outermost = [element for element in found if not _has_ancestor_in(element, above)]
                found = [element for top in outermost for element in top.iterdescendants(compound.tag)]
        return found

    def _within(self, element: Element, scope: Element) -> bool:
        """Tell whether *element* is *scope* or below it."""
        return scope is self.document or element is scope or _has_ancestor_in(element, {scope})

    def class_containing(self, text: str) -> list[Element]:
        """Return the elements whose class attribute holds *text* (no whitespace in it), in document order."""
        values = [value for value in self.by_value if text in value]
        return self.in_document_order(element for value in values for element in self.by_value[value])

    def descendant_hrefs(self, containers: list[Element]) -> list[str]:
        """Return the href of every link below the containers (given in document order), each link once, in order."""
        inside = set(containers)
        # A container inside another adds no link of its own: only the outermost are read.
        return [
            href
            for container in containers
            if not _has_ancestor_in(container, inside)
            for href in DESCENDANT_HREFS(container)
        ]


def _has_ancestor_in(element: Element, elements: set[Element]) -> bool:
    """Tell whether an ancestor of *element* is one of *elements*."""
    return any(ancestor in elements for ancestor in element.iterancestors())


@functools.lru_cache(maxsize=4)  # the pages being read now; holding more would only keep them in memory
def class_index(document: Element) -> ClassIndex:
    """Return the class index of a parsed document (its root element)."""
    return ClassIndex(document)


@functools.lru_cache(maxsize=256)
def class_chains(query: str) -> tuple[Chain, ...] | None:
    """Parse a CSS query into chains of compounds, or None when it uses anything else (attributes, ``>``...)."""
    chains = []
    for branch in query.split(","):
        compounds = []
        for part in branch.split():
            match = COMPOUND.fullmatch(part)
            if match is None or not part:
                return None
            tag, classes = match.group(1), frozenset(CLASS_NAME.findall(match.group(2)))
            compounds.append(Compound(tag, classes))
        if not compounds:
            return None
        chains.append(tuple(compounds))
    # Branches merge by the index's document order, which only classed elements have.
    if len(chains) > 1 and not all(chain[-1].classes for chain in chains):
        return None
    return tuple(chains)
