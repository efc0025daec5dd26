"""The JSON-LD layer: the page's schema.org article object and its fields."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from arabpress.extract.dom import Element, absolute, clean_value, clean_values, once_per_page, page_root
from arabpress.extract.images import Image

if TYPE_CHECKING:
    from collections.abc import Iterator

    from parsel import Selector

# schema.org types (and subtypes) that describe one article.
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "TechArticle",
    }
)
NESTING_KEYS = ("@graph", "mainEntity")
JSONLD_TYPE = "application/ld+json"
NON_PERSON_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"})


@dataclass(frozen=True)
class JsonLdArticle:
    """The page's article object, with every JSON-LD node by @id to resolve references."""

    node: dict[str, Any]
    nodes_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes: list[dict[str, Any]] = field(default_factory=list)

    def resolve(self, value: Any) -> Any:
        """Replace a bare ``{"@id": ...}`` reference by the node it names, when the page has it."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.nodes_by_id.get(str(value["@id"]), value)
        return value

    def values(self, key: str) -> list[Any]:
        """Return a property's values as a list (one value, a list, or nothing), references resolved."""
        value = self.node.get(key)
        items = value if isinstance(value, list) else [] if value is None else [value]
        return [self.resolve(item) for item in items]


def script_texts(root: Element) -> list[str]:
    """Return the texts of the page's JSON-LD scripts (<script type="application/ld+json">), in page order."""
    # lxml's walk by tag name, not an XPath scan: the HTML parser gives a script's content as
    # its one text node (none when empty).
    return [script.text for script in root.iter("script") if script.get("type") == JSONLD_TYPE and script.text]


@once_per_page  # the article's fields and the spider's count of invalid blocks both ask
def parse_blocks(selector: Selector) -> tuple[list[Any], int]:
    """Parse every JSON-LD script of the page; return the documents and how many were invalid."""
    documents = []
    invalid = 0
    root = page_root(selector)
    for text in script_texts(root) if root is not None else ():
        try:
            # strict=False accepts raw newlines inside strings, which CMS plugins often emit.
            documents.append(json.loads(text, strict=False))
        except (ValueError, RecursionError):
            invalid += 1  # a broken block must not cost the article: the other layers take over
    return documents, invalid


def parse_documents(selector: Selector) -> list[Any]:
    """Parse every JSON-LD script of the page; invalid ones are skipped."""
    return parse_blocks(selector)[0]


def count_invalid(selector: Selector) -> int:
    """Return how many JSON-LD scripts of the page are not valid JSON."""
    return parse_blocks(selector)[1]


def iter_nodes(document: Any) -> Iterator[dict[str, Any]]:
    """Yield the objects of a JSON-LD document: top-level lists, @graph and a page's mainEntity flattened."""
    if isinstance(document, list):
        for item in document:
            yield from iter_nodes(item)
    elif isinstance(document, dict):
        yield document
        # Not every nested object: a listing's ItemList of articles must not make it an article.
        for key in NESTING_KEYS:
            yield from iter_nodes(document.get(key))


def type_names(node: dict[str, Any]) -> set[str]:
    """Return a node's @type names without schema.org prefixes."""
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return {str(name).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if name}


def is_article_node(node: dict[str, Any]) -> bool:
    """Tell whether a JSON-LD node is an article of some kind."""
    return bool(type_names(node) & ARTICLE_TYPES)


@once_per_page  # the page kind and the article page both ask
def find_article(selector: Selector) -> JsonLdArticle | None:
    """Return the page's first JSON-LD article object, or None."""
    nodes = [node for document in parse_documents(selector) for node in iter_nodes(document)]
    by_id = {str(node["@id"]): node for node in nodes if "@id" in node and len(node) > 1}
    for node in nodes:
        if is_article_node(node):
            return JsonLdArticle(node=node, nodes_by_id=by_id, nodes=nodes)
    return None


def text_of(value: Any) -> str | None:
    """Return a JSON-LD value as text: a string, or the name of an object."""
    if isinstance(value, str):
        return clean_value(value)
    if isinstance(value, dict):
        return text_of(value.get("name"))
    return None


def headline(article: JsonLdArticle) -> str | None:
    """Return the article's headline (or name)."""
    return next((text for key in ("headline", "name") for text in map(text_of, article.values(key)) if text), None)


def description(article: JsonLdArticle) -> str | None:
    """Return the article's description."""
    return next((text for text in map(text_of, article.values("description")) if text), None)


def _is_organization(value: Any) -> bool:
    """Tell whether a JSON-LD value is an organization rather than a person."""
    return isinstance(value, dict) and bool(NON_PERSON_TYPES & type_names(value))


def authors(article: JsonLdArticle) -> list[str]:
    """Return the names of the people in ``author``; organizations are left out."""
    people = (author for author in article.values("author") if not _is_organization(author))
    return clean_values(text_of(person) for person in people)


def organization_authors(article: JsonLdArticle) -> list[str]:
    """Return the names of the organizations in ``author`` (a news agency, the site itself)."""
    return clean_values(text_of(author) for author in article.values("author") if _is_organization(author))


def publishers(article: JsonLdArticle) -> list[str]:
    """Return the names of the article's ``publisher`` (the site's own name, as its owner writes it)."""
    return clean_values(text_of(publisher) for publisher in article.values("publisher"))


def section(article: JsonLdArticle) -> str | None:
    """Return ``articleSection`` (the first one when it is a list)."""
    return next((text for text in map(text_of, article.values("articleSection")) if text), None)


def keywords(article: JsonLdArticle) -> list[str]:
    """Return ``keywords``, given as a list or as one comma-separated string."""
    words: list[str | None] = []
    for value in article.values("keywords"):
        if isinstance(value, str):
            words.extend(value.split(","))
        else:
            words.append(text_of(value))
    return clean_values(words)


def date(article: JsonLdArticle, key: str) -> str | None:
    """Return a date property (``datePublished``, ``dateModified``) as written."""
    return next((value.strip() for value in article.values(key) if isinstance(value, str) and value.strip()), None)


def language(article: JsonLdArticle) -> str | None:
    """Return ``inLanguage`` of the article, else of another node on the page (the WebPage)."""
    for node in [article.node, *article.nodes]:
        value = text_of(node.get("inLanguage"))
        if value:
            return value
    return None


def _image(value: Any, base_url: str) -> Image | None:
    """Turn one JSON-LD image value (URL string or ImageObject) into an image."""
    if isinstance(value, str):
        url = absolute(value, base_url)
        return Image(url=url, caption=None) if url else None
    if isinstance(value, dict):
        link = value.get("url") or value.get("contentUrl")
        url = absolute(link, base_url) if isinstance(link, str) else None
        caption = text_of(value.get("caption")) or text_of(value.get("description"))
        return Image(url=url, caption=caption) if url else None
    return None


def images(article: JsonLdArticle, base_url: str) -> list[Image]:
    """Return the article's ``image`` values (a string, an ImageObject or a list of them)."""
    found = (_image(value, base_url) for value in article.values("image"))
    return [image for image in found if image is not None]
