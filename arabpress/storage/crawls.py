"""The ``crawls`` collection: one document per crawl run, and the crawl's id.

A crawl document is written with status "running" when the spider opens and completed
when it closes ("finished" or "failed"); a monitor may mark it failed afterwards with
:func:`mark_crawl_failed`. Article documents carry the ``crawl_id`` of the crawl that
last changed them.

Several processes sharing one frontier (``arabpress crawl --processes N``, or N scrapyd
jobs) share one crawl document: they are given the same ARABPRESS_CRAWL_ID and
ARABPRESS_CRAWL_PROCESSES=N; each adds its own figures to ``processes`` when it closes,
and the one that adds the N-th writes the totals and the crawl's status.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from scrapy.crawler import Crawler

CRAWL_ID_STAT = "arabpress/crawl_id"

# Finish reasons of a crawl that ran to its planned end.
FINISHED_REASONS = frozenset(
    {"finished", "max_articles", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
)

STATUS_RUNNING = "running"
STATUS_FINISHED = "finished"
STATUS_FAILED = "failed"


def scrapyd_job(crawler: Crawler) -> str | None:
    """Return scrapyd's job id of *crawler*'s run: the ``_job`` spider argument scrapyd passes, or SCRAPY_JOB."""
    job = getattr(crawler.spider, "_job", None) or os.environ.get("SCRAPY_JOB")
    return str(job) if job else None


def crawl_id(crawler: Crawler) -> str:
    """Return the id of *crawler*'s run: ARABPRESS_CRAWL_ID, scrapyd's job id or a new uuid4 hex.

    Computed once and kept in the stats, so every component of the run gets the same.
    """
    assert crawler.stats is not None
    value = crawler.stats.get_value(CRAWL_ID_STAT)
    if not value:
        value = crawler.settings.get("ARABPRESS_CRAWL_ID") or scrapyd_job(crawler) or uuid.uuid4().hex
        crawler.stats.set_value(CRAWL_ID_STAT, value)
    return str(value)


def counts_with_prefix(stats: Mapping[str, Any], prefix: str, key: str) -> list[dict[str, Any]]:
    """Return the stats named *prefix*NAME as ``[{key: NAME, "count": n}]``, largest first.

    A list rather than a sub-document: names such as exception types hold dots.
    """
    found = [{key: name[len(prefix) :], "count": value} for name, value in stats.items() if name.startswith(prefix)]
    return sorted(found, key=lambda entry: (-int(entry["count"]), str(entry[key])))


def crawl_summary(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Return the figures of a crawl that the crawl document keeps."""
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "items_scraped": stats.get("item_scraped_count", 0),
        "articles": {
            "new": stats.get("mongo/inserted", 0),
            "updated": stats.get("mongo/updated", 0),
            "unchanged": stats.get("mongo/unchanged", 0),
            "rejected": stats.get("mongo/rejected", 0),
            "not_written": stats.get("mongo/replayed_items", 0),
        },
        "drops": counts_with_prefix(stats, "item_dropped_reasons_count/", "reason"),
        "errors": {
            "log_errors": stats.get("log_count/ERROR", 0),
            "exceptions": counts_with_prefix(stats, "downloader/exception_type_count/", "type"),
            "http_status": counts_with_prefix(stats, "httperror/response_ignored_status_count/", "status"),
        },
    }


def failure_reasons(reason: str, stats: Mapping[str, Any]) -> list[str]:
    """Return why a closed crawl failed; empty when it finished well."""
    reasons = []
    if reason not in FINISHED_REASONS:
        reasons.append(f"finish reason: {reason}")
    not_written = int(stats.get("mongo/replayed_items", 0))
    if not_written:
        reasons.append(f"{not_written} articles not written to MongoDB: {stats.get('mongo/replay_file')}")
    return reasons


def start_crawl(collection: Collection[dict[str, Any]], crawl: str, fields: Mapping[str, Any]) -> None:
    """Record that crawl *crawl* started (status "running")."""
    document = {**fields, "status": STATUS_RUNNING}
    collection.update_one({"crawl_id": crawl}, {"$set": document}, upsert=True)


def finish_crawl(
    collection: Collection[dict[str, Any]], crawl: str, fields: Mapping[str, Any], reasons: Sequence[str]
) -> None:
    """Record the end of crawl *crawl*: "failed" with *reasons*, else "finished".

    A "failed" status that a monitor set already is kept.
    """
    collection.update_one({"crawl_id": crawl}, {"$set": dict(fields)})
    if reasons:
        mark_crawl_failed(collection, crawl, reasons)
    else:
        collection.update_one({"crawl_id": crawl, "status": STATUS_RUNNING}, {"$set": {"status": STATUS_FINISHED}})


def mark_crawl_failed(collection: Collection[dict[str, Any]], crawl: str, reasons: Sequence[str]) -> bool:
    """Set crawl *crawl*'s status to "failed", adding *reasons* to its failed_checks.

    Returns False when no crawl document has that id.
    """
    update: dict[str, Any] = {"$set": {"status": STATUS_FAILED}}
    if reasons:
        update["$addToSet"] = {"failed_checks": {"$each": list(reasons)}}
    return collection.update_one({"crawl_id": crawl}, update).matched_count > 0


def last_crawl(collection: Collection[dict[str, Any]], spider: str | None = None) -> dict[str, Any] | None:
    """Return the most recently started crawl document (of *spider* when given)."""
    query = {"spider": spider} if spider else {}
    return collection.find_one(query, sort=[("started_at", -1)])


def join_crawl(collection: Collection[dict[str, Any]], crawl: str, fields: Mapping[str, Any], processes: int) -> None:
    """Record that crawl *crawl*, run by *processes* processes, started; the first process creates it."""
    document = {**fields, "status": STATUS_RUNNING, "processes_expected": processes, "processes": []}
    # Two upserts may race; the unique index refuses the second, and the document exists.
    with contextlib.suppress(DuplicateKeyError):
        collection.update_one({"crawl_id": crawl}, {"$setOnInsert": document}, upsert=True)


def add_process(collection: Collection[dict[str, Any]], crawl: str, entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """Add one process's figures to crawl *crawl*; return the document after the change."""
    document: dict[str, Any] | None = collection.find_one_and_update(
        {"crawl_id": crawl}, {"$push": {"processes": dict(entry)}}, return_document=ReturnDocument.AFTER
    )
    return document


def sum_counts(entries: Sequence[Mapping[str, Any]], field: str, key: str) -> list[dict[str, Any]]:
    """Return the ``[{key: NAME, "count": n}]`` lists of *field* in *entries*, summed, largest first."""
    totals: dict[Any, int] = {}
    for entry in entries:
        for count in entry.get(field, []):
            totals[count[key]] = totals.get(count[key], 0) + int(count["count"])
    return counts_with_prefix({str(name): total for name, total in totals.items()}, "", key)


def combined_summary(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the figures of a crawl run by several processes: the sums of theirs."""
    articles = [entry.get("articles", {}) for entry in entries]
    errors = [entry.get("errors", {}) for entry in entries]
    return {
        "pages_fetched": sum(int(entry.get("pages_fetched", 0)) for entry in entries),
        "items_scraped": sum(int(entry.get("items_scraped", 0)) for entry in entries),
        "articles": {
            name: sum(int(counts.get(name, 0)) for counts in articles)
            for name in ("new", "updated", "unchanged", "rejected", "not_written")
        },
        "drops": sum_counts(entries, "drops", "reason"),
        "errors": {
            "log_errors": sum(int(counts.get("log_errors", 0)) for counts in errors),
            "exceptions": sum_counts(errors, "exceptions", "type"),
            "http_status": sum_counts(errors, "http_status", "status"),
        },
    }


def combined_finish_reason(entries: Sequence[Mapping[str, Any]]) -> str:
    """Return "finished" when every process ran to its end, else the first other reason."""
    reasons = [str(entry.get("finish_reason")) for entry in entries]
    return next((reason for reason in reasons if reason not in FINISHED_REASONS), "finished")


def finish_shared_crawl(collection: Collection[dict[str, Any]], document: Mapping[str, Any]) -> None:
    """Write the totals and status of a shared crawl whose processes have all reported."""
    entries = document.get("processes", [])
    reasons = [reason for entry in entries for reason in entry.get("failed", [])]
    fields = {
        "finished_at": max((entry["finished_at"] for entry in entries if entry.get("finished_at")), default=None),
        "finish_reason": combined_finish_reason(entries),
        **combined_summary(entries),
    }
    finish_crawl(collection, str(document["crawl_id"]), fields, reasons)
