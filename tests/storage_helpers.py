"""Helpers shared by the storage tests: article items and a client for the test server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo

from arabpress.items import ArticleItem
from arabpress.pipelines.fingerprint import content_hash
from arabpress.storage.documents import article_document
from arabpress.storage.writer import Entry

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def client_for(uri: str) -> pymongo.MongoClient[dict[str, Any]]:
    """Return a client that reads dates as aware UTC datetimes, like the crawler's."""
    return pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True, tzinfo=UTC)


def server_is_ferretdb(client: pymongo.MongoClient[dict[str, Any]]) -> bool:
    """Return True when the server is FerretDB (its buildInfo says so)."""
    return "ferretdbVersion" in client.admin.command("buildInfo")


def article(url: str, body: str = "Body text.", title: str = "A title", **fields: Any) -> ArticleItem:
    """Return an ArticleItem as the pipelines leave it."""
    item = ArticleItem(
        url=url,
        fetched_url=url,
        language="en",
        title=title,
        subtitle=None,
        authors=[],
        section="Economy",
        tags=[],
        images=[],
        body=body,
        body_source="theme",
        related_urls=[],
        published_raw="2026-01-31T12:00:00+00:00",
        published_source="meta",
        modified_raw=None,
        modified_source=None,
        published_at=datetime(2026, 1, 31, 12, 0, tzinfo=UTC),
        modified_at=None,
        fetched_at=T0,
        sitemap_lastmod=None,
        content_hash=content_hash(title, body),
        word_count=len(body.split()),
    )
    for name, value in fields.items():
        item[name] = value
    return item


def entry(url: str, body: str = "Body text.", seen_at: datetime = T0, crawl: str = "crawl-1", **fields: Any) -> Entry:
    """Return a writer entry for an article seen by *crawl* at *seen_at*."""
    return Entry(article_document(article(url, body, **fields)), crawl, seen_at)


def later(minutes: int) -> datetime:
    """Return T0 plus *minutes*."""
    return T0 + timedelta(minutes=minutes)
