"""Incremental crawls: the refetch rules, the stored-state lookup, and real crawls of a site copy."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymongo

from arabpress.local.site import SiteServer
from arabpress.middlewares.incremental import Decision, StoredArticle, StoredArticles, decide
from tests.crawl import run_crawl
from tests.operations import ARTICLE_PATHS, mongo_env, requested_paths, stored_articles

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=5)
WEEK = timedelta(days=7)
GOLD = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
PROPERTY = "/ar/2026/02/02/saudi-property-market-foreign-buyers/"
# Reached only through the gold story's related list: not seen when that story is skipped.
RELATED_ONLY = "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"


def stored(fetched: datetime, lastmod: datetime | None = None, modified: datetime | None = None) -> StoredArticle:
    """Return the stored state of an article fetched at *fetched*."""
    return StoredArticle.from_document(
        {"fetched_at": fetched, "last_seen_at": fetched, "sitemap_lastmod": lastmod, "modified_at": modified}
    )


def decision(article: StoredArticle | None, lastmod: datetime | None = None) -> Decision:
    """Return the decision for an article request at NOW in a crawl started at STARTED."""
    return decide(article, lastmod, now=NOW, refresh=WEEK, crawl_started=STARTED)


def test_an_article_not_stored_is_fetched() -> None:
    assert decision(None) is Decision.NEW
    assert decision(None, NOW - timedelta(days=300)) is Decision.NEW


def test_a_current_article_is_skipped_with_or_without_a_sitemap_lastmod() -> None:
    fetched = NOW - timedelta(days=2)
    article = stored(fetched, lastmod=fetched - timedelta(days=10))
    assert decision(article) is Decision.SKIP  # found through a listing or a related link
    assert decision(article, fetched - timedelta(days=10)) is Decision.SKIP  # same lastmod
    assert decision(article, fetched - timedelta(days=1)) is Decision.SKIP  # changed before our fetch


def test_a_newer_sitemap_lastmod_refetches() -> None:
    fetched = NOW - timedelta(days=2)
    article = stored(fetched, lastmod=fetched - timedelta(days=10), modified=fetched - timedelta(days=10))
    assert decision(article, fetched + timedelta(seconds=1)) is Decision.LASTMOD


def test_a_stored_lastmod_or_modified_date_ahead_of_the_fetch_still_counts() -> None:
    # A clock ahead of ours: the stored lastmod, not our fetch time, is the version held.
    fetched = NOW - timedelta(days=2)
    article = stored(fetched, lastmod=fetched + timedelta(hours=3))
    assert decision(article, fetched + timedelta(hours=3)) is Decision.SKIP
    assert decision(article, fetched + timedelta(hours=4)) is Decision.LASTMOD
    dated = stored(fetched, modified=fetched + timedelta(hours=3))
    assert decision(dated, fetched + timedelta(hours=2)) is Decision.SKIP


def test_an_article_fetched_before_the_refresh_window_is_refetched() -> None:
    assert decision(stored(NOW - WEEK - timedelta(seconds=1))) is Decision.STALE
    assert decision(stored(NOW - WEEK + timedelta(seconds=1))) is Decision.SKIP
    assert decision(StoredArticle.from_document({})) is Decision.STALE  # no fetch date at all


def test_an_article_fetched_by_this_crawl_is_left_to_the_duplicate_filter() -> None:
    assert decision(stored(STARTED + timedelta(seconds=1)), NOW) is Decision.THIS_CRAWL


def test_the_last_fetch_is_the_latest_of_fetched_at_and_last_seen_at() -> None:
    # Storage moves only last_seen_at when a refetch finds the same content.
    old, recent = NOW - timedelta(days=30), NOW - timedelta(days=1)
    article = StoredArticle.from_document({"fetched_at": old, "last_seen_at": recent, "sitemap_lastmod": old})
    assert article.last_fetched == recent
    assert decision(article) is Decision.SKIP
    assert decision(article, old + timedelta(days=1)) is Decision.SKIP  # lastmod bumped, content seen since


def test_stored_articles_are_read_by_key_as_aware_utc(mongo_uri: str, mongo_database: str) -> None:
    naive = datetime(2026, 2, 1, 9, 30)  # what a client without tz_aware writes and reads
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        collection = client[mongo_database]["articles"]
        collection.insert_many(
            [
                {"_id": "https://a.example/1/", "fetched_at": naive, "sitemap_lastmod": naive, "body": "x" * 1000},
                {"_id": "https://a.example/2/", "last_seen_at": naive},
                {"_id": "https://a.example/3/", "fetched_at": naive},
                # Keyed by something else than the URL key: never found by URL.
                {"url": "https://b.example/", "fetched_at": naive},
            ]
        )
        found = StoredArticles(collection).find(["https://a.example/1/", "https://a.example/2/", "https://b.example/"])
    assert sorted(found) == ["https://a.example/1/", "https://a.example/2/"]
    expected = naive.replace(tzinfo=UTC)
    assert found["https://a.example/1/"] == StoredArticle(last_fetched=expected, version_time=expected)
    assert found["https://a.example/2/"] == StoredArticle(last_fetched=expected, version_time=expected)


def change_article(site: Path, path: str, sentence: str, lastmod: datetime) -> None:
    """Add *sentence* to the article at *path* and give it *lastmod* in the sitemap."""
    page = site / "pages" / path.strip("/") / "index.html"
    html = page.read_text(encoding="utf-8")
    marker = "<p>Traders said central bank buying"
    assert marker in html
    page.write_text(html.replace(marker, f"<p>{sentence}</p>\n      {marker}", 1), encoding="utf-8")
    sitemap = site / "pages" / "post-sitemap.xml"
    entry = re.compile(rf"({re.escape(path)}</loc><lastmod>)[^<]+(</lastmod>)")
    text, replaced = entry.subn(rf"\g<1>{lastmod.isoformat()}\g<2>", sitemap.read_text(encoding="utf-8"))
    assert replaced == 1
    sitemap.write_text(text, encoding="utf-8")


def age_article(uri: str, database: str, url: str, days: float) -> None:
    """Make the stored copy of *url* look fetched *days* ago."""
    when = datetime.now(UTC) - timedelta(days=days)
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        result = client[database]["articles"].update_one(
            {"url": url}, {"$set": {"fetched_at": when, "last_seen_at": when}}
        )
    assert result.matched_count == 1


def test_scheduled_crawls_fetch_only_new_changed_or_stale_articles(
    tmp_path: Path,
    site_copy: Path,
    serve_site: Callable[[Path], SiteServer],
    mongo_uri: str,
    mongo_database: str,
) -> None:
    server = serve_site(site_copy)
    env = mongo_env(mongo_uri, mongo_database)

    first = run_crawl(server.origin, tmp_path / "first", env=env)
    assert first.returncode == 0, first.log[-3000:]
    assert {document["url"] for document in stored_articles(mongo_uri, mongo_database)} == {
        server.origin + path for path in ARTICLE_PATHS
    }
    assert set(requested_paths(server)) >= ARTICLE_PATHS
    # Nothing was stored: every article was fetched without a lookup.
    assert "arabpress/incremental/looked_up" not in first.stats
    assert first.stats["arabpress/incremental/new"] >= len(ARTICLE_PATHS)

    # The site has not changed: listings and sitemaps are read, no article page is.
    before = len(requested_paths(server))
    # One request at a time, so that no two pages' links are looked up at once.
    second = run_crawl(server.origin, tmp_path / "second", env=env, settings={"CONCURRENT_REQUESTS": "1"})
    assert second.returncode == 0, second.log[-3000:]
    fetched = requested_paths(server)[before:]
    assert not set(fetched) & ARTICLE_PATHS, fetched
    assert {"/", "/ar/", "/post-sitemap.xml", "/ar/post-sitemap.xml", "/category/middle-east/page/2/"} <= set(fetched)
    assert second.stats["arabpress/incremental/skipped"] == len(ARTICLE_PATHS - {RELATED_ONLY})
    assert second.stats.get("item_scraped_count", 0) == 0
    # Each article met is looked up once: its sitemap request, met after a listing's link to
    # it or before, is decided from what the first lookup read.
    decided = second.stats["arabpress/incremental/skipped"] + second.stats.get("arabpress/incremental/new", 0)
    assert second.stats["arabpress/incremental/looked_up"] == decided
    assert second.stats["arabpress/checks"] == "passed"

    # One story changes (body and sitemap lastmod), another is due its refresh.
    sentence = "Analysts now expect the rally to pause before the next central bank meeting."
    change_article(site_copy, GOLD, sentence, datetime.now(UTC).replace(microsecond=0))
    age_article(mongo_uri, mongo_database, server.origin + PROPERTY, days=8)
    before = len(requested_paths(server))
    third = run_crawl(server.origin, tmp_path / "third", env=env)
    assert third.returncode == 0, third.log[-3000:]
    fetched = requested_paths(server)[before:]
    assert set(fetched) & ARTICLE_PATHS == {GOLD, PROPERTY}, fetched
    assert fetched.count(GOLD) == 1
    assert third.stats["arabpress/incremental/refetched/lastmod"] == 1
    assert third.stats["arabpress/incremental/refetched/stale"] == 1
    documents = {document["url"]: document for document in stored_articles(mongo_uri, mongo_database)}
    assert len(documents) == len(ARTICLE_PATHS)
    gold = documents[server.origin + GOLD]
    assert sentence in gold["body"]
    assert gold["version"] == 2
    assert documents[server.origin + PROPERTY]["version"] == 1  # fetched again, same content

    # ARABPRESS_REFRESH_DAYS=0 switches the skip off: every article page is fetched.
    before = len(requested_paths(server))
    full = run_crawl(server.origin, tmp_path / "full", env=env, settings={"ARABPRESS_REFRESH_DAYS": "0"})
    assert full.returncode == 0, full.log[-3000:]
    assert set(requested_paths(server)[before:]) >= ARTICLE_PATHS
    assert "arabpress/incremental/skipped" not in full.stats
