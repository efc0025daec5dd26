"""The crawls collection: summaries of the stats, statuses, and marking a crawl failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo.collection import Collection
from scrapy.utils.test import get_crawler

from arabpress.storage.crawls import (
    CRAWL_ID_STAT,
    add_process,
    combined_summary,
    crawl_id,
    crawl_summary,
    failure_reasons,
    finish_crawl,
    finish_shared_crawl,
    join_crawl,
    last_crawl,
    mark_crawl_failed,
    start_crawl,
)
from arabpress.storage.indexes import ensure_crawl_indexes
from tests.storage_helpers import T0, client_for, later

STATS = {
    "response_received_count": 69,
    "item_scraped_count": 7,
    "mongo/inserted": 5,
    "mongo/updated": 1,
    "mongo/unchanged": 1,
    "mongo/rejected": 0,
    "item_dropped_reasons_count/MissingBody": 1,
    "item_dropped_reasons_count/DuplicateUrl": 3,
    "log_count/ERROR": 2,
    "downloader/exception_type_count/twisted.internet.error.TimeoutError": 4,
    "httperror/response_ignored_status_count/404": 50,
    "httperror/response_ignored_status_count/500": 1,
}


def test_summary_keeps_the_figures_that_matter() -> None:
    summary = crawl_summary(STATS)
    assert summary["pages_fetched"] == 69
    assert summary["items_scraped"] == 7
    assert summary["articles"] == {"new": 5, "updated": 1, "unchanged": 1, "rejected": 0, "not_written": 0}
    assert summary["drops"] == [{"reason": "DuplicateUrl", "count": 3}, {"reason": "MissingBody", "count": 1}]
    assert summary["errors"] == {
        "log_errors": 2,
        "exceptions": [{"type": "twisted.internet.error.TimeoutError", "count": 4}],
        "http_status": [{"status": "404", "count": 50}, {"status": "500", "count": 1}],
    }


def test_failure_reasons() -> None:
    assert failure_reasons("finished", STATS) == []
    assert failure_reasons("max_articles", STATS) == []
    assert failure_reasons("shutdown", STATS) == ["finish reason: shutdown"]
    unwritten = {**STATS, "mongo/replayed_items": 3, "mongo/replay_file": "replay/arabpress-x.jsonl"}
    assert failure_reasons("finished", unwritten) == ["3 articles not written to MongoDB: replay/arabpress-x.jsonl"]


def test_crawl_id_is_computed_once_per_crawler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRAPY_JOB", raising=False)
    crawler = get_crawler()
    first = crawl_id(crawler)
    assert len(first) == 32 and first == crawl_id(crawler)
    assert crawler.stats.get_value(CRAWL_ID_STAT) == first
    assert crawl_id(get_crawler()) != first
    monkeypatch.setenv("SCRAPY_JOB", "6487ec79947edab326d6db28a2d86511")
    assert crawl_id(get_crawler()) == "6487ec79947edab326d6db28a2d86511"


@pytest.fixture
def crawls(mongo_uri: str, mongo_database: str) -> Iterator[Collection[dict[str, Any]]]:
    """The crawls collection of a fresh database, with its indexes."""
    with client_for(mongo_uri) as client:
        collection = client[mongo_database]["crawls"]
        ensure_crawl_indexes(collection)
        yield collection


def record(crawls: Collection[dict[str, Any]], crawl: str) -> dict[str, Any]:
    """Return the crawl document of *crawl*."""
    document = crawls.find_one({"crawl_id": crawl}, {"_id": 0})
    assert document is not None
    return document


def test_a_crawl_runs_then_finishes(crawls: Collection[dict[str, Any]]) -> None:
    start_crawl(crawls, "c1", {"crawl_id": "c1", "spider": "arabpress", "started_at": T0})
    assert record(crawls, "c1")["status"] == "running"
    finish_crawl(crawls, "c1", {"finished_at": later(5), "finish_reason": "finished", **crawl_summary(STATS)}, [])
    document = record(crawls, "c1")
    assert (document["status"], document["finished_at"], document["articles"]["new"]) == ("finished", later(5), 5)
    assert "failed_checks" not in document


def test_a_crawl_that_ends_badly_is_failed_with_reasons(crawls: Collection[dict[str, Any]]) -> None:
    start_crawl(crawls, "c1", {"crawl_id": "c1", "spider": "arabpress", "started_at": T0})
    finish_crawl(crawls, "c1", {"finish_reason": "shutdown"}, ["finish reason: shutdown"])
    document = record(crawls, "c1")
    assert (document["status"], document["failed_checks"]) == ("failed", ["finish reason: shutdown"])


def test_a_monitor_failure_is_kept_whichever_comes_first(crawls: Collection[dict[str, Any]]) -> None:
    for crawl in ("before", "after"):
        start_crawl(crawls, crawl, {"crawl_id": crawl, "spider": "arabpress", "started_at": T0})
    # A monitor fails the crawl before the record is completed ...
    assert mark_crawl_failed(crawls, "before", ["Articles/minimum number of articles"])
    finish_crawl(crawls, "before", {"finish_reason": "finished"}, [])
    # ... or after it.
    finish_crawl(crawls, "after", {"finish_reason": "finished"}, [])
    assert mark_crawl_failed(crawls, "after", ["Errors/error ratio", "Drops/drop ratio"])
    assert mark_crawl_failed(crawls, "after", ["Errors/error ratio"])
    assert record(crawls, "before")["status"] == "failed"
    assert record(crawls, "before")["failed_checks"] == ["Articles/minimum number of articles"]
    assert record(crawls, "after")["status"] == "failed"
    assert sorted(record(crawls, "after")["failed_checks"]) == ["Drops/drop ratio", "Errors/error ratio"]
    assert not mark_crawl_failed(crawls, "no-such-crawl", ["x"])


def test_last_crawl_is_the_latest_started(crawls: Collection[dict[str, Any]]) -> None:
    start_crawl(crawls, "old", {"crawl_id": "old", "spider": "arabpress", "started_at": T0})
    start_crawl(crawls, "new", {"crawl_id": "new", "spider": "arabpress", "started_at": later(60)})
    start_crawl(crawls, "other", {"crawl_id": "other", "spider": "other", "started_at": later(120)})
    latest = last_crawl(crawls, "arabpress")
    assert latest is not None and latest["crawl_id"] == "new"
    assert (last_crawl(crawls) or {}).get("crawl_id") == "other"


def test_a_shared_crawl_sums_its_processes_figures() -> None:
    first = crawl_summary({
        "response_received_count": 10, "mongo/inserted": 4, "item_dropped_reasons_count/MissingBody": 1,
        "httperror/response_ignored_status_count/404": 2, "log_count/ERROR": 1,
    })  # fmt: skip
    second = crawl_summary({
        "response_received_count": 7, "mongo/inserted": 3, "mongo/updated": 1,
        "item_dropped_reasons_count/MissingBody": 2, "item_dropped_reasons_count/DuplicateUrl": 1,
    })  # fmt: skip
    total = combined_summary([first, second])
    assert total["pages_fetched"] == 17
    assert total["articles"] == {"new": 7, "updated": 1, "unchanged": 0, "rejected": 0, "not_written": 0}
    assert total["drops"] == [{"reason": "MissingBody", "count": 3}, {"reason": "DuplicateUrl", "count": 1}]
    assert total["errors"] == {"log_errors": 1, "exceptions": [], "http_status": [{"status": "404", "count": 2}]}


def test_a_shared_crawl_is_completed_by_its_last_process(crawls: Collection[dict[str, Any]]) -> None:
    for _ in range(2):  # each process joins; the second finds the document made
        join_crawl(crawls, "shared", {"spider": "arabpress", "started_at": T0}, processes=2)
    assert record(crawls, "shared")["status"] == "running"
    entry = {"finished_at": later(5), "finish_reason": "finished", "failed": [], **crawl_summary({"mongo/inserted": 2})}
    document = add_process(crawls, "shared", {"process": "a", **entry})
    assert document is not None and len(document["processes"]) == 1 and document["status"] == "running"
    document = add_process(crawls, "shared", {"process": "b", **entry, "finish_reason": "shutdown", "failed": ["x"]})
    assert document is not None
    finish_shared_crawl(crawls, document)
    done = record(crawls, "shared")
    assert done["status"] == "failed" and done["failed_checks"] == ["x"]
    assert done["finish_reason"] == "shutdown" and done["articles"]["new"] == 4
    assert [entry["process"] for entry in done["processes"]] == ["a", "b"]
