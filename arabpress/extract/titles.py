"""Titles as the page shows them: the headline among the candidates, without the site's name around it.

``<title>``, og:title and even JSON-LD often wrap the headline in segments the site shares
between its pages ("Headline | Section | Brand.com", "Brand: Headline"). A segment is
removed when it names the site (og:site_name, the publisher, the host or its main label),
when it is the page's section next to such a name, or when the crawl learned it from the
site's other pages (:mod:`arabpress.extract.affixes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import tldextract

from arabpress.extract.dom import comparable

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

# Hyphens, en dashes, slashes and tildes join words ("AK-Kurier", "24/7", "2019–2020"): they
# separate only with a space on at least one side; so does the Arabic tatweel, which stands for
# a dash in Arabic titles and stretches letters inside words. The other marks separate with or
# without spaces: em dashes, pipes (and the CJK fullwidth pipe and 丨), colons (also fullwidth),
# middle dots (also the katakana one), guillemets, and the underscore of Chinese titles.
SEPARATOR = re.compile(r"\s+[-–－~～/ـ]+\s*|\s*[-–－~～/ـ]+\s+|\s*(?:[—―|｜丨·•・»«›‹_]+|::?|：)\s*")
LEADING_SEPARATOR = re.compile(rf"^(?:{SEPARATOR.pattern})")
TRAILING_SEPARATOR = re.compile(rf"(?:{SEPARATOR.pattern})$")
# A segment that is written as a domain name ("CNNArabic.com", "AK-Kurier.de").
DOMAIN_LIKE = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
# How a shortened text ends: "...", "…", or WordPress's excerpt mark "[…]".
ELLIPSIS = re.compile(r"\s*(?:\[(?:…|\.\.\.)\]|\.\.\.|…)\s*$")
NON_WORD = re.compile(r"[\W_]+")
# Keys shorter than this ("tv", "al") would match ordinary words of a headline.
MIN_KEY_LENGTH = 3
# The first or last words of a site name stand for it when this long ("الجزيرة" of "الجزيرة نت").
MIN_PARTIAL_KEY_LENGTH = 5
# A site name this many segments from the end, followed by segments of at most this many words
# (its sections: "| NDR.de - Sport - Fußball"), ends the headline.
MAX_SEGMENTS_BESIDE_NAME = 3
MAX_SEGMENT_WORDS_BESIDE_NAME = 3
# What a cut leaves at the end or start of the rest: a separator after (before) a space.
LEFT_OVER_SEPARATORS = re.compile(r"(?:\s+[-–—―－~～/ـ|｜丨·•・»«›‹_:：]+)+$|^(?:[-–—―－~～/ـ|｜丨·•・»«›‹_:：]+\s+)+")


@cache
def _domains() -> tldextract.TLDExtract:
    """Return a domain splitter on the public suffix list bundled with tldextract (no network access)."""
    return tldextract.TLDExtract(suffix_list_urls=())


# Pure, and asked of the same site names and title segments on every page of a site.
@lru_cache(maxsize=1024)
def name_key(text: str) -> str:
    """Reduce a name to letters and digits, case and a leading "the" ignored ("The Verge" -> "verge")."""
    folded = comparable(text)
    return NON_WORD.sub("", folded.removeprefix("the "))


@dataclass(frozen=True)
class SiteNames:
    """The keys of the names a site goes by, and the main labels of its domains."""

    keys: frozenset[str]
    labels: frozenset[str]

    def names(self, segment: str) -> bool:
        """Tell whether a title segment is one of the site's names, written as a name or as a domain."""
        keys = {name_key(segment)}
        if DOMAIN_LIKE.fullmatch(segment.strip()):
            label = name_key(_domains()(segment.strip()).domain)
            keys.add(label)
            # "CNNArabic.com" on arabic.cnn.com: a domain written with the site's main label in it.
            if any(main in label for main in self.labels):
                return True
        return bool(keys & self.keys)


def _partial_keys(name: str) -> set[str]:
    """Return the keys of the name's first words and of its last words."""
    words = name.split()
    return {name_key(" ".join(words[:count])) for count in range(1, len(words))} | {
        name_key(" ".join(words[count:])) for count in range(1, len(words))
    }


def site_names(names: Iterable[str | None], urls: Iterable[str]) -> SiteNames:
    """Collect the keys of a site's names (og:site_name, publisher...) and of its pages' hosts."""
    hosts = ((urlsplit(url).hostname or "").lower().removeprefix("www.") for url in urls)
    return _site_names(tuple(name for name in names if name), tuple(dict.fromkeys(host for host in hosts if host)))


# Every page of a site gives the same names and hosts: their keys are worked out once.
@lru_cache(maxsize=256)
def _site_names(names: tuple[str, ...], hosts: tuple[str, ...]) -> SiteNames:
    """Return the keys of *names* and of *hosts* (site_names without the URL parsing)."""
    keys: set[str] = set()
    labels: set[str] = set()
    for name in names:
        # "Bundesministerium für Bildung und Forschung - BMBF": the whole name and each part.
        keys.update(name_key(part) for part in [name, *SEPARATOR.split(name)])
        keys.update(key for key in _partial_keys(name) if len(key) >= MIN_PARTIAL_KEY_LENGTH)
    for host in hosts:
        parts = _domains()(host)
        labels.add(name_key(parts.domain))
        keys.update(name_key(value) for value in (host, parts.top_domain_under_public_suffix, parts.domain))
        keys.add(name_key(".".join(part for part in (parts.subdomain, parts.domain) if part)))
    return SiteNames(
        keys=frozenset(key for key in keys if len(key) >= MIN_KEY_LENGTH),
        labels=frozenset(label for label in labels if len(label) >= MIN_KEY_LENGTH),
    )


# A title is split at its separators several times over (each end, each segment cut): once is enough.
@lru_cache(maxsize=256)
def _inner_separators(title: str) -> tuple[re.Match[str], ...]:
    """Return the separators of *title* that have text on both sides."""
    return tuple(match for match in SEPARATOR.finditer(title) if match.start() > 0 and match.end() < len(title))


def _last_segment(title: str) -> tuple[str, str] | None:
    """Split *title* at its last separator: (the rest, the last segment); None without one."""
    found = _inner_separators(title)
    return (title[: found[-1].start()], title[found[-1].end() :]) if found else None


def last_segment_key(title: str) -> str | None:
    """Return the name key of the segment after the title's last separator, if it has one."""
    parts = _last_segment(title)
    return name_key(parts[1]) or None if parts else None


def _first_segment(title: str) -> tuple[str, str] | None:
    """Split *title* at its first separator: (the first segment, the rest); None without one."""
    found = _inner_separators(title)
    return (title[: found[0].start()], title[found[0].end() :]) if found else None


def _cut_beyond_name(title: str, site: SiteNames) -> str | None:
    """Cut *title* before a site name that short segments follow ("Headline | NDR.de - Sport - Fußball")."""
    separators = _inner_separators(title)
    bounds = [0, *(position for match in separators for position in match.span()), len(title)]
    segments = [title[bounds[index] : bounds[index + 1]] for index in range(0, len(bounds), 2)]
    last = len(segments) - 1
    for index in range(last - 1, max(0, last - 1 - MAX_SEGMENTS_BESIDE_NAME), -1):
        short_after = all(len(segment.split()) <= MAX_SEGMENT_WORDS_BESIDE_NAME for segment in segments[index + 1 :])
        if short_after and site.names(segments[index]):
            return LEFT_OVER_SEPARATORS.sub("", title[: separators[index - 1].start()].strip()).strip()
    return None


def strip_site_segments(
    title: str,
    site: SiteNames,
    section: str | None = None,
    learned_before: Collection[str] = (),
    learned_after: Collection[str] = (),
) -> str:
    """Remove the site's names (the section beside them, learned segments) from both ends of *title*."""
    section_key = name_key(section) if section else None
    cut = _cut_beyond_name(title, site)
    title = cut or title
    ends = ((_last_segment, learned_after, True), (_first_segment, learned_before, False))
    for split, learned, trailing in ends:
        beside_name = trailing and cut is not None
        while (parts := split(title)) is not None:
            rest, segment = parts if trailing else parts[::-1]
            is_name = site.names(segment)
            key = name_key(segment)
            if not (is_name or key in learned or (beside_name and key == section_key)) or not rest.strip():
                break
            beside_name = beside_name or is_name
            # "Headline — «Kommersant»": the guillemet was the cut; the dash before it is left over.
            title = LEFT_OVER_SEPARATORS.sub("", rest.strip()).strip()
    return title


def _wrapping(longer: str, shorter: str, *, short_extra: bool = True) -> tuple[str, str] | None:
    """Return what *longer* adds before and after *shorter* when only separated segments; else None."""
    folded_long, folded_short = comparable(longer), comparable(shorter)
    start = folded_long.find(folded_short) if folded_short else -1
    if start < 0 or folded_long == folded_short:
        return None
    before, after = folded_long[:start], folded_long[start + len(folded_short) :]
    if (before and not TRAILING_SEPARATOR.search(before)) or (after and not LEADING_SEPARATOR.match(after)):
        return None
    # Brands and sections are short beside the headline: "Dear Abby: Husband springs for..." and
    # "EU-Experte vertritt die Business Aviation: Krahmer wird..." are whole headlines.
    if short_extra and 2 * (len(before) + len(after)) > len(folded_short):
        return None
    return before, after


def is_wrapped(longer: str, shorter: str) -> bool:
    """Tell whether *longer* is *shorter* with short separated segments added before or after it."""
    return _wrapping(longer, shorter) is not None


def affix_segments(longer: str, headline: str) -> tuple[list[str], list[str]]:
    """Return the keys of the segments *longer* adds before and after a *headline* the page confirms."""
    wrapping = _wrapping(longer, headline, short_extra=False)
    if wrapping is None:
        return [], []
    before, after = wrapping
    return (
        [name_key(part) for part in SEPARATOR.split(before) if name_key(part)],
        [name_key(part) for part in SEPARATOR.split(after) if name_key(part)],
    )


def is_cut(shorter: str, longer: str) -> bool:
    """Tell whether *shorter* is the visibly cut beginning of *longer*: an ellipsis, or a cut mid-word."""
    ellipsis = ELLIPSIS.search(shorter) is not None
    cut = comparable(ELLIPSIS.sub("", shorter))
    full = comparable(longer)
    if not cut or len(full) <= len(cut) or not full.startswith(cut):
        return False
    return ellipsis or (cut[-1].isalnum() and full[len(cut)].isalnum())


def continues(headline: str, title: str) -> bool:
    """Tell whether *headline* goes on where *title* stops, with words rather than a separated segment."""
    full, start = comparable(headline), comparable(ELLIPSIS.sub("", title))
    return (
        bool(start)
        and len(full) > len(start)
        and full.startswith(start)
        and not LEADING_SEPARATOR.match(full[len(start) :])
    )


def agrees(headline: str, title: str) -> bool:
    """Tell whether the headline element shows *title*: the same text, it with an appendage, or its full form."""
    same = comparable(headline) == comparable(title)
    return same or is_wrapped(title, headline) or is_cut(title, headline) or continues(headline, title)


def complete_title(candidates: list[str]) -> str:
    """Return the first title, or a later one it wraps in segments, or a later one it is the cut beginning of."""
    first = candidates[0]
    wrapped = next((title for title in candidates[1:] if is_wrapped(first, title)), None)
    # SEO plugins shorten long headlines in JSON-LD and og:title, sometimes with an ellipsis.
    return wrapped or next((title for title in candidates[1:] if is_cut(first, title)), first)
