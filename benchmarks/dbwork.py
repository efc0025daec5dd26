"""What the database server does per article in a full-chain crawl, and what each kind of command costs it.

  crawl  the full chain (the project's defaults, as ``python -m benchmarks.run``'s "full" row) on a
         generated site against one local server: once as it runs, for the crawl process's and the
         server's CPU per article; then with pymongo's command monitoring in the crawl process, for
         the commands per article by kind and collection, the documents they carry and the bytes
         sent and received: into an empty database, again into what it stored (incremental
         lookups, every article skipped), and again with every article refetched (unchanged).
  micro  the server's CPU per operation (its /proc CPU time over N operations) for inserts of
         article and page documents with and without their indexes, ``{_id}`` lookups one by one
         and as one ``$in``, and small updates.

Usage::

    python -m benchmarks.dbwork                      # 2,000 articles and 500 operations each
    python -m benchmarks.dbwork --articles 500 --operations 200 --no-micro
"""

from __future__ import annotations

import argparse
import atexit
import json
import runpy
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
import psutil
from pymongo import monitoring

from arabpress.storage.pages import PAGE_INDEXES, PageStore
from benchmarks.run import (
    OUTPUTS,
    CrawlRun,
    crawl_settings,
    drop_database,
    ensure_site,
    mongo_server,
    run_crawl,
    sample_documents,
    server_version,
    table,
)

MONITOR_FLAG = "--monitor-into"


# --- the monitored crawl process ------------------------------------------------------------


class CommandCounter(monitoring.CommandListener):
    """Count each command by name and collection, with its documents and bytes."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.names: dict[int, str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Count a command sent."""
        command = event.command
        name = event.command_name
        target = command.get("collection") if name == "getMore" else command.get(name)
        key = f"{name} {target}" if isinstance(target, str) else name
        self.names[event.request_id] = key
        entry = self.counts[key]
        entry["commands"] += 1
        entry["bytes_sent"] += len(bson.encode(command))
        for field in ("documents", "updates", "deletes"):
            entry["documents"] += len(command.get(field) or [])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Count the documents and bytes of a reply."""
        entry = self.counts[self.names.pop(event.request_id, event.command_name)]
        reply = event.reply
        entry["bytes_received"] += len(bson.encode(reply))
        cursor = reply.get("cursor") or {}
        entry["documents"] += len(cursor.get("firstBatch") or cursor.get("nextBatch") or [])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """Count a command that failed."""
        self.counts[self.names.pop(event.request_id, event.command_name)]["failed"] += 1


def monitored(out: Path, command: list[str]) -> None:
    """Run *command* (``python -m scrapy ...``) in this process with a CommandCounter; write its counts to *out*."""
    counter = CommandCounter()
    monitoring.register(counter)
    atexit.register(lambda: out.write_text(json.dumps(counter.counts, indent=1), encoding="utf-8"))
    module = command[command.index("-m") + 1]
    sys.argv = [module, *command[command.index("-m") + 2 :]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


# --- crawls ---------------------------------------------------------------------------------


@dataclass
class CrawlWork:
    """One full-chain crawl: its process, and the commands it sent when monitored."""

    label: str
    run: CrawlRun
    commands: dict[str, dict[str, int]]

    @property
    def articles(self) -> int:
        """Return the articles of the site (a crawl of a stored site skips or refetches them)."""
        return self.run.articles

    def per_article_ms(self, seconds: float) -> float:
        """Return *seconds* as milliseconds per article."""
        return 1000.0 * seconds / self.articles if self.articles else 0.0


def crawl(
    label: str, origin: str, articles: int, uri: str, database: str, out: Path, monitor: bool, **overrides: str
) -> CrawlWork:
    """Run the full chain once on the site at *origin* into *database*; count its commands when *monitor*."""
    workdir = out / f"{label}-{articles}"
    spider, settings, env = crawl_settings("full", workdir, database, uri, "")
    counts = workdir / "commands.json"
    wrap = [sys.executable, "-m", "benchmarks.dbwork", MONITOR_FLAG, str(counts)] if monitor else []
    settings |= overrides
    run = run_crawl("full", spider, origin, workdir, articles=articles, settings=settings, env=env, wrap=wrap)
    commands = json.loads(counts.read_text(encoding="utf-8")) if monitor and counts.is_file() else {}
    return CrawlWork(label, run, commands)


def crawls(articles: int, uri: str, out: Path) -> list[CrawlWork]:
    """Crawl the site into an empty database as it runs, then monitored, then twice more into what it stored.

    The second crawl of the stored site has the incremental lookups (every article is current
    and skipped); the third refetches every article (incremental crawls off), all unchanged.
    """
    from arabpress.local.site import SiteServer

    plain, database = (f"arabpress_bench_{uuid.uuid4().hex[:8]}" for _ in range(2))
    # One server for every crawl: the site's URLs, and so the stored keys, hold its port.
    with SiteServer(ensure_site(articles)) as server:
        runs = [crawl("first", server.origin, articles, uri, plain, out, monitor=False)]
        drop_database(uri, plain)
        for label, overrides in (
            ("first-monitored", {}),
            ("again-incremental", {}),
            ("again-refetch", {"ARABPRESS_INCREMENTAL_ENABLED": "False"}),
        ):
            runs.append(crawl(label, server.origin, articles, uri, database, out, monitor=True, **overrides))
    drop_database(uri, database)
    return runs


def command_table(work: CrawlWork) -> str:
    """Return the commands of a monitored crawl per article, by kind and collection."""
    rows = []
    n = work.articles or 1
    for key, entry in sorted(work.commands.items(), key=lambda item: -item[1]["commands"]):
        rows.append(
            [
                key,
                f"{entry['commands']:,}",
                f"{entry['commands'] / n:.3f}",
                f"{entry.get('documents', 0) / n:.2f}",
                f"{entry.get('bytes_sent', 0) / n:,.0f}",
                f"{entry.get('bytes_received', 0) / n:,.0f}",
            ]
        )
    total = {name: sum(entry.get(name, 0) for entry in work.commands.values()) for name in ("commands", "bytes_sent")}
    rows.append(
        ["all", f"{total['commands']:,}", f"{total['commands'] / n:.3f}", "", f"{total['bytes_sent'] / n:,.0f}", ""]
    )
    header = [
        "command collection",
        "commands",
        "per article",
        "documents/article",
        "bytes sent/article",
        "bytes received/article",
    ]
    return table(header, rows)


def crawl_line(work: CrawlWork) -> str:
    """Return one line of a crawl's CPU per article of the site."""
    db = work.run.server_cpu.get("db", 0.0)
    return (
        f"{work.label}: {work.run.items:,} articles scraped of {work.articles:,}, {work.run.pages:,} pages; crawl "
        f"process {work.per_article_ms(work.run.cpu):.2f} ms CPU/article (start-up included), database server "
        f"{work.per_article_ms(db):.2f} ms CPU/article ({db:.2f} s)"
    )


# --- micro: the server's CPU per operation --------------------------------------------------


def server_process(uri: str) -> psutil.Process:
    """Return the local server listening on *uri*'s port."""
    port = int(uri.rstrip("/").rsplit(":", 1)[1])
    for child in psutil.Process().children(recursive=True):
        try:
            if any(connection.laddr.port == port for connection in child.net_connections(kind="tcp")):
                return child
        except psutil.Error:
            continue
    raise RuntimeError(f"no local server on port {port}")


def cpu_of(process: psutil.Process) -> float:
    """Return a process's user + system CPU seconds."""
    times = process.cpu_times()
    return float(times.user + times.system)


def measure(server: psutil.Process, count: int, operation: Callable[[], Any]) -> float:
    """Return the server's CPU milliseconds per operation over *operation*, which does *count* of them."""
    before = cpu_of(server)
    operation()
    return 1000.0 * (cpu_of(server) - before) / count


def page_documents(store: PageStore, site: Path, count: int) -> list[dict[str, Any]]:
    """Return the documents *store* would write for *count* article pages of *site*."""
    from arabpress.storage.pages import Page, PagesResult

    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    documents = []
    for entry in manifest["articles"][:count]:
        path = entry["path"]
        body = (site / "pages" / path.lstrip("/") / "index.html").read_bytes()
        url = f"https://www.arabpress.example{path}"
        page = Page(url, url, url, 200, "text/html; charset=utf-8", "utf-8", datetime.now(UTC), None, "bench", body)
        documents.append({"_id": page.key, **store._document(page, PagesResult())})
    return documents


def micro(uri: str, site: Path, count: int) -> list[tuple[str, float]]:
    """Return the server's CPU milliseconds per operation of each kind."""
    import pymongo

    from arabpress.storage.documents import keyed
    from arabpress.storage.indexes import ensure_article_indexes
    from arabpress.storage.lookup import find_by_ids

    server = server_process(uri)
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    database = client[f"arabpress_bench_{uuid.uuid4().hex[:8]}"]
    articles = [keyed(document) for document in sample_documents(site, count)]
    pages = page_documents(PageStore(database), site, len(articles))
    count = len(articles)
    keys = [document["_id"] for document in articles]
    projection = {"_id": 1, "record_hash": 1, "version": 1}
    now = datetime.now(UTC)

    def insert(name: str, documents: list[dict[str, Any]]) -> Callable[[], object]:
        """Return the inserts of *documents* into collection *name*, 50 a command."""
        return bulk(name, [pymongo.InsertOne(dict(document)) for document in documents])

    def bulk(name: str, operations: list[Any]) -> Callable[[], object]:
        """Return the bulk writes of *operations* to collection *name*, 50 a command."""
        return lambda: [database[name].bulk_write(operations[at : at + 50]) for at in range(0, len(operations), 50)]

    def repeat(operation: Callable[[], Any], times: int) -> Callable[[], object]:
        """Return *operation* done *times* times."""
        return lambda: [operation() for _ in range(times)]

    articles_in = database["articles"]
    stripped = [{name: value for name, value in page.items() if name != "body"} for page in pages]
    queries = max(1, count // 100)
    steps: list[tuple[str, int, Callable[[], Any], Callable[[], Any]]] = [
        ("insert article, _id index only", count, insert("bare_articles", articles), lambda: None),
        ("insert article, the article indexes", count, insert("articles", articles), lambda: None),
        ("insert page, _id index only", count, insert("bare_pages", pages), lambda: None),
        ("insert page, fetched_at index", count, insert("pages", pages), lambda: None),
        ("insert page without body", count, insert("pages_nobody", stripped), lambda: None),
        (
            "find_one {_id}, one query a key, per key",
            count,
            lambda: [articles_in.find_one({"_id": key}, projection) for key in keys],
            lambda: None,
        ),
        (
            "find_by_ids ({_id: {$in}}, 500 keys a query), per key",
            count,
            lambda: find_by_ids(articles_in, keys, projection),
            lambda: None,
        ),
        (
            f"find {{_id: {{$in: 100 keys}}}} ({count:,} stored), per query",
            queries,
            repeat(lambda: list(articles_in.find({"_id": {"$in": keys[:100]}}, projection)), queries),
            lambda: None,
        ),
        (
            "update $max last_seen_at, 50 a command",
            count,
            bulk("articles", [pymongo.UpdateOne({"_id": key}, {"$max": {"last_seen_at": now}}) for key in keys]),
            lambda: None,
        ),
        (
            "replace article by _id, 50 a command",
            count,
            bulk("articles", [pymongo.ReplaceOne({"_id": doc["_id"]}, {**doc, "version": 2}) for doc in articles]),
            lambda: None,
        ),
        (
            "update_one a crawl record ($inc)",
            count,
            repeat(lambda: database["crawls"].update_one({"crawl_id": "bench"}, {"$inc": {"pages": 1}}), count),
            lambda: database["crawls"].insert_one({"crawl_id": "bench", "pages": 0}),
        ),
        ("ping", count, repeat(lambda: client.admin.command("ping"), count), lambda: None),
    ]
    figures: list[tuple[str, float]] = []
    try:
        database.create_collection("bare_articles")
        database.create_collection("bare_pages")
        database.create_collection("pages_nobody")
        ensure_article_indexes(articles_in)
        database["pages"].create_indexes(PAGE_INDEXES)
        for label, times, operation, prepare in steps:
            prepare()
            figures.append((label, measure(server, times, operation)))
    finally:
        client.drop_database(database.name)
        client.close()
    return figures


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dbwork", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--articles", type=int, default=2_000, help="size of the generated site (default 2,000)")
    parser.add_argument("--operations", type=int, default=500, help="operations of each kind in micro (default 500)")
    parser.add_argument("--no-crawl", action="store_true", help="leave out the crawls")
    parser.add_argument("--no-micro", action="store_true", help="leave out the operations")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the crawls and the operations; print their figures."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [MONITOR_FLAG]:
        monitored(Path(arguments[1]), arguments[2:])
        return 0
    args = parse_args(arguments)
    out = OUTPUTS / f"dbwork-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    with mongo_server() as (uri, kind):
        print(f"server: {server_version(uri)} ({kind}); output in {out}", flush=True)
        if not args.no_crawl:
            for work in crawls(args.articles, uri, out):
                print(crawl_line(work), flush=True)
                if work.commands:
                    print(command_table(work), flush=True)
        if not args.no_micro:
            rows = micro(uri, ensure_site(args.articles), args.operations)
            print(table(["operation", "server CPU ms per operation"], [[name, f"{ms:.3f}"] for name, ms in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
