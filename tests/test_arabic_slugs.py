"""A site whose Arabic articles have Arabic-script slugs, linked under every spelling.

The article pages link and name their canonical URL in Arabic script, the listings in
upper-case percent-escapes, the sitemap in lower-case ones: each article must still be
stored once, under its URL key, and a second crawl of the unchanged site must fetch no
article page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote

from arabpress.local.site import SiteServer
from arabpress.urls import url_key
from tests.crawl import run_crawl
from tests.operations import ARTICLE_PATHS, mongo_env, requested_paths, stored_articles

ARABIC_SLUGS = {
    "/ar/2026/02/01/saudi-syria-riyadh-talks/": "/ar/2026/02/01/محادثات-سعودية-سورية-في-الرياض/",
    "/ar/2026/02/02/saudi-property-market-foreign-buyers/": "/ar/2026/02/02/سوق-العقارات-السعودي-والمشترون-الأجانب/",
    "/ar/2026/01/31/opec-plus-output-steady/": "/ar/2026/01/31/أوبك-بلس-تثبت-الإنتاج/",
}
ARTICLES = frozenset(ARABIC_SLUGS.get(path, path) for path in ARTICLE_PATHS)


def lower_escapes(text: str) -> str:
    """Return the percent-encoded *text* with its escapes' hex digits in lower case."""
    parts = quote(text).split("%")
    return parts[0] + "".join("%" + part[:2].lower() + part[2:] for part in parts[1:])


def give_arabic_slugs(site: Path) -> None:
    """Move the Arabic articles to Arabic-script slugs and rewrite every link to them."""
    pages = site / "pages"
    for old, new in ARABIC_SLUGS.items():
        target = pages / new.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        (pages / old.strip("/")).rename(target)
    for file in [*pages.rglob("*.html"), *pages.rglob("*.xml")]:
        # One Arabic page of the sample is in windows-1256, which has every Arabic letter.
        encoding = "cp1256" if b'charset="windows-1256"' in file.read_bytes() else "utf-8"
        text = original = file.read_text(encoding=encoding)
        for old, new in ARABIC_SLUGS.items():
            if file.suffix == ".xml":
                spelling = lower_escapes(new)
            elif f"/{file.parent.relative_to(pages).as_posix()}/" in ARTICLES:
                spelling = new  # article pages: Arabic script, canonical link included
            else:
                spelling = quote(new)  # listings: upper-case escapes
            text = text.replace(old, spelling)
        if text != original:
            file.write_text(text, encoding=encoding)
    types = site / "content-types.json"
    text = types.read_text(encoding="utf-8")
    for old, new in ARABIC_SLUGS.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    types.write_text(text, encoding="utf-8")


def test_two_crawls_store_each_arabic_slug_article_once_and_the_second_fetches_no_article(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    give_arabic_slugs(site_copy)
    server = serve_site(site_copy)
    env = mongo_env(mongo_uri, mongo_database)

    first = run_crawl(server.origin, tmp_path / "first", env=env)
    assert first.returncode == 0, first.log[-3000:]
    fetched = {unquote(path) for path in requested_paths(server)}
    assert fetched >= ARTICLES
    documents = stored_articles(mongo_uri, mongo_database)
    assert sorted(document["url"] for document in documents) == sorted(
        url_key(server.origin + path) for path in ARTICLES
    )
    assert first.stats["mongo/inserted"] == len(ARTICLES) == 7

    before = len(requested_paths(server))
    second = run_crawl(server.origin, tmp_path / "second", env=env)
    assert second.returncode == 0, second.log[-3000:]
    again = {unquote(path) for path in requested_paths(server)[before:]}
    assert again and not again & ARTICLES, again
    # Every stored article linked from a listing or sitemap is skipped (one is linked only
    # from a related list, and so is not even looked up).
    assert second.stats["arabpress/incremental/skipped"] == len(ARTICLES) - 1
    assert second.stats.get("item_scraped_count", 0) == 0
    assert len(stored_articles(mongo_uri, mongo_database)) == len(ARTICLES)
