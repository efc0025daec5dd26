"""The batch writer against a real MongoDB-compatible server: upsert rules, retries, rejections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from pymongo.collection import Collection

from arabpress.local.process import free_port
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.storage.documents import record_hash
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.writer import ArticleWriter, Entry, plan
from arabpress.urls import url_key
from tests.storage_helpers import T0, client_for, entry, later

URL = "https://www.arabpress.example/2026/01/31/a/"


@pytest.fixture
def articles(mongo_uri: str, mongo_database: str) -> Iterator[Collection[dict[str, Any]]]:
    """The articles collection of a fresh database, with its indexes."""
    with client_for(mongo_uri) as client:
        collection = client[mongo_database]["articles"]
        ensure_article_indexes(collection)
        yield collection


def stored(collection: Collection[dict[str, Any]], url: str = URL) -> dict[str, Any]:
    """Return the stored document of *url*."""
    document = collection.find_one({"url": url}, {"_id": 0})
    assert document is not None, f"{url} is not stored"
    return document


def test_new_article_is_inserted_with_bookkeeping_and_bson_dates(articles: Collection[dict[str, Any]]) -> None:
    result = ArticleWriter(articles).write([entry(URL, crawl="crawl-1")])
    assert (result.inserted, result.updated, result.unchanged, result.rejected, result.failed) == (1, 0, 0, [], [])
    document = stored(articles)
    assert document["version"] == 1
    assert document["crawl_id"] == "crawl-1"
    assert document["first_seen_at"] == document["last_seen_at"] == document["updated_at"] == T0
    # Null and empty fields are stored as such, not left out.
    assert document["subtitle"] is None and document["tags"] == [] and document["modified_at"] is None
    for name in ("published_at", "fetched_at", "first_seen_at", "last_seen_at", "updated_at"):
        assert articles.count_documents({"url": URL, name: {"$type": "date"}}) == 1, name


def test_same_fields_only_move_last_seen_at(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL, crawl="crawl-1")])
    before = stored(articles)
    # Another fetch of the same article: only the crawl context differs.
    again = entry(URL, seen_at=later(60), crawl="crawl-2", fetched_at=later(59), fetched_url=URL + "?utm_source=x")
    result = writer.write([again])
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    after = stored(articles)
    assert after["last_seen_at"] == later(60)
    assert {k: v for k, v in after.items() if k != "last_seen_at"} == {
        k: v for k, v in before.items() if k != "last_seen_at"
    }


def test_a_field_change_with_the_same_content_hash_is_a_new_version(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL, crawl="crawl-1")])
    result = writer.write([entry(URL, seen_at=later(60), crawl="crawl-2", section="Other section")])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    document = stored(articles)
    assert (document["section"], document["version"], document["updated_at"]) == ("Other section", 2, later(60))


def test_extractor_version_is_stamped_and_never_moves_back(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL)])
    assert stored(articles)["extractor_version"] == EXTRACTOR_VERSION
    newer = entry(URL, seen_at=later(10))
    newer.document["extractor_version"] = EXTRACTOR_VERSION + 1
    assert writer.write([newer]).unchanged == 1
    older = entry(URL, seen_at=later(20))
    assert writer.write([older]).unchanged == 1
    document = stored(articles)
    assert (document["extractor_version"], document["version"]) == (EXTRACTOR_VERSION + 1, 1)


def test_a_document_stored_without_record_hash_is_compared_field_by_field(
    articles: Collection[dict[str, Any]],
) -> None:
    # As the writer stored articles before record_hash and extractor_version existed.
    legacy = {"_id": URL, **entry(URL).document, "first_seen_at": T0, "last_seen_at": T0, "updated_at": T0}
    legacy["version"] = 1
    legacy.update(crawl_id="crawl-0")
    del legacy["extractor_version"]
    articles.insert_one(legacy)
    writer = ArticleWriter(articles)
    assert writer.write([entry(URL, seen_at=later(10), crawl="crawl-1")]).unchanged == 1
    document = stored(articles)
    assert (document["version"], document["updated_at"], document["crawl_id"]) == (1, T0, "crawl-0")
    assert (document["last_seen_at"], document["extractor_version"]) == (later(10), EXTRACTOR_VERSION)
    assert document["record_hash"] == record_hash(document)
    articles.update_one({"_id": URL}, {"$unset": {"record_hash": ""}})
    assert writer.write([entry(URL, seen_at=later(20), tags=["New"])]).updated == 1
    assert stored(articles)["version"] == 2


def test_a_re_extracted_article_keeps_last_seen_at_and_yields_to_a_later_fetch(
    articles: Collection[dict[str, Any]],
) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL, seen_at=later(1))])
    fixed = entry(URL, body="Fixed body.", seen_at=later(600), crawl="reextract-1")
    result = writer.write([Entry(fixed.document, fixed.crawl_id, fixed.seen_at, from_archive=True)])
    assert result.updated == 1
    document = stored(articles)
    assert (document["body"], document["version"], document["crawl_id"]) == ("Fixed body.", 2, "reextract-1")
    assert (document["updated_at"], document["last_seen_at"]) == (later(600), later(1))
    # The site was fetched again after the page being re-extracted: the newer copy stays.
    writer.write([entry(URL, body="Newest.", seen_at=later(700), fetched_at=later(699))])
    stale = entry(URL, body="From an old page.", seen_at=later(800))
    assert writer.write([Entry(stale.document, "reextract-2", later(800), from_archive=True)]).stale == 1
    assert stored(articles)["body"] == "Newest."


def test_unchanged_articles_seen_at_different_times_each_keep_their_time(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    urls = [URL + f"{number}/" for number in range(3)]
    writer.write([entry(url) for url in urls])
    seen = [later(10), later(10), later(20)]
    result = writer.write([entry(url, seen_at=at) for url, at in zip(urls, seen, strict=True)])
    assert result.unchanged == 3
    assert [stored(articles, url)["last_seen_at"] for url in urls] == seen


def test_changed_hash_replaces_content_and_bumps_version(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL, body="First version.", crawl="crawl-1", tags=["Iran"])])
    changed = entry(URL, body="Second version.", seen_at=later(60), crawl="crawl-2")
    del changed.document["tags"]  # a field the page no longer has
    result = writer.write([changed])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    document = stored(articles)
    assert document["body"] == "Second version."
    assert document["version"] == 2
    assert document["first_seen_at"] == T0
    assert document["updated_at"] == document["last_seen_at"] == later(60)
    assert document["crawl_id"] == "crawl-2"
    assert "tags" not in document
    result = writer.write([entry(URL, body="Third version.", seen_at=later(120), crawl="crawl-3")])
    assert result.updated == 1
    assert stored(articles)["version"] == 3


def test_operations_are_safe_to_send_twice(articles: Collection[dict[str, Any]]) -> None:
    # A retry after a lost connection sends a batch that may have been applied already.
    ArticleWriter(articles).write([entry(URL, body="First version.")])
    changed = entry(URL, body="Second version.", seen_at=later(60), crawl="crawl-2")
    operation = plan(changed, stored(articles))
    assert operation is not None
    fresh = entry(URL + "new/")
    insert = plan(fresh, None)
    assert insert is not None
    for _ in range(2):
        operation.send(articles)
        insert.send(articles)
    assert stored(articles)["version"] == 2
    assert articles.count_documents({"url": URL + "new/"}) == 1


def test_a_late_replay_never_overwrites_a_newer_copy(articles: Collection[dict[str, Any]]) -> None:
    writer = ArticleWriter(articles)
    writer.write([entry(URL, body="Newer text.", seen_at=later(60), crawl="crawl-2")])
    result = writer.write([entry(URL, body="Older text.", seen_at=T0, crawl="crawl-1")])
    assert (result.updated, result.stale) == (0, 1)
    result = writer.write([entry(URL, body="Newer text.", seen_at=T0, crawl="crawl-1")])
    assert result.unchanged == 1
    document = stored(articles)
    assert (document["body"], document["version"], document["last_seen_at"]) == ("Newer text.", 1, later(60))


def test_the_same_url_twice_in_a_batch_is_written_in_order(articles: Collection[dict[str, Any]]) -> None:
    result = ArticleWriter(articles).write(
        [entry(URL, body="One."), entry(URL + "b/"), entry(URL, body="Two.", seen_at=later(1))]
    )
    assert (result.inserted, result.updated) == (2, 1)
    assert (stored(articles)["body"], stored(articles)["version"]) == ("Two.", 2)


def test_a_batch_larger_than_one_bulk_command_is_written_whole(articles: Collection[dict[str, Any]]) -> None:
    # 120 operations: more than one bulk command, and more than FerretDB answers in one.
    writer = ArticleWriter(articles)
    batch = [entry(f"{URL}{number}/") for number in range(120)]
    assert writer.write(batch).inserted == 120
    again = [entry(f"{URL}{number}/", body="Changed." if number % 10 == 0 else "Body text.") for number in range(120)]
    result = writer.write(again)
    assert (result.inserted, result.updated, result.unchanged) == (0, 12, 108)
    assert articles.count_documents({}) == 120
    assert articles.count_documents({"version": 2}) == 12


def test_unstorable_documents_are_rejected_alone(articles: Collection[dict[str, Any]]) -> None:
    nul_key = entry(URL + "nul/")
    nul_key.document["images"] = [{"url": "x", "cap\x00tion": "bad key"}]
    too_large = entry(URL + "large/", body="x" * (17 * 1024 * 1024))
    naive_date = entry(URL + "naive/")
    naive_date.document["published_at"] = naive_date.document["published_at"].replace(tzinfo=None)
    surrogate = entry(URL + "surrogate/")
    surrogate.document["subtitle"] = "a lone \ud800 surrogate"
    good = [entry(URL + f"{number}/") for number in range(3)]
    batch = [good[0], nul_key, too_large, good[1], naive_date, surrogate, good[2]]
    result = ArticleWriter(articles).write(batch)
    rejected = dict(result.rejected)
    assert set(rejected) == {URL + "nul/", URL + "large/", URL + "naive/", URL + "surrogate/"}
    assert "NUL" in rejected[URL + "nul/"]
    assert "limit" in rejected[URL + "large/"]
    assert "time zone" in rejected[URL + "naive/"]
    assert "not storable as BSON" in rejected[URL + "surrogate/"]
    assert result.inserted == 3
    assert sorted(doc["url"] for doc in articles.find({}, {"url": 1})) == sorted(e.url for e in good)


def test_a_document_the_server_refuses_does_not_stop_the_batch(articles: Collection[dict[str, Any]]) -> None:
    # A unique index on title: the server refuses the second article with a taken title
    # (duplicate key), on MongoDB and FerretDB alike.
    articles.create_index("title", unique=True, name="title_unique_for_test")
    batch = [
        entry(URL + "1/", title="Title one"),
        entry(URL + "2/", title="Title two"),
        entry(URL + "3/", title="Title one"),
        entry(URL + "4/", title="Title four"),
    ]
    result = ArticleWriter(articles).write(batch)
    assert [url for url, _ in result.rejected] == [URL + "3/"]
    assert "duplicate key" in result.rejected[0][1].lower()
    assert result.inserted == 3
    assert sorted(doc["url"] for doc in articles.find({}, {"url": 1})) == [URL + "1/", URL + "2/", URL + "4/"]


def test_an_unreachable_server_is_retried_with_backoff_then_given_up() -> None:
    delays: list[float] = []
    uri = f"mongodb://127.0.0.1:{free_port()}/"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri, serverSelectionTimeoutMS=200, tz_aware=True)
    with client:
        writer = ArticleWriter(client["db"]["articles"], retry_times=2, retry_backoff=0.01, sleep=delays.append)
        batch = [entry(URL), entry(URL + "b/")]
        result = writer.write(batch)
        # What failed is the batch, keyed (the URLs here are URL keys already).
        assert [(failed.url, failed.document["_id"]) for failed in result.failed] == [(e.url, e.url) for e in batch]
        assert "refused" in result.error.lower() or "timed out" in result.error.lower()
        assert (result.retries, delays) == (2, [0.01, 0.02])
        # While the server is away, later batches get a single attempt each.
        second = writer.write([entry(URL + "c/")])
        assert (len(second.failed), second.retries) == (1, 0)
        assert delays == [0.01, 0.02]


def test_two_spellings_of_one_url_are_one_article_keyed_by_its_url_key(articles: Collection[dict[str, Any]]) -> None:
    arabic = "https://www.arabpress.example/ar/2026/02/01/محادثات/"
    encoded = "https://www.arabpress.example/ar/2026/02/01/%d9%85%d8%ad%d8%a7%d8%af%d8%ab%d8%a7%d8%aa/"
    result = ArticleWriter(articles).write([entry(arabic, body="One."), entry(encoded, body="Two.", seen_at=later(1))])
    assert (result.inserted, result.updated) == (1, 1)
    (document,) = articles.find()
    assert document["_id"] == document["url"] == url_key(arabic) == url_key(encoded)
    assert (document["body"], document["version"]) == ("Two.", 2)


def test_an_article_without_a_usable_url_is_rejected_with_the_reason(articles: Collection[dict[str, Any]]) -> None:
    no_url = entry(URL + "x/")
    no_url.document["url"] = None
    bad_port = entry("https://www.arabpress.example:99999/x/")
    relative = entry("/2026/01/31/x/")
    result = ArticleWriter(articles).write([no_url, bad_port, relative, entry(URL)])
    reasons = [why for _, why in result.rejected]
    assert reasons[0] == "no url"
    assert "is not a URL: Port out of range" in reasons[1]
    assert "is not an absolute http(s) URL" in reasons[2]
    assert result.inserted == 1 and articles.count_documents({}) == 1


def test_while_articles_are_new_they_are_inserted_first_and_only_taken_keys_are_read(
    articles: Collection[dict[str, Any]],
) -> None:
    writer = ArticleWriter(articles)
    assert writer.write([entry(f"{URL}{number}/") for number in range(10)]).inserted == 10
    assert writer.expect_new  # the batch found nothing stored
    # Two stored articles (one changed) among ten new ones: the inserts of the two are
    # refused by their taken _id, and they are read and written by the usual rules.
    batch = [
        entry(f"{URL}0/", body="Changed.", seen_at=later(60)),
        *(entry(f"{URL}{number}/") for number in range(10, 20)),
        entry(f"{URL}1/", seen_at=later(60)),
    ]
    result = writer.write(batch)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (10, 1, 1, [])
    assert (stored(articles, f"{URL}0/")["version"], stored(articles, f"{URL}0/")["body"]) == (2, "Changed.")
    assert stored(articles, f"{URL}1/")["last_seen_at"] == later(60)
    assert stored(articles, f"{URL}15/")["version"] == 1
    assert writer.expect_new  # 2 of 12 stored
    # A batch of stored articles makes the next ones read first again.
    again = writer.write([entry(f"{URL}{number}/", seen_at=later(120)) for number in range(1, 6)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert not writer.expect_new
    assert articles.count_documents({}) == 20
