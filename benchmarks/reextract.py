"""Kept pages and re-extraction on a generated site: bytes per page, and re-extraction against the crawl.

On the generated site of N articles (make_site.py, default 2,000) served on 127.0.0.1, it runs
the full chain twice (pages kept off, then on: the cost of keeping them), measures what the
pages collection holds per article page, stops the site server, and runs ``arabpress
reextract`` over the stored pages: with the same rules (nothing changes), with 1 and 2 extraction
processes, and with a rule that changes every title (every article rewritten). It prints
the figures, with the CPU time of the command's own process, of its extraction processes and
of the database server per page, and writes them into benchmarks/RESULTS.md between this
script's markers::

    python -m benchmarks.reextract                      # 2,000 articles
    python -m benchmarks.reextract --articles 500 --no-write
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bson
import psutil
import pymongo

from benchmarks.run import (
    OUTPUTS,
    PROJECT_ROOT,
    RESULTS,
    CrawlRun,
    cpu_seconds,
    crawl_settings,
    drop_database,
    ensure_site,
    machine,
    mongo_server,
    run_crawl,
    server_processes,
    server_version,
    table,
    write_section,
)

# (name, with the changed rule, extraction processes): the last one rewrites every article.
RUNS = (
    ("same rules", False, 1),
    ("same rules", False, 2),
    ("every title changed", True, 2),
)
TARGET_BYTES_PER_PAGE = 15 * 1024
TARGET_SPEEDUP = 3.0
KB = 1024

# A changed rule for the "every article changed" runs: each title gets a mark.
CHANGED_RULE = """\
from itemadapter import ItemAdapter
from arabpress.pipelines.cleaning import TextCleaningPipeline
_original = TextCleaningPipeline.process_item
def _marked(self, item):
    item = _original(self, item)
    ItemAdapter(item)["title"] += " (benchmark)"
    return item
TextCleaningPipeline.process_item = _marked
"""


@dataclass
class PageFigures:
    """What the pages collection holds."""

    pages: int
    raw_bytes: float  # per page, as received
    compressed_bytes: float  # per page, the stored body
    document_bytes: float  # per page, the whole BSON document
    storage_bytes: float | None  # per page, collStats storageSize + totalIndexSize, when the server tells


@dataclass
class ReextractRun:
    """One run of arabpress reextract."""

    name: str
    workers: int
    returncode: int
    wall: float
    pages: int
    seconds: float  # the command's own re-extraction time (its summary)
    changed: int
    summary: str
    cpu_main: float  # CPU seconds of the command's own process (start-up included)
    cpu_workers: float  # of its extraction processes
    cpu_server: float | None  # of the local database server meanwhile, when this script started it

    @property
    def pages_per_minute(self) -> float:
        """Return pages re-extracted per minute of the command's own time."""
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0

    def per_page(self, seconds: float | None) -> str:
        """Return CPU *seconds* as milliseconds per page read."""
        return f"{1000 * seconds / self.pages:.2f}" if seconds is not None and self.pages else "-"


@dataclass
class CpuSplit:
    """CPU seconds of a process and of its children, ended or not."""

    main: float = 0.0
    children: float = 0.0


def run_measured(command: Sequence[str], env: dict[str, str], workdir: Path) -> tuple[int, str, str, CpuSplit]:
    """Run *command*, its output to files; return its status, output, errors and CPU split."""
    out, err = workdir / "reextract.out", workdir / "reextract.err"
    workdir.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stdout, err.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=stdout, stderr=stderr)
        watched = psutil.Process(process.pid)
        live: dict[int, float] = {}  # the last CPU seconds seen of each child
        reaped = 0.0  # of the children it has waited for, as its own counters tell
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            try:
                times = watched.cpu_times()
                reaped = times.children_user + times.children_system
                for child in watched.children(recursive=True):
                    live[child.pid] = cpu_seconds(child) or live.get(child.pid, 0.0)
            except psutil.Error:
                pass
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    total = usage.ru_utime + usage.ru_stime
    children = min(total, max(reaped, sum(live.values())))
    split = CpuSplit(total - children, children)
    return process.returncode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"), split


def page_figures(uri: str, database: str) -> PageFigures:
    """Measure the pages collection of *database*."""
    client: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        pages = client[database]["pages"]
        count = raw = compressed = whole = 0
        for document in pages.find():
            count += 1
            raw += int(document["size"])
            compressed += len(document.get("body") or b"")
            whole += len(bson.encode(document))
        storage: float | None = None
        try:
            stats = client[database].command("collStats", "pages")
            storage = float(stats["storageSize"] + stats.get("totalIndexSize", 0))
        except (pymongo.errors.PyMongoError, KeyError):
            storage = None
    per = max(count, 1)
    return PageFigures(count, raw / per, compressed / per, whole / per, storage / per if storage else None)


def reextract(name: str, uri: str, database: str, workers: int, workdir: Path, changed_rule: bool) -> ReextractRun:
    """Run ``arabpress reextract`` in a child process, off a terminal, and read its summary."""
    env = {"MONGO_URI": uri}
    python_path = str(PROJECT_ROOT)
    if changed_rule:
        rule = workdir / "rule"
        rule.mkdir(parents=True, exist_ok=True)
        (rule / "sitecustomize.py").write_text(CHANGED_RULE, encoding="utf-8")
        python_path = f"{rule}:{python_path}"
    command = [sys.executable, "-m", "arabpress.cli", "reextract", "--database", database, "--workers", str(workers)]
    server = server_processes().get("db")
    server_before = cpu_seconds(server) if server else 0.0
    started = time.monotonic()
    returncode, stdout, stderr, cpu = run_measured(
        command, {**os.environ, **env, "PYTHONPATH": python_path}, workdir / f"reextract-{workers}"
    )
    wall = time.monotonic() - started
    pages = re.search(r"(\d+) re-extracted", stdout)
    seconds = re.search(r"in ([\d.]+) s", stdout)
    changed = re.search(r"articles: (\d+) changed", stdout)
    return ReextractRun(
        name=name,
        workers=workers,
        returncode=returncode,
        wall=wall,
        pages=int(pages.group(1)) if pages else 0,
        seconds=float(seconds.group(1)) if seconds else 0.0,
        changed=int(changed.group(1)) if changed else 0,
        summary=(stdout + stderr).strip().splitlines()[0] if stdout or stderr else "",
        cpu_main=cpu.main,
        cpu_workers=cpu.children,
        cpu_server=cpu_seconds(server) - server_before if server else None,
    )


def render(
    articles: int,
    crawls: Sequence[CrawlRun],
    figures: PageFigures,
    runs: Sequence[ReextractRun],
    server: str,
    started: datetime,
    command: str,
) -> str:
    """Return the RESULTS.md section."""
    crawl = crawls[-1]
    lines = [f"Run of `{command}` on {started:%Y-%m-%d %H:%M} UTC.", "", *machine(), f"- Database: {server}", ""]
    lines += ["### Crawls of the full chain", ""]
    lines.append(
        table(
            ["pages kept", "pages", "articles", "seconds", "pages/min", "CPU ms/page", "exit"],
            [
                [
                    "no" if index == 0 else "yes",
                    f"{run.pages:,}",
                    f"{run.items:,}",
                    f"{run.elapsed:.0f}",
                    f"{run.pages_per_minute:,.0f}",
                    f"{run.cpu_per_page_ms:.2f}",
                    str(run.returncode),
                ]
                for index, run in enumerate(crawls)
            ],
        )
    )
    storage = f"{figures.storage_bytes / KB:.1f}" if figures.storage_bytes else "-"
    lines += ["", "### The pages collection", ""]
    lines.append(
        table(
            ["pages", "received KB/page", "stored body KB/page", "document KB/page", "collStats KB/page"],
            [
                [
                    f"{figures.pages:,}",
                    f"{figures.raw_bytes / KB:.1f}",
                    f"{figures.compressed_bytes / KB:.1f}",
                    f"{figures.document_bytes / KB:.1f}",
                    storage,
                ]
            ],
        )
    )
    lines += ["", "### Re-extraction, site server stopped", ""]
    lines.append(
        table(
            [
                "run",
                "workers",
                "pages",
                "changed",
                "seconds",
                "pages/min",
                "of crawl pages/min",
                "CPU ms/page: command",
                "extraction processes",
                "server",
                "exit",
            ],
            [
                [
                    run.name,
                    str(run.workers),
                    f"{run.pages:,}",
                    f"{run.changed:,}",
                    f"{run.seconds:.1f} ({run.wall:.1f} with start-up)",
                    f"{run.pages_per_minute:,.0f}",
                    f"{run.pages_per_minute / crawl.pages_per_minute:.1f}x" if crawl.pages_per_minute else "-",
                    run.per_page(run.cpu_main),
                    run.per_page(run.cpu_workers) if run.workers > 1 else "-",
                    run.per_page(run.cpu_server),
                    str(run.returncode),
                ]
                for run in runs
            ],
        )
    )
    best = max((run.pages_per_minute for run in runs), default=0.0)
    lines += [
        "",
        "pages/min of a crawl over its own elapsed time (every response: articles, listings, sitemaps); of "
        "a re-extraction over the time its summary gives (the pages read, start-up left out). "
        "CPU per page read: the command's own process (start-up included; with one worker it also "
        "extracts), its extraction processes, and the database server while it ran. "
        f"{articles:,} articles.",
        "",
        "| target | met | figure |",
        "| --- | --- | --- |",
        f"| stored document <= 15 KB per page | {'yes' if figures.document_bytes <= TARGET_BYTES_PER_PAGE else 'no'}"
        f" | {figures.document_bytes / KB:.1f} KB |",
        f"| re-extraction >= 3x the crawl's pages/min | "
        f"{'yes' if crawl.pages_per_minute and best >= TARGET_SPEEDUP * crawl.pages_per_minute else 'no'}"
        f" | {best / crawl.pages_per_minute if crawl.pages_per_minute else 0:.1f}x (best run) |",
    ]
    return "\n".join(lines)


def crawl_twice(articles: int, uri: str, kind: str, out: Path) -> tuple[list[CrawlRun], str]:
    """Crawl the site with pages kept off, then on; return the runs and the database of the second."""
    from arabpress.local.site import SiteServer

    site = ensure_site(articles)
    crawls: list[CrawlRun] = []
    database = ""
    with SiteServer(site) as site_server:
        for keep in (False, True):
            if database:
                drop_database(uri, database)
            database = f"arabpress_bench_{uuid.uuid4().hex[:8]}"
            workdir = out / ("crawl-pages" if keep else "crawl-no-pages")
            spider, settings, env = crawl_settings("full", workdir, database, uri, kind)
            settings = {**settings, "ARABPRESS_PAGES_ENABLED": str(keep)}
            print(f"crawl, pages kept: {keep} ...", flush=True)
            run = run_crawl("full", spider, site_server.origin, workdir, articles=articles, settings=settings, env=env)
            print(f"  {run.pages:,} pages in {run.elapsed:.0f} s: {run.pages_per_minute:,.0f}/min", flush=True)
            crawls.append(run)
    return crawls, database


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (and write) its figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reextract", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000, help="articles of the generated site (2,000)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/RESULTS.md alone")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    out = OUTPUTS / f"reextract-{args.articles}"
    with mongo_server() as (uri, kind):
        server = server_version(uri)
        crawls, database = crawl_twice(args.articles, uri, kind, out)
        # The site server is stopped: re-extraction uses no network.
        figures = page_figures(uri, database)
        print(f"pages: {figures.pages:,}, {figures.document_bytes / KB:.1f} KB per stored document", flush=True)
        runs = []
        for name, changed_rule, workers in RUNS:
            run = reextract(name, uri, database, workers, out, changed_rule)
            print(f"reextract, {name}, {workers} workers: {run.summary}", flush=True)
            runs.append(run)
        drop_database(uri, database)
    command = " ".join(["python -m benchmarks.reextract", *(sys.argv[1:] if argv is None else argv)])
    text = render(args.articles, crawls, figures, runs, server, started, command)
    print(text)
    if not args.no_write:
        write_section(RESULTS, "reextract.py", text)
    return 0 if all(run.returncode == 0 for run in [*crawls, *runs]) else 1


if __name__ == "__main__":
    sys.exit(main())
