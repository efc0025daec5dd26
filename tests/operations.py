"""Helpers of the operations tests: crawls that store in MongoDB, request logs, stored articles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymongo

from arabpress.local.site import SiteServer
from tests.crawl import LOCAL_SETTINGS, PROJECT_ROOT

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected.json").read_text(encoding="utf-8"))
# Paths of the pages that are stored articles (the video story is dropped, the AMP copy merged).
ARTICLE_PATHS = frozenset(page["path"] for page in EXPECTED["pages"] if isinstance(page["item"], dict))


def mongo_env(uri: str, database: str) -> dict[str, str]:
    """Return the environment of a crawl that stores in *database*."""
    return {"MONGO_ENABLED": "1", "MONGO_URI": uri, "MONGO_DATABASE": database}


def requested_paths(server: SiteServer) -> list[str]:
    """Return every path *server* was asked for so far, in order."""
    assert server.request_log is not None
    if not server.request_log.exists():
        return []
    return server.request_log.read_text(encoding="utf-8").splitlines()


def stored_articles(uri: str, database: str) -> list[dict[str, Any]]:
    """Return the article documents of *database*."""
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True) as client:
        return list(client[database]["articles"].find({}, {"_id": False}))


def stored_paths(uri: str, database: str, origin: str) -> list[str]:
    """Return the paths of the stored articles' URLs, one per document (repeats show duplicates)."""
    return sorted(document["url"].removeprefix(origin) for document in stored_articles(uri, database))


def crawl_documents(uri: str, database: str) -> list[dict[str, Any]]:
    """Return the documents of the crawls collection, oldest first."""
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True) as client:
        return list(client[database]["crawls"].find({}, {"_id": False}).sort("started_at", 1))


class CrawlProcess:
    """A crawl running in a child process, to be stopped or killed part-way; see tests.crawl for whole runs."""

    def __init__(self, base_url: str, workdir: Path, settings: dict[str, str], env: dict[str, str]) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.stats_file = workdir / "stats.json"
        self.log_file = workdir / "crawl.log"
        merged = {**LOCAL_SETTINGS, "ARABPRESS_STATS_FILE": str(self.stats_file), **settings}
        command = [sys.executable, "-m", "scrapy", "crawl", "arabpress", "-a", f"base_url={base_url}"]
        command += ["--logfile", str(self.log_file)]
        for name, value in merged.items():
            command += ["-s", f"{name}={value}"]
        self.output = (workdir / "output.txt").open("wb")
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=self.output, stderr=subprocess.STDOUT
        )

    def wait(self, timeout: float = 120) -> int:
        """Wait for the process to exit and return its exit code; kill it when it does not."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.output.close()

    def kill(self) -> None:
        """Kill the crawl if it still runs (a failed test leaves no process behind)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()

    def stats(self) -> dict[str, Any]:
        """Return the final stats the crawl wrote (empty when it was killed)."""
        return json.loads(self.stats_file.read_text(encoding="utf-8")) if self.stats_file.exists() else {}

    def log(self) -> str:
        """Return the crawl's log and its other output."""
        log = self.log_file.read_text(encoding="utf-8") if self.log_file.exists() else ""
        return log + (self.workdir / "output.txt").read_text(encoding="utf-8", errors="replace")


def wait_for(condition: Callable[[], bool], process: CrawlProcess, timeout: float, what: str) -> None:
    """Poll *condition* until it holds; fail when the crawl ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.process.poll() is not None:
            raise AssertionError(f"the crawl ended before {what}:\n{process.log()[-3000:]}")
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"no {what} within {timeout}s:\n{process.log()[-3000:]}")
