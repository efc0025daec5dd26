"""The article page object: each field from layered sources, most reliable first.

Layers: JSON-LD, then OpenGraph/``article:*``/``<meta>`` tags, then microdata, then the
theme's markup, then (for the body) a generic extractor. A field takes the first layer
that has it; images merge all layers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Literal, NamedTuple
from urllib.parse import urlsplit

from w3lib.html import replace_entities

from arabpress.extract import document, fallback, jsonld, metatags, microdata, pagedate, theme
from arabpress.extract.affixes import SiteAffixes
from arabpress.extract.body import body_paragraphs
from arabpress.extract.bylines import Bylines, read_bylines
from arabpress.extract.classindex import class_index
from arabpress.extract.dom import absolute, comparable, comparable_opening, page_root, unique
from arabpress.extract.images import Image, merge_images
from arabpress.extract.language import language_by_script, primary_language
from arabpress.extract.links import normalize_link
from arabpress.extract.titles import (
    ELLIPSIS,
    SiteNames,
    affix_segments,
    agrees,
    complete_title,
    last_segment_key,
    site_names,
    strip_site_segments,
)
from arabpress.items import ArticleItem
from arabpress.urls import is_article_url, strip_tracking, url_key

if TYPE_CHECKING:
    from parsel import Selector

DEFAULT_SITE_NAME = "Arab Press"
PARAGRAPH_SEPARATOR = "\n\n"
# The generic body that stands in for an empty one in the theme's markup is a story, not furniture.
STORY_OUTSIDE_THEME_CHARACTERS = 500
# The page's related-articles list(s) (ul.related-list, section.related-posts and the like): the
# elements whose class attribute holds this text, read from the page's class index.
RELATED_CLASS = "related"
YEAR = re.compile(r"\d{4}")  # \d: any script's digits

DateSource = Literal["jsonld", "meta", "microdata", "time", "text", "fallback"]
BodySource = Literal["theme", "fallback"]


class DateField(NamedTuple):
    """A date as written on the page and the layer it came from."""

    raw: str
    source: DateSource


def is_date_candidate(raw: str | None, source: DateSource) -> bool:
    """Tell whether a value can be a date: any visible text, or structured data with a year in it."""
    # Structured values are absolute dates; one without a year ("9:05 PM") is the theme's slip.
    return bool(raw) and (source == "text" or YEAR.search(raw or "") is not None)


def first_date(*candidates: tuple[Callable[[], str | None], DateSource]) -> DateField | None:
    """Return the first value that can be a date, with its source; a layer is read only when the ones before fail."""
    for read, source in candidates:
        raw = read()
        if raw and is_date_candidate(raw, source):
            return DateField(raw, source)
    return None


class ArticlePage:
    """One fetched page read as an article; ``url`` is the fetched URL."""

    def __init__(self, selector: Selector, url: str, site_affixes: SiteAffixes | None = None) -> None:
        self.selector = selector
        self.fetched_url = url
        # The crawl's title segments learned from the site's other pages; this page adds to them.
        self.site_affixes = site_affixes
        self._stripped: dict[str, str] = {}  # _strip_site's results by title

    # --- layers -------------------------------------------------------------------

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against."""
        return document.base_url(self.selector, self.fetched_url)

    @cached_property
    def jsonld(self) -> jsonld.JsonLdArticle | None:
        """The page's JSON-LD article object, if any."""
        return jsonld.find_article(self.selector)

    @cached_property
    def root(self) -> Selector:
        """The element that holds the article in the theme's markup."""
        return theme.article_root(self.selector)

    @cached_property
    def site_name(self) -> str:
        """The site name appended to titles."""
        return metatags.site_name(self.selector) or DEFAULT_SITE_NAME

    # --- identity -----------------------------------------------------------------

    @cached_property
    def url(self) -> str:
        """The canonical link, else the fetched URL without tracking parameters (or AMP suffix), as a URL key."""
        fetched = normalize_link(self.fetched_url)
        canonical = metatags.canonical(self.selector, self.base_url)
        if canonical is None:
            return fetched
        canonical = url_key(strip_tracking(canonical))
        # A canonical that names a listing on an article page is a theme bug: it would merge stories.
        if is_article_url(fetched) and not is_article_url(canonical):
            return fetched
        return canonical

    @cached_property
    def declared_language(self) -> str | None:
        """The page's language tag as declared: <html lang>, JSON-LD inLanguage, else og:locale."""
        declared = (document.html_lang(self.selector), self.jsonld and jsonld.language(self.jsonld))
        return next((tag for tag in declared if tag), None) or metatags.locale(self.selector)

    @cached_property
    def language(self) -> str | None:
        """ "en" or "ar": <html lang>, JSON-LD inLanguage, og:locale, else the script of title and body."""
        declared = [document.html_lang(self.selector), self.jsonld and jsonld.language(self.jsonld)]
        declared.append(metatags.locale(self.selector))
        for tag in declared:
            found = primary_language(tag or None)
            if found:
                return found
        return language_by_script(f"{self.title or ''} {self.body}")

    # --- text fields ----------------------------------------------------------------

    @cached_property
    def site_names(self) -> SiteNames:
        """The names the site goes by: og:site_name, the JSON-LD publisher, its hosts."""
        names = [self.site_name, *(jsonld.publishers(self.jsonld) if self.jsonld else [])]
        return site_names(names, [self.fetched_url, self.url])

    @cached_property
    def headline_element(self) -> str | None:
        """The headline the page shows: the article's h1 (h1.entry-title first), else the page's only h1."""
        if self.root is not self.selector:
            return self.theme_title
        only = self.selector.xpath("//h1")
        return theme.title(only[0]) if len(only) == 1 else None

    @cached_property
    def theme_title(self) -> str | None:
        """The theme's headline in the article's element (a title layer, and the headline element)."""
        return theme.title(self.root)

    def _strip_site(self, title: str) -> str:
        """Remove the site's names (and the section beside them) from both ends of a title."""
        # The layers often repeat one string (og:title, JSON-LD and h1 alike): each is cut once.
        stripped = self._stripped.get(title)
        if stripped is None:
            stripped = self._stripped[title] = strip_site_segments(title, self.site_names, self.section)
        return stripped

    @cached_property
    def title(self) -> str | None:
        """The headline as the page shows it (JSON-LD, og:title, microdata, h1, <title>), without the site's name."""
        layers = [
            value
            for value in (
                self.jsonld and jsonld.headline(self.jsonld),
                metatags.title(self.selector),
                microdata.headline(self.selector),
                self.theme_title,
                document.html_title(self.selector),
            )
            if value
        ]
        # JSON-LD written by SEO plugins often keeps HTML entities ("&ndash;") in its strings.
        layers = [replace_entities(value) for value in layers]
        candidates = [self._strip_site(value) for value in layers]
        if not candidates:
            return None
        headline = self.headline_element and self._strip_site(self.headline_element)
        if headline and agrees(headline, candidates[0]):
            return self._learn(headline, layers, confirmed=True)
        title = complete_title(candidates)
        return self._learn(title, layers, confirmed=title != candidates[0])

    def _learn(self, title: str, layers: list[str], *, confirmed: bool) -> str:
        """Report the title's segments to the crawl's store; an unconfirmed title loses the learned ones."""
        store = self.site_affixes
        if store is None:
            return title
        host = urlsplit(self.url).hostname or ""
        if confirmed:
            # What <title> and og:title add around a headline the page confirms is the site's.
            found = [affix_segments(value, title) for value in dict.fromkeys(layers)]
            store.observe(host, "before", [key for before, _ in found for key in before])
            store.observe(host, "after", [key for _, after in found for key in after])
            return title
        last = last_segment_key(title)
        store.observe(host, "after", [last] if last else [])
        return strip_site_segments(
            title,
            self.site_names,
            self.section,
            learned_before=store.learned(host, "before"),
            learned_after=store.learned(host, "after"),
        )

    @cached_property
    def subtitle(self) -> str | None:
        """The standfirst: the theme's, else a description that does not just repeat the body's opening."""
        standfirst = theme.subtitle(self.root)
        if standfirst:
            return standfirst
        descriptions = (
            self.jsonld and jsonld.description(self.jsonld),
            metatags.description(self.selector),
            microdata.description(self.selector),
        )
        return next((text for text in descriptions if text and self._is_standfirst(text)), None)

    def _is_standfirst(self, description: str) -> bool:
        """Tell whether a description says more than the title or the body's opening."""
        folded = comparable(ELLIPSIS.sub("", description))
        # An excerpt may run past the first paragraph: compare with the body's whole opening
        # (only as much of it as the description is long: bodies run to tens of kilobytes).
        opening = comparable_opening(" ".join(self.body_paragraphs), len(folded))
        return bool(folded) and folded != comparable(self.title or "") and not opening.startswith(folded)

    @cached_property
    def bylines(self) -> Bylines:
        """The first source's people (JSON-LD, <meta name=author>, microdata, the byline), else its organisations."""
        # Each source is read only when the ones before name no person.
        sources: tuple[Callable[[], tuple[list[str] | None, list[str] | None]], ...] = (
            lambda: (
                jsonld.authors(self.jsonld) if self.jsonld else None,
                jsonld.organization_authors(self.jsonld) if self.jsonld else None,
            ),
            lambda: (metatags.authors(self.selector), None),
            lambda: (microdata.authors(self.selector), None),
            lambda: (theme.authors(self.root), None),
        )
        organisations = None
        for source in sources:
            names, typed = source()
            found = read_bylines(names or [], self.site_names, typed or [])
            if found.people:
                return Bylines(people=found.people)
            # An agency or a desk is kept only when no source names a person.
            organisations = organisations or (found.organisations and found)
        return organisations or Bylines()

    @property
    def authors(self) -> list[str]:
        """The people of the byline in page order, else the organisation that signs it (an agency, a desk)."""
        return self.bylines.people or self.bylines.organisations

    @property
    def author_organizations(self) -> list[str]:
        """The names in ``authors`` that are organisations rather than people."""
        return [] if self.bylines.people else self.bylines.organisations

    @cached_property
    def section(self) -> str | None:
        """JSON-LD articleSection, article:section, microdata, the theme's category link, breadcrumbs."""
        candidates = (
            self.jsonld and jsonld.section(self.jsonld),
            metatags.section(self.selector),
            microdata.section(self.selector),
        )
        return next((value for value in candidates if value), None) or theme.section(self.root, self.selector)

    @cached_property
    def tags(self) -> list[str]:
        """JSON-LD keywords, article:tag metas, microdata keywords, the theme's tag links."""
        layers = (
            self.jsonld and jsonld.keywords(self.jsonld),
            metatags.tags(self.selector),
            microdata.tags(self.selector),
        )
        return next((values for values in layers if values), None) or theme.tags(self.root)

    @cached_property
    def images(self) -> list[Image]:
        """Images of every layer merged by URL; a figure's caption fills a structured source's gap."""
        return merge_images(
            jsonld.images(self.jsonld, self.base_url) if self.jsonld else [],
            metatags.images(self.selector, self.base_url),
            theme.images(self.root, self.base_url),
        )

    # --- body -----------------------------------------------------------------------

    @cached_property
    def _body(self) -> tuple[list[str], BodySource]:
        """The body paragraphs and the layer that produced them."""
        container = theme.content_container(self.root, self.selector)
        if container is not None:
            paragraphs = body_paragraphs(container)
            if paragraphs:
                return paragraphs, "theme"
        # The theme's markup is gone (a redesign): a generic extractor keeps the crawl producing articles.
        headline = comparable(self.title or "")
        found = fallback.fallback_paragraphs(self.selector.root, self.fetched_url)
        found = [text for text in found if comparable(text) != headline]
        if container is not None and sum(map(len, found)) < STORY_OUTSIDE_THEME_CHARACTERS:
            # An empty body in the theme's markup (a video-only story): page furniture is no body.
            return [], "theme"
        return found, "fallback"

    @property
    def body_paragraphs(self) -> list[str]:
        """The body's paragraphs in order."""
        return self._body[0]

    @property
    def body(self) -> str:
        """The paragraphs joined by a blank line."""
        return PARAGRAPH_SEPARATOR.join(self.body_paragraphs)

    @property
    def body_source(self) -> BodySource:
        """Which layer produced the body: "theme" or "fallback"."""
        return self._body[1]

    # --- dates ------------------------------------------------------------------------

    @cached_property
    def published(self) -> DateField | None:
        """datePublished as written: JSON-LD, article:published_time, microdata, <time>, visible text, generic."""
        found = first_date(
            (lambda: jsonld.date(self.jsonld, "datePublished") if self.jsonld else None, "jsonld"),
            (lambda: metatags.published(self.selector), "meta"),
            (lambda: microdata.published(self.selector), "microdata"),
            (lambda: theme.published_time(self.root), "time"),
            (lambda: theme.posted_on_text(self.root), "text"),
        )
        if found is not None and found.source == "time":
            # A <time> that shows readers another day than its datetime: the datetime is the CMS's
            # (a later change), the text the publication.
            shown = theme.time_text(self.root, found.raw)
            if shown and pagedate.states_another_day(shown, found.raw):
                return DateField(shown, "text")
        if found is None:
            # The costly whole-page search runs only when the article's own layers have nothing.
            return first_date((lambda: pagedate.generic_published(self.selector, self.fetched_url), "fallback"))
        if pagedate.is_utc_statement(found.raw):
            # The same instant as the page states it in its own offset, else on the day its URL
            # files it under, gives the page's own day.
            local = pagedate.local_restatement(self.selector, found.raw) or pagedate.url_day_restatement(
                found.raw, self.fetched_url
            )
            return DateField(local, found.source) if local else found
        return found

    @cached_property
    def modified(self) -> DateField | None:
        """dateModified as written: JSON-LD, article:modified_time, microdata, <time class=updated>."""
        return first_date(
            (lambda: jsonld.date(self.jsonld, "dateModified") if self.jsonld else None, "jsonld"),
            (lambda: metatags.modified(self.selector), "meta"),
            (lambda: microdata.modified(self.selector), "microdata"),
            (lambda: theme.modified_time(self.root), "time"),
        )

    # --- links ------------------------------------------------------------------------

    @cached_property
    def related_urls(self) -> list[str]:
        """The related-articles list's links: absolute, tracking removed, AMP mapped, first occurrence."""
        resolved = (absolute(href, self.base_url) for href in self._related_hrefs())
        return [url for url in unique(normalize_link(url) for url in resolved if url) if is_article_url(url)]

    def _related_hrefs(self) -> list[str]:
        """The hrefs of the links in the elements whose class attribute holds RELATED_CLASS, in page order."""
        root = page_root(self.selector)
        if root is None:
            return []
        index = class_index(root)
        return index.descendant_hrefs(index.class_containing(RELATED_CLASS))

    # --- item -------------------------------------------------------------------------

    def to_item(self) -> ArticleItem:
        """Return the extracted fields as an item (pipelines add the normalized dates and hashes)."""
        published, modified = self.published, self.modified
        return ArticleItem(
            fetched_url=self.fetched_url,
            url=self.url,
            language=self.language,
            declared_language=self.declared_language,
            title=self.title,
            subtitle=self.subtitle,
            authors=self.authors,
            author_organizations=self.author_organizations,
            section=self.section,
            tags=self.tags,
            images=[dict(image) for image in self.images],
            body=self.body,
            body_source=self.body_source,
            related_urls=self.related_urls,
            published_raw=published.raw if published else None,
            published_source=published.source if published else None,
            modified_raw=modified.raw if modified else None,
            modified_source=modified.source if modified else None,
        )
