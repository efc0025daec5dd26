"""Real crawls of the sample site into the real server: upsert semantics, crawl records, failures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from arabpress.items import ArticleItem
from arabpress.local.process import free_port
from arabpress.local.site import SiteServer
from arabpress.storage.documents import BOOKKEEPING_FIELDS, DATE_FIELDS
from arabpress.urls import url_key
from tests.crawl import CrawlResult, run_crawl
from tests.storage_helpers import client_for

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected.json").read_text(encoding="utf-8"))
ARTICLE_COUNT = sum(1 for page in EXPECTED["pages"] if isinstance(page["item"], dict))
GOLD_PATH = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
GOLD_SENTENCE = "Spot gold traded above its previous record on Friday"

# Full crawls every time: the incremental middleware would skip the stored articles.
FULL_CRAWL = {"ARABPRESS_INCREMENTAL_ENABLED": "False"}


def crawl_into(server: SiteServer, workdir: Path, uri: str, database: str, **settings: str) -> CrawlResult:
    """Crawl *server* with the MongoDB pipeline on, into *database*."""
    env = {"MONGO_ENABLED": "1", "MONGO_URI": uri, "MONGO_DATABASE": database}
    merged = {**FULL_CRAWL, "MONGO_REPLAY_DIR": str(workdir / "replay"), **settings}
    return run_crawl(server.origin, workdir, settings=merged, env=env)


def mongo_stats(result: CrawlResult) -> dict[str, Any]:
    """Return the crawl's mongo/* stats."""
    return {name.removeprefix("mongo/"): value for name, value in result.stats.items() if name.startswith("mongo/")}


def stored_articles(uri: str, database: str) -> dict[str, dict[str, Any]]:
    """Return the stored articles by URL, without _id."""
    with client_for(uri) as client:
        return {doc["url"]: doc for doc in client[database]["articles"].find({}, {"_id": 0})}


def test_three_crawls_insert_then_touch_then_update_one(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    server = serve_site(site_copy)

    first = crawl_into(server, tmp_path / "first", mongo_uri, mongo_database, MONGO_BATCH_SIZE="3")
    assert first.returncode == 0, first.log[-3000:]
    assert mongo_stats(first) == {
        "inserted": ARTICLE_COUNT,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "retries": 0,
        "batches": 3,
    }
    # The closing summary counts every batch, the last one included.
    summary = f"MongoDB {mongo_database}.articles: {ARTICLE_COUNT} new, 0 updated, 0 unchanged, 0 rejected"
    assert summary in first.log
    one = stored_articles(mongo_uri, mongo_database)
    assert set(one) == first.urls() and len(one) == ARTICLE_COUNT
    first_id = first.stats["arabpress/crawl_id"]
    for document in one.values():
        assert set(ArticleItem.fields) | set(BOOKKEEPING_FIELDS) <= set(document)
        assert (document["version"], document["crawl_id"]) == (1, first_id)
        assert document["first_seen_at"] == document["last_seen_at"] == document["updated_at"]
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        for name in (*DATE_FIELDS, *BOOKKEEPING_FIELDS[:3]):
            present = sum(1 for doc in one.values() if doc[name] is not None)
            assert articles.count_documents({name: {"$type": "date"}}) == present > 0 or name in (
                "modified_at",
                "sitemap_lastmod",
            ), name
        assert articles.count_documents({"published_at": {"$type": "date"}}) == ARTICLE_COUNT
        # Keyed by the URL key: _id is the url, and the url and related links are URL keys.
        for document in articles.find():
            assert document["_id"] == document["url"] == url_key(document["url"])
            assert document["related_urls"] == [url_key(link) for link in document["related_urls"]]

    second = crawl_into(server, tmp_path / "second", mongo_uri, mongo_database)
    assert second.returncode == 0, second.log[-3000:]
    assert (mongo_stats(second)["inserted"], mongo_stats(second)["updated"]) == (0, 0)
    assert mongo_stats(second)["unchanged"] == ARTICLE_COUNT
    two = stored_articles(mongo_uri, mongo_database)
    for url, before in one.items():
        after = two[url]
        assert after["last_seen_at"] > before["last_seen_at"]
        assert {k: v for k, v in after.items() if k != "last_seen_at"} == {
            k: v for k, v in before.items() if k != "last_seen_at"
        }

    page = site_copy / "pages" / GOLD_PATH.strip("/") / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count(GOLD_SENTENCE) == 1
    page.write_text(html.replace(GOLD_SENTENCE, GOLD_SENTENCE.replace("Friday", "Thursday")), encoding="utf-8")
    third = crawl_into(server, tmp_path / "third", mongo_uri, mongo_database)
    assert third.returncode == 0, third.log[-3000:]
    stats = mongo_stats(third)
    assert (stats["inserted"], stats["updated"], stats["unchanged"]) == (0, 1, ARTICLE_COUNT - 1)
    three = stored_articles(mongo_uri, mongo_database)
    gold_url = server.origin + GOLD_PATH
    gold = three[gold_url]
    assert GOLD_SENTENCE.replace("Friday", "Thursday") in gold["body"]
    assert gold["version"] == 2
    assert gold["crawl_id"] == third.stats["arabpress/crawl_id"]
    assert gold["first_seen_at"] == one[gold_url]["first_seen_at"]
    assert gold["updated_at"] == gold["last_seen_at"] > two[gold_url]["last_seen_at"]
    assert gold["content_hash"] != one[gold_url]["content_hash"]
    for url, document in three.items():
        if url != gold_url:
            assert (document["version"], document["crawl_id"]) == (1, first_id)

    # One crawl record per run, with its outcome.
    with client_for(mongo_uri) as client:
        crawls = list(client[mongo_database]["crawls"].find({}, {"_id": 0}).sort("started_at", 1))
    assert [crawl["crawl_id"] for crawl in crawls] == [
        result.stats["arabpress/crawl_id"] for result in (first, second, third)
    ]
    assert [crawl["articles"] for crawl in crawls] == [
        {"new": ARTICLE_COUNT, "updated": 0, "unchanged": 0, "rejected": 0, "not_written": 0},
        {"new": 0, "updated": 0, "unchanged": ARTICLE_COUNT, "rejected": 0, "not_written": 0},
        {"new": 0, "updated": 1, "unchanged": ARTICLE_COUNT - 1, "rejected": 0, "not_written": 0},
    ]
    for crawl, result in zip(crawls, (first, second, third), strict=True):
        assert (crawl["status"], crawl["finish_reason"], crawl["spider"]) == ("finished", "finished", "arabpress")
        assert crawl["site"] == server.origin
        assert crawl["started_at"] < crawl["finished_at"]
        assert crawl["pages_fetched"] == result.stats["response_received_count"]
        assert {"reason": "MissingBody", "count": 1} in crawl["drops"]
        assert crawl["errors"]["log_errors"] == result.stats.get("log_count/ERROR", 0)
        assert {"status": "404", "count": result.stats["httperror/response_ignored_status_count/404"]} in crawl[
            "errors"
        ]["http_status"]


def test_documents_the_server_refuses_are_logged_counted_and_do_not_stop_the_crawl(
    tmp_path: Path, sample_site: SiteServer, mongo_uri: str, mongo_database: str
) -> None:
    # A unique index on section: the server refuses every article after the first of
    # each section (a duplicate key), on MongoDB and FerretDB alike.
    with client_for(mongo_uri) as client:
        client[mongo_database]["articles"].create_index("section", unique=True, name="section_unique_for_test")
    result = crawl_into(sample_site, tmp_path, mongo_uri, mongo_database)
    assert result.returncode == 0, result.log[-3000:]
    stored = stored_articles(mongo_uri, mongo_database)
    sections = {item["section"] for item in result.items}
    assert len(stored) == len(sections) < len(result.items)
    stats = mongo_stats(result)
    assert stats["rejected"] == len(result.items) - len(sections)
    assert stats["inserted"] == len(sections)
    refused = re.findall(r"ERROR: MongoDB rejected the article (\S+): (.+)", result.log)
    assert {url for url, _ in refused} == result.urls() - set(stored)
    assert all("duplicate key" in reason.lower() for _, reason in refused)
    assert "replayed_items" not in stats  # refusals are not retried nor kept for replay


def test_an_unreachable_server_fails_the_crawl_at_once_with_one_line(tmp_path: Path, sample_site: SiteServer) -> None:
    port = free_port()
    uri = f"mongodb://crawler:s3cret@127.0.0.1:{port}/?authSource=admin"
    result = run_crawl(
        sample_site.origin,
        tmp_path,
        settings={"MONGO_SERVER_SELECTION_TIMEOUT": "1"},
        env={"MONGO_ENABLED": "1", "MONGO_URI": uri},
    )
    # scrapy crawl checks the server before any component starts: one line, nothing else failing.
    assert result.returncode == 1
    where = f"mongodb://crawler:***@127.0.0.1:{port}/?authSource=admin"
    line = f"ERROR: crawl not started: MongoDB at {where} is unreachable: "
    errors = [entry for entry in result.log.splitlines() if " ERROR: " in entry]
    assert len(errors) == 1 and line in errors[0], errors
    assert "Traceback" not in result.log
    assert "s3cret" not in result.log
    # Nothing was crawled.
    assert result.items == []
    assert result.stats.get("response_received_count", 0) == 0


def test_with_mongo_disabled_no_server_is_needed(tmp_path: Path, sample_site: SiteServer) -> None:
    result = run_crawl(
        sample_site.origin,
        tmp_path,
        env={"MONGO_ENABLED": "0", "MONGO_URI": f"mongodb://127.0.0.1:{free_port()}/"},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) == ARTICLE_COUNT
    assert "Disabled arabpress.pipelines.mongo.MongoPipeline: MONGO_ENABLED is off" in result.log
    assert "Disabled arabpress.extensions.crawlrecord.CrawlRecord: MONGO_ENABLED is off" in result.log
    assert not any(name.startswith("mongo/") for name in result.stats)


def test_a_partly_filled_batch_is_written_after_the_flush_interval(
    tmp_path: Path, sample_site: SiteServer, mongo_uri: str, mongo_database: str
) -> None:
    # Batches far larger than the crawl: only the timer can write before the close.
    slow = {"CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.05", "DOWNLOAD_DELAY_JITTER": "0"}
    result = crawl_into(
        sample_site, tmp_path, mongo_uri, mongo_database, MONGO_BATCH_SIZE="1000", MONGO_FLUSH_INTERVAL="0.2", **slow
    )
    assert result.returncode == 0, result.log[-3000:]
    stats = mongo_stats(result)
    assert stats["inserted"] == ARTICLE_COUNT
    assert stats["batches"] >= 2
