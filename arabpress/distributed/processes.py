"""Run one crawl as N ``scrapy crawl`` processes on one Redis frontier, on this machine.

Each process is an ordinary crawl with ARABPRESS_REDIS_ENABLED on, the same
ARABPRESS_CRAWL_ID and ARABPRESS_CRAWL_PROCESSES=N, its log and stats in its own files.
This module starts them, prints one progress line for the whole crawl from the counts
the processes publish in Redis (``FrontierWorkers``), forwards a stop, and reports a
process that died without closing in the shared ``crawls`` document, so that the
document is completed all the same.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import redis
from scrapy.settings import BaseSettings

from arabpress.distributed.workers import PROGRESS_STATS, progress_prefix
from arabpress.storage.connection import client_from_settings
from arabpress.storage.crawls import add_process, finish_shared_crawl

POLL_SECONDS = 0.2


@dataclass
class CrawlProcess:
    """One crawl process of the run."""

    number: int
    process: subprocess.Popen[bytes]
    log: Path
    stats_file: Path

    def stats(self) -> dict[str, Any]:
        """Return the final stats the process wrote (empty when it died first)."""
        if not self.stats_file.is_file():
            return {}
        stats: dict[str, Any] = json.loads(self.stats_file.read_text(encoding="utf-8"))
        return stats


def shared_crawl_settings(crawl: str, count: int) -> list[tuple[str, str]]:
    """Return the settings that make a process one of the *count* processes of crawl *crawl*."""
    return [
        ("ARABPRESS_REDIS_ENABLED", "1"),
        ("ARABPRESS_CRAWL_ID", crawl),
        ("ARABPRESS_CRAWL_PROCESSES", str(count)),
    ]


def crawl_command(arguments: Sequence[tuple[str, str]], settings: Sequence[tuple[str, str]], log: Path) -> list[str]:
    """Return the ``scrapy crawl arabpress`` command of one process."""
    command = [sys.executable, "-m", "scrapy", "crawl", "arabpress", "--logfile", str(log)]
    for name, value in arguments:
        command += ["-a", f"{name}={value}"]
    for name, value in settings:
        command += ["-s", f"{name}={value}"]
    return command


def start_processes(
    count: int,
    arguments: Sequence[tuple[str, str]],
    settings: Sequence[tuple[str, str]],
    logdir: Path,
    crawl: str,
) -> list[CrawlProcess]:
    """Start the *count* processes of crawl *crawl*; *settings* come after the shared ones and win."""
    logdir.mkdir(parents=True, exist_ok=True)
    # The processes find the project's settings wherever they are started from.
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "arabpress.settings"}
    started = []
    for number in range(1, count + 1):
        log = logdir / f"process-{number}.log"
        stats_file = logdir / f"process-{number}.json"
        stats_file.unlink(missing_ok=True)
        own = [*shared_crawl_settings(crawl, count), ("ARABPRESS_STATS_FILE", str(stats_file)), *settings]
        process = subprocess.Popen(
            crawl_command(arguments, own, log), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started.append(CrawlProcess(number, process, log, stats_file))
    return started


class RedisUnavailable(Exception):
    """The Redis of the frontier does not answer."""


def check_redis(url: str) -> None:
    """Ping the Redis at *url*, or raise RedisUnavailable with why, in one line."""
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=5) as server:
            server.ping()
    except (redis.RedisError, ValueError) as error:
        raise RedisUnavailable(f"Redis at {url} does not answer: {error}") from None


def read_progress(server: redis.Redis, prefix: str) -> tuple[int, dict[str, int]]:
    """Return how many processes published counts, and the sums of their counts."""
    totals = dict.fromkeys(PROGRESS_STATS, 0)
    processes = 0
    for key in server.scan_iter(match=progress_prefix(prefix) + "*"):
        counts = server.hgetall(key)
        processes += 1
        for name in totals:
            totals[name] += int(counts.get(name.encode(), 0))
    return processes, totals


def progress_line(running: int, count: int, totals: dict[str, int], last: dict[str, int], minutes: float) -> str:
    """Return the merged progress line of the crawl, with rates per minute since the last line."""

    def rate(name: str) -> int:
        return round((totals[name] - last.get(name, 0)) / minutes) if minutes > 0 else 0

    return (
        f"progress: {running}/{count} processes running, {totals['pages']} pages ({rate('pages')}/min), "
        f"{totals['items']} articles stored ({rate('items')}/min), {totals['dropped']} dropped, "
        f"{totals['errors']} errors, {totals['skipped']} unchanged articles skipped"
    )


def record_lost_process(settings: BaseSettings, crawl: str, process: CrawlProcess) -> None:
    """Add a process that died before closing to the shared crawl document (completing it if last)."""
    status = process.process.returncode
    reason = f"killed by signal {-status}" if status < 0 else f"exited with status {status} without closing"
    entry = {
        "process": f"process {process.number} (pid {process.process.pid})",
        "finished_at": datetime.now(UTC),
        "finish_reason": reason,
        "failed": [f"process {process.number}: {reason}; its requests in flight went back to the frontier"],
    }
    client = client_from_settings(settings)
    try:
        collection = client[settings.get("MONGO_DATABASE")][settings.get("MONGO_CRAWLS_COLLECTION")]
        document = add_process(collection, crawl, entry)
        if document is not None and len(document["processes"]) >= int(document.get("processes_expected", 1)):
            finish_shared_crawl(collection, document)
    finally:
        client.close()


def run_crawl(
    count: int,
    arguments: Sequence[tuple[str, str]],
    settings: BaseSettings,
    overrides: Sequence[tuple[str, str]],
    logdir: Path,
    progress_interval: float,
    say: Callable[[str], None],
) -> int:
    """Run the crawl in *count* processes to its end; return 0 when every process ended well, else 1."""
    crawl = uuid.uuid4().hex
    logdir = logdir / crawl
    processes = start_processes(count, arguments, overrides, logdir, crawl)
    say(f"crawl {crawl}: {count} processes on {settings.get('REDIS_URL')}, logs in {logdir}")

    def forward(signum: int, frame: FrameType | None) -> None:
        """Pass a stop on to every process: each finishes what it holds and closes."""
        for process in processes:
            if process.process.poll() is None:
                process.process.send_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGTERM, forward)
    server = redis.Redis.from_url(settings.get("REDIS_URL"))
    prefix = str(settings.get("ARABPRESS_REDIS_KEY"))
    last: dict[str, int] = {}
    last_at = next_line = time.monotonic()
    try:
        while any(process.process.poll() is None for process in processes):
            try:
                time.sleep(POLL_SECONDS)
            except KeyboardInterrupt:
                # Ctrl-C reached the processes too (same process group): wait for them to close.
                say("stopping: every process finishes what it holds (Ctrl-C again to kill them)")
                forward(signal.SIGINT, None)
                try:
                    for process in processes:
                        process.process.wait()
                except KeyboardInterrupt:
                    for process in processes:
                        process.process.kill()
                    raise
            now = time.monotonic()
            if progress_interval > 0 and now >= next_line:
                running = sum(process.process.poll() is None for process in processes)
                _, counts = read_progress(server, prefix)
                # The last process to finish deletes the counts with the crawl's keys: keep the last seen.
                totals = {name: max(count, last.get(name, 0)) for name, count in counts.items()}
                say(progress_line(running, count, totals, last, (now - last_at) / 60))
                last, last_at, next_line = totals, now, now + progress_interval
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    return report(processes, settings, crawl, say)


def report(processes: Sequence[CrawlProcess], settings: BaseSettings, crawl: str, say: Callable[[str], None]) -> int:
    """Say how each process ended and the crawl's totals; record processes that died; return the status."""
    status = 0
    pages = items = 0
    for process in processes:
        stats = process.stats()
        code = process.process.returncode
        if not stats:
            say(f"process {process.number}: died (exit {code}) before closing; see {process.log}")
            if settings.getbool("MONGO_ENABLED"):
                record_lost_process(settings, crawl, process)
            status = 1
            continue
        pages += int(stats.get("response_received_count", 0))
        items += int(stats.get("item_scraped_count", 0))
        say(
            f"process {process.number}: {stats.get('finish_reason')}, {stats.get('response_received_count', 0)} "
            f"pages, {stats.get('item_scraped_count', 0)} articles (exit {code})"
        )
        if code != 0:
            status = 1
    say(f"crawl {crawl}: {pages} pages, {items} articles scraped by {len(processes)} processes")
    return status
