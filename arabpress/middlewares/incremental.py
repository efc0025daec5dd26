"""Incremental crawls: fetch an article again only when it is new, changed or due a refresh.

Listings and sitemaps are always read. An article request is dropped before it is
scheduled when the database already holds the article, its last fetch is within the
refresh window (ARABPRESS_REFRESH_DAYS) and the sitemap's ``<lastmod>``, when the
request carries one, is not newer than the copy held (its stored sitemap lastmod,
modified date and last fetch). Stats: ``arabpress/incremental/skipped`` (articles),
``.../new`` and ``.../refetched/lastmod|stale`` (article pages fetched, by why), ``.../looked_up``
(article URLs read from the database), ``.../lookup_failed`` (the database did not answer: the
articles are fetched).

An article stored and current is not fetched, so its related links are not followed
either: new articles are found through the listings and sitemaps, and an article linked
only from related lists is seen again when its linking article is refetched.

This is a spider middleware rather than a downloader middleware: the decision has to be
made before the scheduler's duplicate filter sees the request. An article is usually
linked from a listing before its sitemap entry is read; a downloader middleware would
see only that first request, without a lastmod, while the sitemap's request with the
newer lastmod would be filtered as its duplicate, and a changed article would be missed.
Requests dropped here never reach the duplicate filter, so the later sitemap request
still gets its own decision.

Stored state is read per page's worth of article links, one ``{_id: {$in: URL keys}}``
query (arabpress.storage.lookup), in a thread so the reactor never waits for the database;
nothing is loaded up front, so memory does not grow with the size of the archive. The only
per-crawl memory is one 8-byte digest per article decided: for a skipped one in place of
the fingerprint the duplicate filter would otherwise have kept for it, with the time its
stored copy last changed, so that its sitemap request (met after a listing's link to it, or
before) is decided without a second lookup; for one let through, so that the links to it on
later pages need no lookup (they are dropped here, as the duplicate filter would drop them).

A crawl that starts on an empty articles collection (a first crawl, a backfill) reads
nothing: every article it meets is new or stored by the crawl itself, and both are fetched
(the duplicate filter drops the second kind), so the lookups could only say "fetch".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pymongo.errors import PyMongoError
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from arabpress.spiders.arabpress import KIND_ARTICLE, KIND_META, LASTMOD_META
from arabpress.storage.connection import client_from_settings, describe_error
from arabpress.storage.lookup import find_by_ids
from arabpress.urls import url_digest, url_key

if TYPE_CHECKING:
    from pymongo import MongoClient
    from pymongo.collection import Collection

logger = logging.getLogger(__name__)

STATS_PREFIX = "arabpress/incremental"
DECISION_META = "arabpress_incremental"  # why a request was let through, for the stats


class Decision(StrEnum):
    """What to do with one article request."""

    NEW = "new"  # not stored: fetch
    LASTMOD = "lastmod"  # the sitemap says it changed after what is stored: fetch
    STALE = "stale"  # last fetched before the refresh window: fetch
    THIS_CRAWL = "this_crawl"  # already fetched by this crawl: let the duplicate filter drop it
    SKIP = "skip"  # stored, current and unchanged: drop


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the database holds about one article, as far as refetching goes."""

    last_fetched: datetime | None  # the latest of fetched_at and last_seen_at
    version_time: datetime | None  # the latest of those, sitemap_lastmod and modified_at

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StoredArticle:
        """Read the dates of a stored article document."""
        # A sitemap lastmod newer than all of these means the page changed after the copy
        # held was fetched. Fetch times count, not only the stored lastmod: storage moves
        # only last_seen_at when a refetch finds the same content, so a lastmod bumped
        # without a content change would otherwise be fetched again on every crawl.
        return cls(
            last_fetched=latest(document, ("fetched_at", "last_seen_at")),
            version_time=latest(document, ("fetched_at", "last_seen_at", "sitemap_lastmod", "modified_at")),
        )


def latest(document: Mapping[str, Any], names: Iterable[str]) -> datetime | None:
    """Return the latest of the dates *document* holds under *names*, else None."""
    dates = [date for date in (as_utc(document.get(name)) for name in names) if date is not None]
    return max(dates) if dates else None


def as_utc(value: Any) -> datetime | None:
    """Return *value* as an aware UTC datetime (MongoDB returns naive UTC), else None."""
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def decide(
    stored: StoredArticle | None,
    lastmod: datetime | None,
    *,
    now: datetime,
    refresh: timedelta,
    crawl_started: datetime,
) -> Decision:
    """Decide whether an article request is fetched, from its stored state and sitemap lastmod."""
    if stored is None:
        return Decision.NEW
    if stored.last_fetched is not None and stored.last_fetched >= crawl_started:
        return Decision.THIS_CRAWL
    if stored.last_fetched is None or stored.last_fetched < now - refresh:
        return Decision.STALE
    if changed_since(lastmod, stored.version_time):
        return Decision.LASTMOD
    return Decision.SKIP


def changed_since(lastmod: datetime | None, version_time: datetime | None) -> bool:
    """Tell whether a sitemap *lastmod* is newer than a stored copy's *version_time* (as decide does)."""
    return lastmod is not None and version_time is not None and lastmod > version_time


class StoredArticles:
    """Look up the stored state of article URLs in the articles collection."""

    FIELDS = ("sitemap_lastmod", "modified_at", "fetched_at", "last_seen_at")

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self.collection = collection

    def empty(self) -> bool:
        """Return True when no article is stored."""
        return self.collection.find_one({}, {"_id": 1}) is None

    def find(self, keys: Iterable[str]) -> dict[str, StoredArticle]:
        """Return the stored state of those of *keys* (URL keys) that are stored, by key."""
        projection = dict.fromkeys(self.FIELDS, True)
        found = find_by_ids(self.collection, keys, projection)
        return {key: StoredArticle.from_document(document) for key, document in found.items()}


class IncrementalMiddleware:
    """Drop article requests whose stored copy is current; count every decision in stats."""

    def __init__(
        self,
        crawler: Crawler,
        store: StoredArticles,
        refresh: timedelta,
        batch_size: int = 500,
        client: MongoClient[dict[str, Any]] | None = None,
    ) -> None:
        self.crawler = crawler
        self.store = store
        self.refresh = refresh
        self.batch_size = batch_size
        self.client = client  # closed with the spider when this middleware opened it
        self.crawl_started = datetime.now(UTC)
        # Articles skipped in this crawl, with their stored copy's version_time (see StoredArticle).
        self.skipped: dict[int, datetime | None] = {}
        # Articles let through once in this crawl: a repeat link needs no lookup and is
        # dropped (see process_spider_output).
        self.requested: set[int] = set()
        # Nothing was stored when the crawl started: no lookup can say "skip".
        self.nothing_stored = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        """Build the middleware, or raise NotConfigured when there is nothing stored to compare with."""
        settings = crawler.settings
        if not settings.getbool("ARABPRESS_INCREMENTAL_ENABLED"):
            raise NotConfigured("ARABPRESS_INCREMENTAL_ENABLED is off")
        if not settings.getbool("MONGO_ENABLED"):
            raise NotConfigured("MONGO_ENABLED is off: no stored articles to compare with")
        days = settings.getfloat("ARABPRESS_REFRESH_DAYS")
        if days <= 0:
            raise NotConfigured("ARABPRESS_REFRESH_DAYS is 0: every article is fetched")
        client = client_from_settings(settings)
        collection = client[settings["MONGO_DATABASE"]][settings["MONGO_COLLECTION"]]
        middleware = cls(
            crawler,
            StoredArticles(collection),
            timedelta(days=days),
            batch_size=settings.getint("ARABPRESS_INCREMENTAL_BATCH_SIZE"),
            client=client,
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def spider_opened(self) -> None:
        """Note the crawl's start (an article stored after it was fetched by this crawl) and whether any is stored."""
        self.crawl_started = datetime.now(UTC)
        try:
            self.nothing_stored = await maybe_deferred_to_future(deferToThread(self.store.empty))
        except PyMongoError as error:
            # The lookups will tell, or fail and fetch.
            logger.warning("incremental crawl: cannot tell whether articles are stored (%s)", describe_error(error))
        if self.nothing_stored:
            logger.info("incremental crawl: no article stored yet, every article is fetched without lookups")
            return
        logger.info(
            "incremental crawl: stored articles are fetched again after %s or when their sitemap lastmod is newer",
            self.refresh,
        )

    def spider_closed(self) -> None:
        """Close the database client this middleware opened."""
        if self.client is not None:
            self.client.close()

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Pass items and navigation on at once; article requests in batches, minus the skipped ones."""
        batch: list[Request] = []
        async for entry in result:
            if not is_article_request(entry):
                yield entry
                continue
            key = url_key(entry.url)
            digest = url_digest(key)
            if digest in self.requested:
                # Requested already in this crawl: dropped here, as the duplicate filter would
                # drop it. Passed on, it could reach the scheduler before the first request (still
                # on its way out of another page's output), which carries the decision.
                continue
            if digest in self.skipped:
                # Decided already in this crawl: what was read of its stored copy still holds.
                if changed_since(entry.meta.get(LASTMOD_META), self.skipped[digest]):
                    self.count(Decision.LASTMOD, entry, key)
                    yield entry
                continue
            batch.append(entry)
            if len(batch) >= self.batch_size:
                for request in await self.keep(batch):
                    yield request
                batch = []
        if batch:
            for request in await self.keep(batch):
                yield request

    async def keep(self, requests: list[Request]) -> list[Request]:
        """Return the requests of *requests* that must be fetched."""
        keys = [url_key(request.url) for request in requests]
        assert self.crawler.stats is not None
        found: dict[str, StoredArticle] = {}
        try:
            if not self.nothing_stored:
                self.crawler.stats.inc_value(f"{STATS_PREFIX}/looked_up", len(keys))
                found = await maybe_deferred_to_future(deferToThread(self.store.find, keys))
        except PyMongoError as error:
            # Raising here would drop the page's other links too; without the stored state
            # the safe answer is to fetch (the upserts make a refetch harmless).
            self.crawler.stats.inc_value(f"{STATS_PREFIX}/lookup_failed")
            logger.warning("incremental lookup failed (%s): fetching %d articles", describe_error(error), len(requests))
            found = {}
        now = datetime.now(UTC)
        kept = []
        for request, key in zip(requests, keys, strict=True):
            lastmod = request.meta.get(LASTMOD_META)
            stored = found.get(key)
            decision = decide(stored, lastmod, now=now, refresh=self.refresh, crawl_started=self.crawl_started)
            self.count(decision, request, key, stored)
            if decision is not Decision.SKIP:
                kept.append(request)
        return kept

    def count(self, decision: Decision, request: Request, url: str, stored: StoredArticle | None = None) -> None:
        """Count a skip once per article (*url* its URL key); mark a fetch so that its response is counted."""
        stats = self.crawler.stats
        assert stats is not None
        key = url_digest(url)
        if decision is Decision.SKIP:
            if key not in self.skipped:
                self.skipped[key] = stored.version_time if stored is not None else None
                stats.inc_value(f"{STATS_PREFIX}/skipped")
            return
        self.requested.add(key)
        if decision is Decision.THIS_CRAWL:
            return
        if key in self.skipped:
            # Skipped from a link earlier, fetched now that the sitemap says it changed.
            del self.skipped[key]
            stats.inc_value(f"{STATS_PREFIX}/skipped", -1)
        request.meta[DECISION_META] = decision.value

    def process_spider_input(self, response: Response) -> None:
        """Count each article page fetched, by why it was fetched (repeat requests never arrive)."""
        reason = response.meta.get(DECISION_META)
        if reason is None:
            return
        assert self.crawler.stats is not None
        name = "new" if reason == Decision.NEW else f"refetched/{reason}"
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/{name}")


def is_article_request(entry: Any) -> bool:
    """Return True for the spider's article requests (not listings, sitemaps or items)."""
    return isinstance(entry, Request) and entry.meta.get(KIND_META) == KIND_ARTICLE
