"""Pure helpers over the site's URLs: the URL key, tracking removal, same-site checks, permalinks, AMP."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from scrapy.utils.url import strip_url
from w3lib.url import canonicalize_url

# Query parameters that only say how a reader arrived; they never change the page.
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid"})
TRACKING_PREFIXES = ("utm_",)

# The theme's permalinks: /YYYY/MM/DD/slug/ and the Arabic edition's /ar/YYYY/MM/DD/slug/.
ARTICLE_PATH = re.compile(r"^/(?:ar/)?\d{4}/\d{2}/\d{2}/[^/]+/?$")
# Section listings: the home pages, /category/... and /ar/category/... (with their pages).
SECTION_PATH = re.compile(r"^/(?:ar/?)?$|^/(?:ar/)?category/[^/]+(?:/.*)?$")
AMP_SEGMENT = re.compile(r"/amp/?$")
AMP_PARAMETER = "amp"
DEFAULT_PORTS = {"http": 80, "https": 443}


# An article is linked from many pages (listings, sitemaps, related lists) and each link
# is read more than once on its way to a request (urlsplit costs microseconds each time):
# bounded caches on these pure functions spare the re-parsing.
URL_CACHE_SIZE = 8192
# The other functions' caches: a link comes back within a few hundred pages or rarely, and the
# caches of this size stay near 3 MB together when full.
LINK_CACHE_SIZE = 2048


@lru_cache(maxsize=URL_CACHE_SIZE)
def url_key(url: str) -> str:
    """Return the one form of *url* the project keys on (docs/schema.md, "URL key").

    Percent-encoded UTF-8 as HTTP sends it (RFC 3986), escapes in upper case, scheme and
    host in lower case, IDNA host, no default port, credentials or fragment, dot segments
    resolved, query parameters sorted (as Scrapy's duplicate filter sorts them). Raises
    ValueError for a URL with an invalid port.
    """
    return canonicalize_url(strip_url(url))


def url_digest(key: str) -> int:
    """Return a compact 64-bit digest of a URL key (collisions are negligible below billions of URLs)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def _query_pairs(query: str) -> list[str]:
    """Split a query string into its raw ``name=value`` pairs, dropping empty ones."""
    return [pair for pair in query.split("&") if pair]


def _pair_name(pair: str) -> str:
    """Return the lower-cased name of one raw ``name=value`` query pair."""
    return pair.split("=", 1)[0].lower()


def _is_tracking(pair: str) -> bool:
    """Tell whether a raw query pair is a tracking parameter."""
    name = _pair_name(pair)
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


@lru_cache(maxsize=LINK_CACHE_SIZE)
def strip_tracking(url: str) -> str:
    """Remove utm_*, fbclid and gclid parameters and the fragment, keeping the rest in order."""
    parts = urlsplit(url)
    # Kept pairs are reused verbatim so their encoding does not change.
    kept = [pair for pair in _query_pairs(parts.query) if not _is_tracking(pair)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


@lru_cache(maxsize=LINK_CACHE_SIZE)
def _origin(url: str) -> tuple[str, str | None, int | None]:
    """Return the scheme, host and port (default port filled in) of a URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or DEFAULT_PORTS.get(scheme)


def is_same_site(url: str, base_url: str) -> bool:
    """Tell whether a URL has the same scheme, host and port as the site's base URL."""
    return _origin(url) == _origin(base_url)


@lru_cache(maxsize=LINK_CACHE_SIZE)
def is_amp_url(url: str) -> bool:
    """Tell whether a URL is an AMP copy: a trailing /amp/ segment or an ``amp`` parameter."""
    parts = urlsplit(url)
    has_amp_parameter = any(_pair_name(pair) == AMP_PARAMETER for pair in _query_pairs(parts.query))
    return has_amp_parameter or AMP_SEGMENT.search(parts.path) is not None


@lru_cache(maxsize=LINK_CACHE_SIZE)
def amp_to_canonical(url: str) -> str:
    """Map an AMP copy's URL to its article's URL (drop /amp/ and ``amp`` parameters)."""
    parts = urlsplit(url)
    path = AMP_SEGMENT.sub("/", parts.path)
    kept = [pair for pair in _query_pairs(parts.query) if _pair_name(pair) != AMP_PARAMETER]
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(kept), parts.fragment))


@lru_cache(maxsize=LINK_CACHE_SIZE)
def is_article_url(url: str) -> bool:
    """Tell whether a URL is an article permalink (not its AMP copy)."""
    return not is_amp_url(url) and ARTICLE_PATH.match(urlsplit(url).path) is not None


@lru_cache(maxsize=LINK_CACHE_SIZE)
def is_section_url(url: str) -> bool:
    """Tell whether a URL is a home or category listing of either edition."""
    return SECTION_PATH.match(urlsplit(url).path) is not None
