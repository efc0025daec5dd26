"""The pages collection against the real server: compression, GridFS over the size limit, history, retention."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from arabpress.extensions.pagearchive import PageArchive
from arabpress.spiders.arabpress import ArabPressSpider
from arabpress.storage.connection import max_document_size, project_settings
from arabpress.storage.pages import Page, PageError, PageStore, page_key
from tests.storage_helpers import T0, client_for

URL = "https://www.arabpress.example/2026/01/31/a/"
MIB = 1024 * 1024


@pytest.fixture
def database(mongo_uri: str, mongo_database: str) -> Iterator[Database[dict[str, Any]]]:
    """A fresh database of the test server."""
    with client_for(mongo_uri) as client:
        yield client[mongo_database]


def page(body: bytes, url: str = URL, **fields: Any) -> Page:
    """Return a page of *url* with *body*, fetched at T0."""
    values: dict[str, Any] = {
        "article_url": url,
        "url": url + "?utm_source=x",
        "final_url": url,
        "status": 200,
        "content_type": "text/html; charset=utf-8",
        "charset": "utf-8",
        "fetched_at": T0,
        "sitemap_lastmod": None,
        "crawl_id": "crawl-1",
        "body": body,
    }
    values.update(fields)
    return Page(**values)


def html(size: int) -> bytes:
    """Return an HTML page of about *size* bytes, as repetitive as real markup."""
    paragraph = b"<p>Gold prices rose more than 8 percent over the past week.</p>\n"
    return b"<html><body>" + paragraph * (size // len(paragraph)) + b"</body></html>\n"


def store_for(database: Database[dict[str, Any]], history: bool = False) -> PageStore:
    """Return a page store limited by the server's real document size."""
    store = PageStore(database, history=history, max_document_size=max_document_size(database.client))
    store.ensure_indexes()
    return store


def test_a_page_is_stored_compressed_and_read_back_whole(database: Database[dict[str, Any]]) -> None:
    store = store_for(database)
    body = html(60_000)
    result = store.write([page(body)])
    assert (result.stored, result.gridfs) == (1, 0)
    stored = database["pages"].find_one({"_id": page_key(URL)})
    assert stored is not None
    assert len(stored["body"]) == result.compressed_bytes < len(body) // 5
    assert (stored["size"], stored["url"], stored["final_url"]) == (len(body), URL + "?utm_source=x", URL)
    assert stored["compression"] == "zstd"
    loaded = store.load(stored)
    assert loaded == page(body)


def test_a_page_kept_zlib_compressed_reads_back_beside_zstd_ones(database: Database[dict[str, Any]]) -> None:
    store = store_for(database)
    old_body, new_body = html(5_000), html(6_000)
    store.write([page(new_body, url=URL + "new/")])
    # A page as stored before Zstandard: zlib level 6, the codec named "zlib".
    store.write([page(old_body)])
    database["pages"].update_one(
        {"_id": page_key(URL)}, {"$set": {"compression": "zlib", "body": zlib.compress(old_body, 6)}}
    )
    documents = {document["compression"]: document for document in database["pages"].find()}
    assert sorted(documents) == ["zlib", "zstd"]
    assert store.load(documents["zlib"]) == page(old_body)
    assert store.load(documents["zstd"]) == page(new_body, url=URL + "new/")
    with pytest.raises(PageError, match="unknown compression 'brotli'"):
        store.body({**documents["zlib"], "compression": "brotli"})
    with pytest.raises(PageError, match="do not decompress"):
        store.body({**documents["zlib"], "body": documents["zstd"]["body"]})


def test_a_page_over_16_mib_goes_to_gridfs_once_and_is_dropped_when_replaced(
    database: Database[dict[str, Any]],
) -> None:
    store = store_for(database)
    # Random bytes do not compress: the stored form is over the document limit too.
    body = os.urandom(17 * MIB)
    result = store.write([page(body)])
    assert result.gridfs == 1 and result.compressed_bytes > store.inline_limit
    stored = database["pages"].find_one({"_id": page_key(URL)})
    assert stored is not None and "body" not in stored and stored["size"] == 17 * MIB
    assert store.body(stored) == body
    # The same bytes fetched again are not uploaded again.
    store.write([page(body, fetched_at=T0 + timedelta(days=1))])
    assert database["pages.files"].count_documents({}) == 1
    # A smaller copy replaces it; the file nobody refers to is then dropped.
    store.write([page(html(1000))])
    assert store.drop_unused_files() == 1
    assert database["pages.files"].count_documents({}) == database["pages.chunks"].count_documents({}) == 0


def test_a_large_page_that_compresses_well_stays_in_its_document(database: Database[dict[str, Any]]) -> None:
    store = store_for(database)
    body = html(17 * MIB)
    assert store.write([page(body)]).gridfs == 0
    stored = database["pages"].find_one({"_id": page_key(URL)})
    assert stored is not None and store.body(stored) == body


def test_latest_copy_only_unless_history_is_on(database: Database[dict[str, Any]]) -> None:
    later = T0 + timedelta(days=1)
    store_for(database).write([page(html(1000)), page(html(2000), fetched_at=later)])
    assert database["pages"].count_documents({}) == 1
    assert database["pages_history"].count_documents({}) == 0
    history = store_for(database, history=True)
    history.write([page(html(1000))])
    history.write([page(html(2000), fetched_at=later)])
    history.write([page(html(2000), fetched_at=later + timedelta(days=1))])  # the same bytes again
    assert database["pages"].count_documents({}) == 1
    copies = list(database["pages_history"].find({"key": page_key(URL)}).sort("fetched_at", 1))
    assert [copy["size"] for copy in copies] == [len(html(1000)), len(html(2000))]
    assert copies[-1]["fetched_at"] == later + timedelta(days=1)


def test_retention_deletes_the_pages_fetched_before_the_bound(database: Database[dict[str, Any]]) -> None:
    store = store_for(database, history=True)
    old, new = URL + "old/", URL + "new/"
    store.write([page(html(1000), url=old), page(html(1000), url=new, fetched_at=T0 + timedelta(days=30))])
    assert store.prune(T0 + timedelta(days=10)) == 2  # the old page and its history copy
    assert [document["_id"] for document in database["pages"].find()] == [page_key(new)]
    assert database["pages_history"].count_documents({"key": page_key(old)}) == 0


def test_a_damaged_page_is_refused_with_a_reason(database: Database[dict[str, Any]]) -> None:
    store = store_for(database)
    store.write([page(html(1000))])
    stored = database["pages"].find_one({"_id": page_key(URL)})
    assert stored is not None
    with pytest.raises(PageError, match="do not match their SHA-256"):
        store.body({**stored, "sha256": "0" * 64})
    with pytest.raises(PageError, match="do not decompress"):
        store.body({**stored, "body": b"not zstd"})


def test_the_same_article_twice_in_a_batch_keeps_the_last_fetch(database: Database[dict[str, Any]]) -> None:
    first = page(html(1000))
    second = replace(first, body=html(3000), fetched_at=T0 + timedelta(hours=1))
    assert store_for(database).write([first, second]).stored == 1
    stored = database["pages"].find_one({"_id": page_key(URL)})
    assert stored is not None and stored["size"] == len(html(3000))


@pytest.mark.parametrize("setting", ["ARABPRESS_PAGES_ENABLED", "MONGO_ENABLED"])
def test_one_setting_turns_the_archive_off(setting: str) -> None:
    defaults = {**project_settings().copy_to_dict(), "TWISTED_REACTOR_ENABLED": False}
    assert defaults["ARABPRESS_PAGES_ENABLED"] is True  # on by default
    crawler = get_crawler(ArabPressSpider, settings_dict={**defaults, setting: False})
    with pytest.raises(NotConfigured, match=setting):
        PageArchive.from_crawler(crawler)
    assert isinstance(PageArchive.from_crawler(get_crawler(ArabPressSpider, settings_dict=defaults)), PageArchive)


def test_new_pages_are_inserted_first_and_pages_already_kept_are_replaced(database: Database[dict[str, Any]]) -> None:
    store = store_for(database)
    later = T0 + timedelta(days=1)
    store.write([page(html(1000), url=f"{URL}{number}/") for number in range(3)])
    assert store.expect_new["pages"]  # nothing was stored: the next batch inserts first
    # One page kept already among seven new ones: its insert is refused, and it is replaced.
    store.write(
        [
            page(html(2000), url=f"{URL}0/", fetched_at=later),
            *(page(html(1000), url=f"{URL}{n}/") for n in range(3, 10)),
        ]
    )
    assert database["pages"].count_documents({}) == 10
    first = database["pages"].find_one({"_id": page_key(f"{URL}0/")})
    assert first is not None and (first["size"], first["fetched_at"]) == (len(html(2000)), later)
    assert store.expect_new["pages"]
    # A batch of pages kept already makes the next one replace first again.
    store.write([page(html(3000), url=f"{URL}{number}/") for number in range(4)])
    assert not store.expect_new["pages"]
    assert database["pages"].count_documents({"size": len(html(3000))}) == 4
    assert database["pages"].count_documents({}) == 10
